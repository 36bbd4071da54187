/**
 * The tick's ElastiCache sizing (core/prefetch/cache-stage.ts) against the SimulatedCloud: the prefetch state
 * cache grows the add lead time ahead of the moment a predicted step's state will be prepared, and
 * shrinks only after the scale-in cooldown once the state was used.
 */
import { describe, expect, it } from 'vitest';
import { CachePoolSchema, ControllerConfigSchema, type ExecutionEvent, type ScaleCacheCommand } from '../../src/core/model/index.js';
import { createForecaster } from '../../src/core/forecast/index.js';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import type { NextStepModel } from '../../src/core/predict/types.js';
import { createControllerTick, prefetchSelectionFrom } from '../../src/app/tick.js';
import { cacheDemandSlots, PreparedStateLedger } from '../../src/core/prefetch/cache-stage.js';
import { runBacktest } from '../../src/sim/backtest.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { task, workflow } from '../builders/tasks.js';
import { simCloud, T0 } from './sim-cloud-setup.js';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import type { Preparer } from '../../src/ports/preparer.js';

/** A Preparer that accepts every preparation (the cache sizing only needs the ledger to hold them). */
const acceptAll: Preparer = { prepare: async (c) => ({ commandId: c.id, status: 'accepted' }) };

const TTL = 900;
/** When the predicted step `b` starts (absolute): its state is prepared TTL before, at T0 + 1100. */
const START_B = T0 + 2000;
const PREP_AT = START_B - TTL;

const cachePool = CachePoolSchema.parse({
  kind: 'elasticache', id: 'state-cache', nodeType: 'cache.t4g.medium', shards: 1, replicasPerShard: 0, minReplicasPerShard: 0, addLeadTimeSec: 600, removeLeadTimeSec: 300,
});
// b's 3 GiB state needs 2 shards of cache.t4g.medium (3.09 GiB × 75% usable each)
const wf = workflow('etl', [
  task('a', [], { runtime: { meanSec: 2000, p50Sec: 2000, p95Sec: 2500, samplesSec: [] } }),
  task('b', ['a'], { prepare: 'module:./tasks/b.js#prepare', setupShare: 0.5, preparedStateGiB: 3 }),
]);

/** A next-step model that always expects `b` to start at START_B with probability 0.9. */
const expectsB: NextStepModel = {
  name: 'expects-b',
  observe: () => undefined,
  predict: (ctx) => [{ taskType: 'b', probability: 0.9, expectedStartInSec: START_B - ctx.nowSec }],
  toJSON: () => ({}),
};

/** Runs the tick every minute from T0 to T0 + 4200 with `b` predicted; returns the cache commands and decisions. */
async function runTicks(latencyValueUsdPerHour: number): Promise<{ scaled: Array<{ atSec: number; cmd: ScaleCacheCommand }>; shardsAtPrep: number; prepared: boolean; reasons: string[]; cacheUsd: number }> {
  const { cloud, clock, advanceTo, pool } = simCloud({ caches: [{ pool: cachePool, priceUsdPerNodeHour: 0.065, nodeMemoryGiB: 3.09 }] });
  const ev = (taskId: string, kind: ExecutionEvent['kind'], atSec: number): ExecutionEvent => ({ chainId: 'c1', workflow: 'etl', variant: 'default', taskId, taskType: taskId, kind, atSec });
  const exec: ExecutionEvent[] = [ev('a', 'submitted', T0 - 10), ev('b', 'submitted', T0 - 10), ev('a', 'started', T0 - 10), ev('a', 'finished', START_B), ev('b', 'started', START_B)];
  const config = ControllerConfigSchema.parse({
    mode: 'active', pools: [pool, cachePool], workflows: [wf], prefetch: { enabled: true, probabilityThreshold: 0.3, topN: 2, ttlSec: TTL, latencyValueUsdPerHour },
  });
  const tick = createControllerTick({
    clock, metrics: { fetch: async () => [] }, cloud, preparer: acceptAll, forecaster: createForecaster('seasonal-naive'), nextStep: expectsB, planner: createGreedyPlanner({ tickSec: 60 }), config,
    events: { drainCloudEvents: async () => [], executionEvents: async (a, b) => exec.filter((e) => e.atSec >= a && e.atSec < b) },
    options: { prefetch: prefetchSelectionFrom(config.prefetch) },
  });
  const scaled: Array<{ atSec: number; cmd: ScaleCacheCommand }> = [];
  const reasons: string[] = [];
  let shardsAtPrep = 0;
  let prepared = false;
  for (let t = T0; t <= T0 + 4200; t += 60) {
    advanceTo(t);
    if (t >= PREP_AT && shardsAtPrep === 0) shardsAtPrep = cloud.snapshot().caches[0].shards;
    const r = await tick.run();
    for (const c of r.commands) if (c.kind === 'scale-cache') scaled.push({ atSec: t, cmd: c });
    for (const d of r.decisions) if (d.kind === 'plan' && d.subject === cachePool.id) reasons.push(d.reason);
    if (r.preparations.some((p) => p.status === 'accepted')) prepared = true;
  }
  return { scaled, shardsAtPrep, prepared, reasons, cacheUsd: cloud.collectCost().find((c) => c.poolId === cachePool.id)?.cacheUsd ?? 0 };
}

