/**
 * forecast.csv rows of a run come from the forecasts a policy records on its world
 * (World.recordForecasts): metric series in units (÷ metricPerUnit), each forecast covering its
 * periods until the same series' next forecast takes over (its first step, origin + periodSec).
 */
import { describe, expect, it } from 'vitest';
import { metricDemandByPool } from '../../src/sim/demand-grid.js';
import { runPolicy } from '../../src/sim/run-policy.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';
import type { Forecast } from '../../src/core/model/index.js';
import type { SimPolicy } from '../../src/sim/policies/types.js';

const T0 = 1_767_571_200;

function forecast(originSec: number, base: number): Forecast {
  const mean = [base, base, base];
  return { seriesId: 'req', model: 'hand', originSec, periodSec: 300, mean, quantiles: { '0.1': mean.map((x) => x - 100), '0.5': mean, '0.9': mean.map((x) => x + 100) } };
}

describe('forecast rows of a run', () => {
  it('turns recorded forecasts into p10/p50/p90 units per pool, each until the next forecast\'s first step', async () => {
    const sc = parseScenario({
      name: 'f', seed: 1, startSec: T0, days: 1 / 24,
      pools: [{ kind: 'ec2', id: 'web', instanceRequirements: { vcpuMin: 4, vcpuMax: 4, allowedFamilies: ['m6i'] } }],
      prices: DEFAULT_PRICE_TABLE.map((p) => ({ ...p })),
      series: [{ id: 'req', startSec: T0 - 3600, periodSec: 60, values: Array.from({ length: 120 }, () => 1000) }],
      demandSignals: [{ seriesId: 'req', poolId: 'web', metricPerUnit: 100 }],
    });
    const factory = (): SimPolicy => ({
      name: 'hand',
      async tick(ctx) {
        if (ctx.tickIndex === 0) ctx.world.recordForecasts([forecast(T0, 1000)]);
        if (ctx.tickIndex === 10) ctx.world.recordForecasts([forecast(T0 + 600, 2000), { ...forecast(T0, 5), seriesId: 'unrelated' }]);
      },
      extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: {} }),
    });
    const run = await runPolicy(sc, metricDemandByPool(sc, 61), 'hand', factory, false);
    expect(run.extraRows.forecast.map((r) => [r.timestamp - T0, r.pool, r.p10_units, r.p50_units, r.p90_units])).toEqual([
      [300, 'web', 9, 10, 11],
      // the second forecast (origin +600) first predicts +900, so +600 is still the first forecast's
      [600, 'web', 9, 10, 11],
      [900, 'web', 19, 20, 21],
      [1200, 'web', 19, 20, 21],
      [1500, 'web', 19, 20, 21],
    ]);
    expect(run.raw.variants).not.toBeNull();
    expect(run.raw.prefetch).toBeNull();
  });
});
