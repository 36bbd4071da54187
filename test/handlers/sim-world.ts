/** A simulated world (SimulatedCloud + workload) for a deployment configuration. */
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';
import type { DeploymentConfig } from '../../src/handlers/deployment-config.js';
import { metricDemandByPool } from '../../src/sim/demand-grid.js';
import { ScenarioSchema } from '../../src/sim/scenario/schema.js';
import { World } from '../../src/sim/world.js';

/** Start of every simulated run (on the hour). */
export const START_SEC = 1_795_000_000 - (1_795_000_000 % 3600);

/** A daily-seasonal CPU-like demand series (5-minute periods) starting two days before the run. */
function demandSeries(): { id: string; startSec: number; periodSec: number; values: number[] } {
  const values: number[] = [];
  for (let i = 0; i < 3 * 288; i++) values.push(40 + 30 * Math.sin((2 * Math.PI * i) / 288));
  return { id: 'web-cpu', startSec: START_SEC - 2 * 86_400, periodSec: 300, values };
}

/** A world whose pools and demand signals are the configuration's, over a seasonal series. */
export function simWorld(config: DeploymentConfig): World {
  const scenario = ScenarioSchema.parse({
    name: 'handler-e2e', seed: 7, startSec: START_SEC, days: 0.1, pools: config.controller.pools.filter((p) => p.kind === 'ec2'),
    prices: DEFAULT_PRICE_TABLE, series: [demandSeries()], demandSignals: config.controller.demandSignals,
  });
  return new World(scenario, metricDemandByPool(scenario, 200));
}