describe('tick cache sizing', () => {
  it('grows the cache lead time ahead of the predicted state and shrinks only after the cooldown', async () => {
    // b's state saves 0.5 × 60 s of setup: at 100 USD per hour of latency it is worth 0.9 × 30 s × 100 USD/h ≈ 0.75 USD,
    // far more than the node-hour of cache.t4g.medium (0.065 USD) the second shard costs
    const { scaled, shardsAtPrep, prepared, cacheUsd } = await runTicks(100);
    expect(prepared).toBe(true);
    expect(scaled.map((s) => `${s.cmd.shards}x${s.cmd.replicasPerShard}`)).toEqual(['2x0', '1x0']);
    const [grow, shrink] = scaled;
    // grown no later than the add lead time before the state is prepared, and not long before that
    expect(grow.atSec + cachePool.addLeadTimeSec).toBeLessThanOrEqual(PREP_AT);
    expect(grow.atSec).toBeGreaterThan(PREP_AT - cachePool.addLeadTimeSec - 3 * 60);
    expect(shardsAtPrep).toBe(2);
    // b started (its state read and freed) at START_B; the shrink waits the 1800 s cooldown
    expect(shrink.atSec).toBeGreaterThanOrEqual(START_B + 1800);
    expect(shrink.atSec).toBeLessThanOrEqual(START_B + 1800 + 2 * 60);
    expect(cacheUsd).toBeGreaterThan(0);
  });

  it('does not grow when the state it would keep is worth less than the added node-hours', async () => {
    // b's 3 GiB state needs a second shard; with no latency value it is worth only the compute its setup saves,
    // 0.9 × 30 s × 0.024 USD per vCPU-hour ≈ 0.0002 USD, less than one node-hour of cache.t4g.medium (0.065 USD)
    const { scaled, prepared, reasons } = await runTicks(0);
    expect(prepared).toBe(true);
    expect(scaled).toEqual([]);
    expect(reasons.some((r) => /not worth growing.*keep 0\.00\d+ USD of states for 0\.0650 USD/.test(r))).toBe(true);
  });

  it('counts a held state until its TTL and an uncertain state at the service-level quantile', () => {
    const ledger = new PreparedStateLedger();
    const b = task('b', [], { prepare: 'module:./b.js#prepare', setupShare: 0.5, preparedStateGiB: 1 });
    ledger.add({ kind: 'pre-execute', id: 'p1', poolId: 'batch', reason: '', chainId: 'c0', taskId: 'b', probability: 1, ttlSec: 120 }, b, 0, TTL);
    const chains = [{ chainId: 'c1', workflow: 'w', predictions: [{ taskType: 'b', probability: 0.5, expectedStartInSec: 60 }], pendingSteps: [{ task: b, poolId: 'batch' }] }];
    const slots = cacheDemandSlots(0, 60, 4, 0.95, ledger, chains, { probabilityThreshold: 0.3, topN: 2, ttlSec: TTL });
    // slot 0: held 1 + prepared-for-sure 1; slots 1-3: held until 120 s, then the unused-state tail at q95 (capped at 1 GiB)
    expect(slots.map((s) => s.memoryGiB)).toEqual([2, 2, 1, 1]);
    expect(slots[0].opsPerSec).toBeCloseTo(1024 / 60, 6);
    const without = cacheDemandSlots(0, 60, 4, 0.95, ledger, chains, undefined);
    expect(without.map((s) => s.memoryGiB)).toEqual([1, 1, 0, 0]);
  });

  it('values each slot\'s states per GiB: probability × setup saved × (vCPU price + latency value), nothing for wrong predictions', () => {
    const ledger = new PreparedStateLedger();
    // b: 1 vCPU, runtime 60 s mean, setup 30 s, state 1 GiB
    const b = task('b', [], { prepare: 'module:./b.js#prepare', setupShare: 0.5, preparedStateGiB: 1 });
    const prices = { usdPerVcpuHour: 0.024, latencyValueUsdPerHour: 36 };
    ledger.add({ kind: 'pre-execute', id: 'p1', poolId: 'batch', reason: '', chainId: 'c0', taskId: 'b', probability: 1, ttlSec: 120 }, b, 0, TTL, prices);
    const perState = (30 * (0.024 + 36)) / 3600; // 0.30020 USD
    expect(ledger.held.get('c0/b')?.valueUsd).toBeCloseTo(perState, 9);
    const chains = [{ chainId: 'c1', workflow: 'w', predictions: [{ taskType: 'b', probability: 0.5, expectedStartInSec: 60 }], pendingSteps: [{ task: b, poolId: 'batch' }] }];
    const slots = cacheDemandSlots(0, 60, 4, 0.95, ledger, chains, { probabilityThreshold: 0.3, topN: 2, ttlSec: TTL, ...prices });
    // slot 0: the held state (worth perState) + c1's state before its start (0.5 × perState) over 2 GiB;
    // slot 1: the held state, plus c1's unused-state tail (worth nothing) over 2 GiB; then only the worthless tail
    expect(slots.map((s) => s.valueUsdPerGiB)).toEqual([1.5 * perState / 2, perState / 2, 0, 0].map((v) => expect.closeTo(v, 9)));
  });
});

