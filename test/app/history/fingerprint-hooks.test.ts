/**
 * The persisted fingerprint in the tick (issue 22): saved to and loaded from the state store, its
 * rolling window evicting old days across a restart, and the planner's known-step timings reading
 * the measured runtimes instead of the task definitions'.
 */
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { FINGERPRINT_KEY, FINGERPRINT_TABLE, FingerprintHooks, loadFingerprintBook } from '../../../src/app/history/fingerprint-hooks.js';
import { FingerprintConfigSchema } from '../../../src/core/model/learning-config.js';
import { WorkflowSchema, type ExecutionEvent } from '../../../src/core/model/index.js';
import { createNextStepModel } from '../../../src/core/predict/index.js';
import { ChainBook, TaskCatalog } from '../../../src/core/tick/chain-book.js';
import { PredictionScorer, predictSteps } from '../../../src/core/tick/predict.js';

const DAY = 86_400;
const task = (id: string, deps: string[], p50Sec: number) => ({
  task_id: id, task_type: id, executable_code_location: `command:${id}`, dependencies: deps,
  resource_requirements: { vcpu: 2, memoryGiB: 4 }, runtime: { meanSec: p50Sec, p50Sec, p95Sec: 2 * p50Sec },
});
// the definitions say prep takes 60 s; it really takes 300 s
const wf = WorkflowSchema.parse({ name: 'etl', variants: [{ name: 'default', defaultPool: 'batch', tasks: [task('prep', [], 60), task('load', ['prep'], 30)] }] });

/** `n` finished chains prep (300 s) → load (30 s), one an hour from `t0`. */
function runs(t0: number, n: number, prefix: string): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * 3600;
    const b = { chainId: `${prefix}${i}`, workflow: 'etl', variant: 'default' };
    out.push({ ...b, taskId: 'prep', taskType: 'prep', kind: 'started', atSec: t }, { ...b, taskId: 'prep', taskType: 'prep', kind: 'finished', atSec: t + 300, runtimeSec: 300, outputBytes: 1e6 });
    out.push({ ...b, taskId: 'load', taskType: 'load', kind: 'started', atSec: t + 301 }, { ...b, taskId: 'load', taskType: 'load', kind: 'finished', atSec: t + 331, runtimeSec: 30 });
  }
  return out.sort((a, b) => a.atSec - b.atSec);
}

describe('FingerprintHooks', () => {
  it('saves the book in the state store and a new process loads the same fingerprint', async () => {
    const store = new SqliteStateStore(':memory:');
    try {
      const cfg = FingerprintConfigSchema.parse({ windowDays: 30, minRuns: 5 });
      const a = new FingerprintHooks(cfg, store);
      await a.load();
      a.observe(runs(DAY, 10, 'c'), 2 * DAY);
      await a.save();
      expect((await store.get(FINGERPRINT_TABLE, FINGERPRINT_KEY))?.value).toBeDefined();
      const b = new FingerprintHooks(cfg, store);
      await b.load();
      expect(b.current.fingerprint('etl', 2 * DAY)).toEqual(a.current.fingerprint('etl', 2 * DAY));
      expect(b.current.fingerprint('etl', 2 * DAY).chains).toBe(10);
      expect(Math.abs(b.runtimeOf()!('etl', 'prep')!.p50Sec / 300 - 1)).toBeLessThan(0.05);
      // the restarted tick re-reads its history window: nothing is counted twice
      b.observe(runs(DAY, 10, 'c'), 2 * DAY + 60);
      expect(b.current.fingerprint('etl', 2 * DAY + 60).chains).toBe(10);
      // another window: the saved book is not reused
      expect((await loadFingerprintBook(store, { windowDays: 7 }))!.workflows()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('evicts the days that left the window after a reload', async () => {
    const store = new SqliteStateStore(':memory:');
    try {
      const cfg = FingerprintConfigSchema.parse({ windowDays: 7, minRuns: 1 });
      const a = new FingerprintHooks(cfg, store);
      a.observe(runs(0, 6, 'old'), DAY);
      await a.save();
      const b = new FingerprintHooks(cfg, store);
      await b.load();
      expect(b.current.runtime('etl', 'prep')?.runs).toBe(6);
      b.observe(runs(8 * DAY, 2, 'new'), 8.5 * DAY);
      expect(b.current.runtime('etl', 'prep')?.runs).toBe(2);
      await b.save();
      const c = new FingerprintHooks(cfg, store);
      await c.load();
      expect(c.current.state().buckets.map((x) => x.startSec)).toEqual([8 * DAY]);
    } finally {
      await store.close();
    }
  });

  it('gives the planner measured runtimes once a task type has minRuns, and none when runtimes are off', () => {
    const h = new FingerprintHooks(FingerprintConfigSchema.parse({ minRuns: 20 }));
    h.observe(runs(0, 19, 'c'), DAY);
    expect(h.runtimeOf()!('etl', 'prep')).toBeUndefined();
    h.observe(runs(DAY, 1, 'd'), 2 * DAY);
    expect(h.runtimeOf()!('etl', 'prep')).toEqual(h.current.runtime('etl', 'prep', 20));
    expect(h.current.runtime('etl', 'prep', 20)!.runs).toBe(20);
    expect(new FingerprintHooks(FingerprintConfigSchema.parse({ runtimes: false })).runtimeOf()).toBeUndefined();
  });

  it('the known-step timings (schedule, queue drain) read the fingerprint\'s runtimes instead of the definitions\'', () => {
    const h = new FingerprintHooks(FingerprintConfigSchema.parse({ minRuns: 5 }));
    h.observe(runs(0, 10, 'c'), 2 * DAY);
    const book = new ChainBook(new TaskCatalog([wf]));
    const now = 2 * DAY;
    const b = { chainId: 'live', workflow: 'etl', variant: 'default' };
    book.ingest([{ ...b, taskId: 'prep', taskType: 'prep', kind: 'submitted', atSec: now }, { ...b, taskId: 'load', taskType: 'load', kind: 'submitted', atSec: now }, { ...b, taskId: 'prep', taskType: 'prep', kind: 'started', atSec: now }]);
    const c = book.chains.get('live')!;
    // the definition: prep ends at +60 s; the fingerprint: near +300 s (histogram bin middle, ±5 %)
    expect(book.schedule(c, now).get('prep')!.releaseSec).toBe(now + 60);
    const measured = book.schedule(c, now, true, h.runtimeOf()).get('prep')!.releaseSec - now;
    expect(measured).toBeGreaterThan(285);
    expect(measured).toBeLessThan(315);
    // the queue drain on 2 ready vCPU: prep holds its 2 vCPU for 5 one-minute slots, not 1
    const drained = (runtimeOf?: ReturnType<FingerprintHooks['runtimeOf']>) =>
      predictSteps(book, createNextStepModel('markov1'), new PredictionScorer(), now, 60, 8, 3, new Map([['batch', 2]]), runtimeOf ? { runtimeOf } : {}).committedByPool.get('batch')!;
    expect(drained().filter((u) => u > 0).length).toBeLessThan(drained(h.runtimeOf()).filter((u) => u > 0).length);
    expect(drained(h.runtimeOf()).slice(0, 5)).toEqual([2, 2, 2, 2, 2]);
  });
});
