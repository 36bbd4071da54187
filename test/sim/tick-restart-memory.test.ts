/**
 * The tick's worst moment for its memory: a restart. A tick that resumes its saved memory
 * (core/tick/memory-codec.ts, app/tick/state.ts TickMemoryHolder) on the same durable store makes the
 * same commands and decisions as one that never stopped.
 */
import { describe, expect, it } from 'vitest';
import { CachePoolSchema, ControllerConfigSchema, type ExecutionEvent, type MetricSeries } from '../../src/core/model/index.js';
import { createIncrementalForecaster } from '../../src/core/forecast/index.js';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import { createNextStepModel, FeedbackModel } from '../../src/core/predict/index.js';
import { createControllerTick, prefetchSelectionFrom, type TickDeps } from '../../src/app/tick.js';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import { TICK_MEMORY_KEY, TICK_STATE_TABLE } from '../../src/app/tick/state.js';
import type { MetricQuery } from '../../src/ports/metrics-source.js';
import type { Preparer } from '../../src/ports/preparer.js';
import type { Logger } from '../../src/ports/logger.js';
import { task, workflow } from '../builders/tasks.js';
import { simCloud, T0 } from './sim-cloud-setup.js';

const acceptAll: Preparer = { prepare: async (c) => ({ commandId: c.id, status: 'accepted' }) };

/** Deterministic demand: a daily-ish wave, a burst every 40 min and a gap (NaN) every 17th minute. */
const demand = (t: number): number => (Math.floor(t / 60) % 17 === 0 ? NaN : 800 + 500 * Math.sin(t / 1800) + (Math.floor(t / 2400) % 2 === 0 ? 300 : 0) + ((t * 7919) % 97));

const prepared = (id: string) => ({ prepare: `module:./tasks/${id}.js#prepare`, setupShare: 0.5, preparedStateGiB: 0.5 });
const wf = workflow('etl', [task('extract'), task('transform', ['extract'], { vcpu: 2, ...prepared('transform') }), task('load', ['transform'], prepared('load')), task('report', ['transform'], prepared('report'))]);
const cachePool = CachePoolSchema.parse({
  kind: 'elasticache', id: 'state-cache', nodeType: 'cache.t4g.medium', shards: 1, replicasPerShard: 0, minReplicasPerShard: 0, addLeadTimeSec: 600, removeLeadTimeSec: 300,
});

/** A chain every 3 minutes; its steps run one after the other, 60-90 s each. */
function executions(untilSec: number): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  for (let s = T0 - 7200, i = 0; s < untilSec; s += 180, i++) {
    const ev = (taskId: string, kind: ExecutionEvent['kind'], atSec: number, instanceId?: string): ExecutionEvent => ({
      chainId: `c${i}`, workflow: 'etl', variant: 'default', taskId, taskType: taskId, kind, atSec, ...(instanceId ? { instanceId } : {}),
    });
    for (const id of ['extract', 'transform', 'load', 'report']) out.push(ev(id, 'submitted', s));
    let t = s;
    const steps = i % 3 === 0 ? ['extract', 'transform', 'load'] : ['extract', 'transform', 'load', 'report'];
    for (const id of steps) {
      out.push(ev(id, 'started', t, `i-${i % 5}`));
      t += 60 + ((i * 13) % 31);
      out.push(ev(id, 'finished', t));
    }
    if (i % 3 === 0) out.push(ev('report', 'finished', t));
  }
  return out.sort((a, b) => a.atSec - b.atSec);
}

const EVENTS = executions(T0 + 4 * 3600);