describe('prepared states across a restart', () => {
  it('restores the held states from the tick state: the step is not prepared again and the cache is not shrunk under it', async () => {
    const { cloud, clock, advanceTo, pool } = simCloud({ caches: [{ pool: cachePool, priceUsdPerNodeHour: 0.065, nodeMemoryGiB: 3.09 }] });
      const ev = (taskId: string, kind: ExecutionEvent['kind'], atSec: number): ExecutionEvent => ({ chainId: 'c1', workflow: 'etl', variant: 'default', taskId, taskType: taskId, kind, atSec });
    const exec: ExecutionEvent[] = [ev('a', 'submitted', T0 - 10), ev('b', 'submitted', T0 - 10), ev('a', 'started', T0 - 10)];
    const config = ControllerConfigSchema.parse({
      mode: 'active', pools: [pool, cachePool], workflows: [wf], prefetch: { enabled: true, probabilityThreshold: 0.3, topN: 2, ttlSec: TTL, latencyValueUsdPerHour: 100 },
    });
    const store = new SqliteStateStore(':memory:');
    const make = () => createControllerTick({
      clock, metrics: { fetch: async () => [] }, cloud, preparer: acceptAll, forecaster: createForecaster('seasonal-naive'), nextStep: expectsB, planner: createGreedyPlanner({ tickSec: 60 }), config, store,
      events: { drainCloudEvents: async () => [], executionEvents: async (a, b) => exec.filter((e) => e.atSec >= a && e.atSec < b) },
      options: { prefetch: prefetchSelectionFrom(config.prefetch) },
    });
    const commandsOf = async (tick: ReturnType<typeof make>, from: number, to: number) => {
      const out: Array<{ atSec: number; kind: string; id: string }> = [];
      for (let t = from; t <= to; t += 60) {
        advanceTo(t);
        const r = await tick.run();
        for (const c of r.commands) out.push({ atSec: t, kind: c.kind, id: c.id });
        for (const p of r.preparations) out.push({ atSec: t, kind: 'pre-execute', id: p.commandId });
      }
      return out;
    };
    const before = await commandsOf(make(), T0, PREP_AT + 120);
    expect(before.filter((c) => c.kind === 'pre-execute')).toHaveLength(1);
    // a new process (empty memory) picks up from the stored state
    const after = await commandsOf(make(), PREP_AT + 180, START_B - 60);
    expect(after.filter((c) => c.kind === 'pre-execute')).toEqual([]);
    expect(after.filter((c) => c.kind === 'scale-cache')).toEqual([]);
    expect(cloud.snapshot().caches[0].shards).toBe(2);
    await store.close();
  }, 30_000);
});

describe('backtest with the prefetch state cache', () => {
  it('charges the cache to prescale only, in the report\'s cacheUsd', async () => {
    const { report } = await runBacktest(defaultScenario({ days: 1 }), { policies: ['reactive', 'predictive-hourly', 'prescale'] });
    const cacheUsd = Object.fromEntries(report.policies.map((p) => [p.policy, p.cost.cacheUsd]));
    expect(cacheUsd.prescale).toBeGreaterThan(0);
    expect(cacheUsd.reactive).toBe(0);
    expect(cacheUsd['predictive-hourly']).toBe(0);
  }, 120_000);
});
