/**
 * One read plan per tick (core/tick/reads.ts): the forecast stage's refit histories and incremental
 * update windows and the latest stage's last slots are read through one cache, in one fetch per tick
 * (`MetricsSource.fetchMany` with the whole plan), so a series is fetched once per tick even when the
 * forecast period (300 s) is not the slot (60 s). Counted on a fake metrics port that records every
 * call; the same count on CloudWatch requests against moto is in
 * test/adapters/aws/cloudwatch-tick-reads.moto.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ControllerConfigSchema, type MetricSeries } from '../../../src/core/model/index.js';
import { createForecaster, createIncrementalForecaster } from '../../../src/core/forecast/index.js';
import { createGreedyPlanner } from '../../../src/core/plan/index.js';
import { createNextStepModel } from '../../../src/core/predict/index.js';
import { planReads, TickReadCache } from '../../../src/core/tick/reads.js';
import { createControllerTick } from '../../../src/app/tick.js';
import type { MetricQuery, MetricsSource } from '../../../src/ports/metrics-source.js';
import { simCloud, T0 } from '../../sim/sim-cloud-setup.js';

/** A metrics port over a synthetic daily wave (values known at every second), recording every query and every call. */
class CountingMetrics implements MetricsSource {
  readonly queries: MetricQuery[] = [];
  /** Port calls (fetch or fetchMany) since the last `calls()`: each one request to the backend. */
  protected callCount = 0;
  /** Series ids of each call since the last `calls()` (a series twice in one call counts once). */
  protected seriesPerCall: Array<Set<string>> = [];
  constructor(private readonly nowSec: () => number) {}
  async fetch(q: MetricQuery): Promise<MetricSeries[]> {
    this.callCount++;
    this.seriesPerCall.push(new Set(q.seriesIds));
    return this.answer(q);
  }
  /** Pops the call count and the per-call series since the last call of this. */
  calls(): { count: number; seriesPerCall: Array<Set<string>> } {
    const out = { count: this.callCount, seriesPerCall: this.seriesPerCall };
    this.callCount = 0;
    this.seriesPerCall = [];
    return out;
  }
  protected answer(q: MetricQuery): MetricSeries[] {
    this.queries.push(q);
    const n = Math.max(0, Math.floor((q.endSec - q.startSec) / q.periodSec));
    return q.seriesIds.map((id) => ({
      id, startSec: q.startSec, periodSec: q.periodSec,
      values: Array.from({ length: n }, (_, k) => {
        const t = q.startSec + k * q.periodSec;
        return t + q.periodSec > this.nowSec() ? Number.NaN : 40 + 20 * Math.sin((2 * Math.PI * t) / 86_400) + (id.length % 3);
      }),
    }));
  }
  /** Query reads per `series@period` since the last call. */
  take(): Map<string, number> {
    const out = new Map<string, number>();
    for (const q of this.queries.splice(0)) for (const id of q.seriesIds) out.set(`${id}@${q.periodSec}`, (out.get(`${id}@${q.periodSec}`) ?? 0) + 1);
    return out;
  }
}

/** The same port with `fetchMany`: one call carries the tick's whole read plan (as CloudWatch's adapter does). */
class CountingBatchMetrics extends CountingMetrics {
  async fetchMany(qs: readonly MetricQuery[]): Promise<MetricSeries[][]> {
    // one call, whatever the number of queries in it
    this.callCount++;
    this.seriesPerCall.push(new Set(qs.flatMap((q) => q.seriesIds)));
    return qs.map((q) => this.answer(q));
  }
}

interface TickReads { readonly reads: Map<string, number>; readonly calls: number; readonly seriesPerCall: Array<Set<string>> }

async function readsPerTick(forecastPeriodSec: number, incremental: boolean, batch = false): Promise<TickReads[]> {
  const { cloud, clock, advanceTo, pool } = simCloud();
  const metrics = batch ? new CountingBatchMetrics(() => clock.nowSec()) : new CountingMetrics(() => clock.nowSec());
  const config = ControllerConfigSchema.parse({
    mode: 'active', pools: [pool], demandSignals: [{ seriesId: 'rps', poolId: pool.id, metricPerUnit: 10 }, { seriesId: 'queue', poolId: pool.id, metricPerUnit: 5 }],
  });
  const tick = createControllerTick({
    clock, metrics, cloud, forecaster: incremental ? createIncrementalForecaster() : createForecaster('seasonal-naive'), nextStep: createNextStepModel('markov1'),
    planner: createGreedyPlanner({ tickSec: 60 }), config, events: { drainCloudEvents: async () => [], executionEvents: async () => [] },
    options: {
      forecastPeriodSec, historySec: 2 * 86_400, refitEverySec: 600, recalibrate: true, forecastMode: incremental ? 'incremental' : 'refit',
      taskBacklogSignals: [{ seriesId: 'backlog', poolId: pool.id }],
    },
  });
  const out: TickReads[] = [];
  for (let t = T0; t <= T0 + 15 * 60; t += 60) {
    advanceTo(t);
    await tick.run();
    const { count, seriesPerCall } = metrics.calls();
    out.push({ reads: metrics.take(), calls: count, seriesPerCall });
  }
  return out;
}