function setup(store: SqliteStateStore) {
  const { cloud, clock, advanceTo, pool } = simCloud({ caches: [{ pool: cachePool, priceUsdPerNodeHour: 0.065, nodeMemoryGiB: 3.09 }] });
  const config = ControllerConfigSchema.parse({
    mode: 'active', pools: [pool, cachePool], workflows: [wf],
    demandSignals: [{ seriesId: 'rps', poolId: pool.id, metricPerUnit: 100 }],
    prefetch: { enabled: true, probabilityThreshold: 0.3, topN: 2, ttlSec: 600, latencyValueUsdPerHour: 100 },
  });
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info(m) { warnings.push(m); }, warn(m) { warnings.push(m); }, error(m) { warnings.push(m); } };
  const deps = (): TickDeps => ({
    clock, cloud, preparer: acceptAll, config, store, logger,
    metrics: { fetch: async (q: MetricQuery): Promise<MetricSeries[]> => q.seriesIds.map((id) => {
      const n = Math.floor((q.endSec - q.startSec) / q.periodSec);
      return { id, startSec: q.startSec, periodSec: q.periodSec, values: Array.from({ length: n }, (_, k) => demand(q.startSec + k * q.periodSec)) };
    }) },
    events: { drainCloudEvents: async () => [], executionEvents: async (a, b) => EVENTS.filter((e) => e.atSec >= a && e.atSec < b) },
    forecaster: createIncrementalForecaster({ refitEverySteps: Number.MAX_SAFE_INTEGER }),
    // a new process makes a new model (as the Lambda does): the saved one replaces it
    nextStep: new FeedbackModel(createNextStepModel('vom'), { calibrate: true, raise: false, expirySec: 21_600 }),
    planner: createGreedyPlanner({ tickSec: 60 }),
    options: { prefetch: prefetchSelectionFrom(config.prefetch), forecastMode: 'incremental', recalibrate: true },
  });
  return { advanceTo, deps, warnings };
}

const TICKS = 150;
const RESTART_AT = 90;

/** Runs TICKS ticks a minute apart; with `restartAt`, a new tick object on the same store from that tick on. */
async function run(restartAt?: number) {
  const store = new SqliteStateStore(':memory:');
  const s = setup(store);
  let tick = createControllerTick(s.deps());
  const out: string[] = [];
  for (let k = 0; k < TICKS; k++) {
    if (k === restartAt) tick = createControllerTick(s.deps());
    const t = T0 + k * 60;
    s.advanceTo(t);
    const r = await tick.run();
    out.push(JSON.stringify({ t, commands: r.commands, preparations: r.preparations, decisions: r.decisions }));
  }
  const head = await store.get<{ chars: number }>(TICK_STATE_TABLE, TICK_MEMORY_KEY);
  return { out, stats: tick.stats(), warnings: s.warnings, savedChars: head?.value.chars ?? 0 };
}

describe('tick memory across a restart', () => {
  it('resumes the saved memory on the same store and makes the same commands and decisions as an uninterrupted run', async () => {
    const straight = await run();
    const restarted = await run(RESTART_AT);
    expect(restarted.warnings).toEqual([]);
    expect(straight.savedChars).toBeGreaterThan(1000);
    // the run did things worth comparing
    expect(straight.out.filter((l) => l.includes('"kind":"launch"')).length).toBeGreaterThan(0);
    expect(straight.out.filter((l) => l.includes('"preparations":[{"commandId"')).length).toBeGreaterThan(10);
    expect(straight.out.some((l) => l.includes('(bundle of '))).toBe(true); // the learning hooks' bundles are used
    for (let k = 0; k < TICKS; k++) expect(restarted.out[k], `tick ${k}`).toBe(straight.out[k]);
    expect(restarted.stats).toEqual(straight.stats);
  }, 120_000);

  it('without the saved memory (a rebuild from events), the restarted tick differs: the test can fail', async () => {
    const straight = await run();
    const store = new SqliteStateStore(':memory:');
    const s = setup(store);
    let tick = createControllerTick(s.deps());
    const out: string[] = [];
    for (let k = 0; k < TICKS; k++) {
      if (k === RESTART_AT) {
        await store.delete(TICK_STATE_TABLE, TICK_MEMORY_KEY);
        tick = createControllerTick(s.deps());
      }
      const t = T0 + k * 60;
      s.advanceTo(t);
      const r = await tick.run();
      out.push(JSON.stringify({ t, commands: r.commands, preparations: r.preparations, decisions: r.decisions }));
    }
    expect(out).not.toEqual(straight.out);
  }, 120_000);
});
