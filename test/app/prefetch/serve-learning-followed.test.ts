/**
 * Serve's learning loop follows chains outside the catalog (issue 22): executions of chains submitted
 * from registered tasks (`workflow: "submitted"`) are observed, predicted and prepared like catalog
 * ones, learned under their own principal's key, so one principal's submitted chains never drive the
 * preparations of another's (src/app/prefetch/followed-catalog.ts).
 */
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import type { DagStep } from '../../../src/core/compose/types.js';
import { PrefetchConfigSchema } from '../../../src/core/model/config.js';
import type { ExecutionEvent, PreExecuteCommand, TaskDefinition } from '../../../src/core/model/index.js';
import { createNextStepModel, FeedbackModel } from '../../../src/core/predict/index.js';
import type { TrackedExecution } from '../../../src/app/prefetch/local-preparer.js';
import { ServeLearningLoop } from '../../../src/app/prefetch/serve-learning.js';
import { task, workflow } from '../../builders/tasks.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { FingerprintHooks, readSavedFingerprintBook } from '../../../src/app/history/fingerprint-hooks.js';

const T0 = 1_800_000_000;
const def = (id: string, deps: string[]): TaskDefinition => task(id, deps, { prepare: 'module:./prep.mjs#prepare', setupShare: 0.5, runtime: { meanSec: 60, p50Sec: 60, p95Sec: 90, samplesSec: [] } });
const DAG: DagStep[] = [
  { taskId: 'a', task: def('a', []), poolId: 'od', dependencies: [], dependants: ['b'] },
  { taskId: 'b', task: def('b', ['a']), poolId: 'od', dependencies: ['a'], dependants: [] },
];

function tracked(name: string, principalId: string, atSec: number, wf = 'submitted'): TrackedExecution {
  return { executionName: name, executionRef: `ref-${name}`, chainId: `chain-${name}`, principalId, workflow: wf, variant: 'default', machine: { steps: { a: { taskState: 'a' }, b: { taskState: 'b' } } } as unknown as TrackedExecution['machine'], steps: DAG, atSec };
}
const ev = (x: TrackedExecution, taskId: string, kind: ExecutionEvent['kind'], atSec: number): ExecutionEvent => ({ chainId: x.chainId, workflow: x.workflow, variant: x.variant, taskId, taskType: taskId, kind, atSec, executionName: x.executionName });

async function loopOver(execs: TrackedExecution[], events: ExecutionEvent[], catalog = [workflow('pipe', [def('a', []), def('b', ['a'])], [{ name: 'main', defaultPool: 'od' }])], withFingerprint = false) {
  const store = new SqliteStateStore(':memory:');
  await store.append('execution-events', events);
  const prepared: PreExecuteCommand[] = [];
  const byName = new Map(execs.map((x) => [x.executionName, x]));
  const loop = new ServeLearningLoop({
    store, clock: new ManualClock(T0),
    preparer: { executions: () => [...byName.values()], execution: (n) => byName.get(n), prepare: async (c) => { prepared.push(c); return { commandId: c.id, status: 'accepted' }; } },
    manager: { metricsByArm: () => ({}), metricsOf: () => undefined, expire: () => 0 },
    nextStep: new FeedbackModel(createNextStepModel('vom')),
    workflows: catalog,
    prefetch: PrefetchConfigSchema.parse({ enabled: true, probabilityThreshold: 0.3, topN: 2, maxConcurrent: 8, ttlSec: 900, latencyValueUsdPerHour: 10 }),
    ...(withFingerprint ? { fingerprints: new FingerprintHooks(undefined, store) } : {}),
  });
  const round = await loop.round();
  await loop.stop();
  const book = withFingerprint ? await readSavedFingerprintBook(store) : undefined;
  await store.close();
  return { round, prepared, loop, byName, book };
}

describe('serve learning loop: chains outside the catalog', () => {
  const history = (x: TrackedExecution, t: number): ExecutionEvent[] => [ev(x, 'a', 'started', t), ev(x, 'a', 'finished', t + 60), ev(x, 'b', 'started', t + 61), ev(x, 'b', 'finished', t + 120)];

  it("prepares the predicted next step of a principal's submitted chain, learned from that principal's earlier submitted chains", async () => {
    const done = [0, 1, 2].map((i) => tracked(`x${i}`, 'alice', T0 - 3000 + i * 300));
    const running = tracked('x9', 'alice', T0 - 100);
    const { round, prepared } = await loopOver([...done, running], [...done.flatMap((x) => history(x, x.atSec)), ev(running, 'a', 'started', T0 - 100)]);
    expect(round.events).toBeGreaterThan(0);
    const mine = prepared.filter((c) => c.chainId === 'x9');
    expect(mine.map((c) => c.taskId)).toEqual(['b']);
    expect(mine[0].probability).toBeGreaterThan(0.3);
  });

  it("never prepares another principal's submitted chain from alice's history (each principal is learned apart)", async () => {
    const done = [0, 1, 2].map((i) => tracked(`x${i}`, 'alice', T0 - 3000 + i * 300));
    const bobs = tracked('y1', 'bob', T0 - 100);
    const alices = tracked('x9', 'alice', T0 - 100);
    const { prepared } = await loopOver([...done, bobs, alices], [...done.flatMap((x) => history(x, x.atSec)), ev(bobs, 'a', 'started', T0 - 100), ev(alices, 'a', 'started', T0 - 100)]);
    expect(prepared.map((c) => c.chainId)).toEqual(['x9']);
  });

  it('still follows catalog workflows under their own name, shared by principals', async () => {
    const done = [0, 1, 2].map((i) => tracked(`p${i}`, 'alice', T0 - 3000 + i * 300, 'pipe'));
    const bobs = tracked('q1', 'bob', T0 - 100, 'pipe');
    const { prepared } = await loopOver([...done, bobs], [...done.flatMap((x) => history(x, x.atSec)), ev(bobs, 'a', 'started', T0 - 100)]);
    expect(prepared.map((c) => [c.chainId, c.taskId])).toEqual([['q1', 'b']]);
  });

  it("saves serve's fingerprint of the observed catalog executions in its state store", async () => {
    const done = [0, 1, 2].map((i) => tracked(`p${i}`, 'alice', T0 - 3000 + i * 300, 'pipe'));
    const { book } = await loopOver(done, done.flatMap((x) => history(x, x.atSec)), undefined, true);
    expect(book).toBeDefined();
    expect(book!.successors('pipe', 'a').find((x) => x.taskType === 'b')?.probability).toBeGreaterThan(0.5);
  });
});