/** Fetches of each series in one tick: the calls whose queries name it. */
function fetchesPerSeries(t: TickReads): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ids of t.seriesPerCall) for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

describe('one metric fetch per series per tick', () => {
  for (const incremental of [false, true]) {
    it(`${incremental ? 'incremental' : 'refit'} mode, forecast period = slot: every series is read exactly once every tick`, async () => {
      const ticks = await readsPerTick(60, incremental);
      for (const { reads } of ticks) expect(Object.fromEntries(reads)).toEqual({ 'backlog@60': 1, 'queue@60': 1, 'rps@60': 1 });
    });

    it(`${incremental ? 'incremental' : 'refit'} mode, forecast period 300 s, slot 60 s: one fetch per series per tick, both periods in it`, async () => {
      const ticks = await readsPerTick(300, incremental, true);
      for (const t of ticks) {
        expect(t.calls).toBe(1);
        expect(fetchesPerSeries(t)).toEqual({ backlog: 1, queue: 1, rps: 1 });
      }
      // the first tick refits: the one fetch carries every series at 300 s (history) and at 60 s (latest slots)
      expect(Object.fromEntries(ticks[0].reads)).toEqual({ 'backlog@300': 1, 'backlog@60': 1, 'queue@300': 1, 'queue@60': 1, 'rps@300': 1, 'rps@60': 1 });
    });

    it(`${incremental ? 'incremental' : 'refit'} mode, forecast period 300 s, slot 60 s, a source without fetchMany: the count sees it fetched twice on a due tick`, async () => {
      // the control for the test above: query by query, a due tick fetches each series at 300 s and at 60 s
      const ticks = await readsPerTick(300, incremental, false);
      expect(ticks[0].calls).toBe(2);
      expect(fetchesPerSeries(ticks[0])).toEqual({ backlog: 2, queue: 2, rps: 2 });
    });

    it(`${incremental ? 'incremental' : 'refit'} mode, forecast period 300 s, slot 60 s: once per tick at each period, the forecast period only when due or a period completed`, async () => {
      const ticks = (await readsPerTick(300, incremental)).map((t) => t.reads);
      for (const reads of ticks) {
        for (const [key, n] of reads) expect(n, key).toBe(1);
        for (const id of ['backlog', 'queue', 'rps']) expect(reads.get(`${id}@60`)).toBe(1);
      }
      // refit at the first tick and every 600 s; incremental mode also absorbs each completed 300 s period
      const at300 = ticks.map((r) => r.get('rps@300') ?? 0);
      expect(at300[0]).toBe(1);
      expect(at300.reduce((a, b) => a + b, 0)).toBeLessThan(ticks.length);
    });
  }
});

describe('core/tick/reads', () => {
  it('merges the needs of one series at one period on one grid and groups equal windows', () => {
    const q = planReads([
      { seriesId: 'b', startSec: 0, endSec: 600, periodSec: 60 }, { seriesId: 'a', startSec: 0, endSec: 600, periodSec: 60 },
      { seriesId: 'a', startSec: 420, endSec: 660, periodSec: 60 }, { seriesId: 'a', startSec: 0, endSec: 600, periodSec: 300 },
      { seriesId: 'c', startSec: 30, endSec: 90, periodSec: 60 }, { seriesId: 'c', startSec: 0, endSec: 60, periodSec: 60 },
    ]);
    expect(q).toEqual([
      { seriesIds: ['c'], startSec: 0, endSec: 60, periodSec: 60 }, { seriesIds: ['b'], startSec: 0, endSec: 600, periodSec: 60 },
      { seriesIds: ['a'], startSec: 0, endSec: 660, periodSec: 60 }, { seriesIds: ['c'], startSec: 30, endSec: 90, periodSec: 60 },
      { seriesIds: ['a'], startSec: 0, endSec: 600, periodSec: 300 },
    ]);
  });

  it('gives each stage its window of what was read, and refuses a window the plan did not read', () => {
    const query = { seriesIds: ['a'], startSec: 0, endSec: 300, periodSec: 60 };
    const cache = new TickReadCache([[query, [{ id: 'a', startSec: 0, periodSec: 60, values: [1, 2, 3, 4, Number.NaN] }]]]);
    expect(cache.take(['a'], 120, 300, 60)).toEqual([{ id: 'a', startSec: 120, periodSec: 60, values: [3, 4, Number.NaN] }]);
    expect(cache.take(['a'], 0, 300, 60)[0].values).toEqual([1, 2, 3, 4, Number.NaN]);
    expect(() => cache.take(['a'], 0, 300, 300)).toThrow(/not in the tick's read plan/);
    expect(() => cache.take(['a'], 30, 90, 60)).toThrow(/not in the tick's read plan/);
  });
});
