/**
 * The tick's incremental forecasting mode: one fit per refit period, and in between every completed
 * period is absorbed so the forecast follows a level change before the next refit.
 */
import { describe, expect, it } from 'vitest';
import { ControllerConfigSchema, type Forecast, type MetricSeries } from '../../src/core/model/index.js';
import { createForecaster, createIncrementalForecaster } from '../../src/core/forecast/index.js';
import { createRandom } from '../../src/core/rng.js';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import { createNextStepModel } from '../../src/core/predict/index.js';
import { createControllerTick, type TickOptions } from '../../src/app/tick.js';
import { forecastAt } from '../../src/core/model/forecast.js';
import type { MetricQuery, MetricsSource } from '../../src/ports/metrics-source.js';
import { FakeCloud } from '../fakes/fake-cloud.js';
import { testOfferings, testPool } from '../fakes/offerings.js';
import { clockReading } from '../fakes/manual-clock.js';

const NOW = 1_767_571_200;
const STEP_AT = NOW + 300;

/** A random walk (seeded, ±40 per 5 minutes) on a daily wave of 1000 ± 300, stepping up by 1500 at STEP_AT. */
const walk = ((): Map<number, number> => {
  const rng = createRandom(7);
  const out = new Map<number, number>();
  let w = 0;
  for (let t = NOW - 4 * 86_400; t <= NOW + 3600; t += 300) out.set(t, (w += (rng.next() - 0.5) * 80));
  return out;
})();

/** Periods are visible once they have ended. */
function source(clock: { t: number }): MetricsSource {
  const at = (t: number): number => 1000 + 300 * Math.sin((2 * Math.PI * t) / 86_400) + (walk.get(t) ?? 0) + (t >= STEP_AT ? 1500 : 0);
  return {
    async fetch(q: MetricQuery): Promise<MetricSeries[]> {
      const n = Math.floor((q.endSec - q.startSec) / q.periodSec);
      const values = Array.from({ length: n }, (_, k) => (q.startSec + (k + 1) * q.periodSec <= clock.t ? at(q.startSec + k * q.periodSec) : Number.NaN));
      return q.seriesIds.map((id) => ({ id, startSec: q.startSec, periodSec: q.periodSec, values }));
    },
  };
}

async function run(mode: TickOptions['forecastMode']): Promise<{ forecasts: Forecast[][]; forecastDecisions: number }> {
  const clock = { t: NOW };
  const pool = testPool({ minSpotOfferings: 1, maxSpotSharePerOffering: 1 });
  const tick = createControllerTick({
    clock: clockReading(() => clock.t), metrics: source(clock), events: { drainCloudEvents: async () => [], executionEvents: async () => [] },
    cloud: new FakeCloud(testOfferings(), NOW), forecaster: mode === 'incremental' ? createIncrementalForecaster({ refitEverySteps: Number.MAX_SAFE_INTEGER }) : createForecaster('seasonal-naive'), nextStep: createNextStepModel('markov1'),
    planner: createGreedyPlanner({ tickSec: 60 }),
    config: ControllerConfigSchema.parse({ mode: 'dry-run', pools: [pool], demandSignals: [{ seriesId: 'rps', poolId: pool.id, metricPerUnit: 100 }] }),
    options: { forecastMode: mode, historySec: 3 * 86_400 },
  });
  const forecasts: Forecast[][] = [];
  let forecastDecisions = 0;
  for (let k = 0; k <= 30; k++) {
    clock.t = NOW + k * 60;
    const r = await tick.run();
    forecasts.push([...r.forecasts]);
    forecastDecisions += r.decisions.filter((d) => d.kind === 'forecast').length;
  }
  return { forecasts, forecastDecisions };
}

describe('tick incremental forecasting', () => {
  it('fits once per refit period and updates from each completed period in between', async () => {
    const { forecasts, forecastDecisions } = await run('incremental');
    expect(forecastDecisions).toBe(1);
    // a new forecast whenever a 5-minute period completes, its origin moving with it
    const origins = forecasts.filter((f) => f.length > 0).map((f) => f[0].originSec);
    expect(origins.length).toBeGreaterThanOrEqual(6);
    expect(new Set(origins).size).toBe(origins.length);
    expect(forecasts[30][0].model).toMatch(/^incremental:/);
  });

  it('follows a level step before the next refit, where refit mode keeps the stale forecast', async () => {
    const inc = await run('incremental');
    const ref = await run('refit');
    const last = inc.forecasts.flat().at(-1)!;
    const refitForecasts = ref.forecasts.flat();
    // refit mode forecast once, at the first tick, from the pre-step history
    expect(refitForecasts).toHaveLength(1);
    const t = last.originSec + last.periodSec;
    // the incremental forecast has absorbed a good part of the 1500 step; the stale one has not
    expect(forecastAt(last, 0.5, t) - forecastAt(refitForecasts[0], 0.5, t)).toBeGreaterThan(500);
  });
});
