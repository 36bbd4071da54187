/**
 * Semantics of compiled machines on aws-local-stepfunctions with real pool workers on local queues:
 * fan-out, join, data between steps, retry, catch, heartbeat loss, spot interruption, variant switch
 * and checkpoint restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assembleDag } from '../../../src/core/compose/index.js';
import { checkpointFromHistory, compileVariant, executionInput, executionName, sinkOutputs, STEP_ERRORS, type CompiledMachine } from '../../../src/core/engine/index.js';
import type { ExecutionEvent, TaskDefinition, Workflow } from '../../../src/core/model/index.js';
import { LocalWorkflowEngine } from '../../../src/adapters/engine/local-engine.js';
import { MemoryTaskQueue } from '../../../src/adapters/engine/memory-task-queue.js';
import { AjvSchemaChecker } from '../../../src/adapters/schema/ajv-schema-checker.js';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import { PoolWorker, type SpotNotice } from '../../../src/app/worker/pool-worker.js';
import { preparedStateKey } from '../../../src/app/prefetch/state-key.js';
import { wrapPreparedState } from '../../../src/app/prefetch/prepared-state.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { restartName } from '../../../src/core/engine/index.js';
import type { Executor } from '../../../src/ports/executor.js';
import { task, workflow } from '../../builders/tasks.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

const QUEUE_A = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-a';
const QUEUE_B = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-b';
const clock = systemClock;

type StepFn = (input: Record<string, unknown>, ctx: { attempt: number; preparedState?: Buffer; signal?: AbortSignal }) => Promise<unknown> | unknown;

/** An executor running in-test step functions by task id, counting attempts. */
class TableExecutor implements Pick<Executor, 'run'> {
  readonly attempts = new Map<string, number>();
  readonly inputs = new Map<string, unknown>();
  constructor(private readonly fns: Record<string, StepFn>) {}
  async run(t: TaskDefinition, input: unknown, opts: { signal?: AbortSignal; preparedState?: Buffer }): Promise<unknown> {
    const n = (this.attempts.get(t.task_id) ?? 0) + 1;
    this.attempts.set(t.task_id, n);
    this.inputs.set(t.task_id, input);
    const fn = this.fns[t.task_id] ?? ((i) => ({ ...i, [t.task_id]: true }));
    return fn(input as Record<string, unknown>, { attempt: n, preparedState: opts.preparedState, signal: opts.signal });
  }
}

interface Rig {
  engine: LocalWorkflowEngine;
  queues: Record<string, MemoryTaskQueue>;
  events: ExecutionEvent[];
  workers: PoolWorker[];
  startWorker(url: string, executor: Pick<Executor, 'run'>, wf: Workflow, extra?: { spotNotice?: () => Promise<SpotNotice | undefined>; vcpu?: number; cache?: LruStateCache }): PoolWorker;
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) await Promise.all(r.workers.map((w) => w.stop()));
  rigs = [];
});

function rig(): Rig {
  const queues: Record<string, MemoryTaskQueue> = { [QUEUE_A]: new MemoryTaskQueue(), [QUEUE_B]: new MemoryTaskQueue() };
  const engine = new LocalWorkflowEngine({ queue: (u) => queues[u] });
  const events: ExecutionEvent[] = [];
  const r: Rig = {
    engine, queues, events, workers: [],
    startWorker(url, executor, wf, extra = {}) {
      const w = new PoolWorker({
        poolId: url.endsWith('pool-a') ? 'a' : 'b',
        queue: queues[url],
        callbacks: engine,
        executor,
        schemas: new AjvSchemaChecker(),
        tasks: async (m) => wf.variants.find((v) => v.name === m.variant)?.tasks.find((t) => t.task_id === m.taskId),
        events: { append: async (_log, es) => void events.push(...(es as unknown as ExecutionEvent[])) },
        clock,
        logger: silentLogger,
        vcpu: extra.vcpu ?? 4,
        ...(extra.cache ? { cache: extra.cache } : {}),
        ...(extra.spotNotice ? { spotNotice: extra.spotNotice } : {}),
      }, { receiveWaitSec: 1, spotPollSec: 0.05 });
      void w.run();
      r.workers.push(w);
      return w;
    },
  };
  rigs.push(r);
  return r;
}

const pools = { a: { kind: 'sqs' as const, queueUrl: QUEUE_A }, b: { kind: 'sqs' as const, queueUrl: QUEUE_B } };

async function runMachine(r: Rig, m: CompiledMachine, name: string, input: unknown, checkpoint?: Record<string, unknown>) {
  const ref = await r.engine.deploy({ name: m.name, definitionJson: m.definitionJson });
  const doc = executionInput(m, 'chain-1', input, checkpoint);
  const { executionRef } = await r.engine.start(ref, name, doc);
  return { executionRef, doc, result: await r.engine.waitForClose(executionRef) };
}

/** a → (b, c) → d, all on pool a. */
function diamond(overrides: Partial<Record<'a' | 'b' | 'c' | 'd', Parameters<typeof task>[2]>> = {}): Workflow {
  return workflow('diamond', [
    task('a', [], overrides.a),
    task('b', ['a'], overrides.b),
    task('c', ['a'], overrides.c),
    task('d', ['b', 'c'], overrides.d),
  ], [{ name: 'main', defaultPool: 'a' }]);
}

describe('compiled machines on aws-local-stepfunctions with pool workers', () => {
  it('fans out to parallel steps, joins them, and passes each step its parents’ merged outputs', async () => {
    const r = rig();
    const wf = diamond();
    const ex = new TableExecutor({ a: (i) => ({ x: Number(i.x) + 1 }), b: (i) => ({ fromB: Number(i.x) * 10 }), c: (i) => ({ fromC: Number(i.x) * 100 }), d: (i) => ({ sum: Number(i.fromB) + Number(i.fromC) }) });
    r.startWorker(QUEUE_A, ex, wf);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    expect(m.layers).toEqual([['a'], ['b', 'c'], ['d']]);
    const { result } = await runMachine(r, m, executionName('chain-1', 'k1'), { x: 1 });
    expect(result.status).toBe('SUCCEEDED');
    expect(ex.inputs.get('d')).toEqual({ fromB: 20, fromC: 200 });
    expect(sinkOutputs(m, result.output)).toEqual({ d: { sum: 220 } });
    const byStep = (id: string) => r.events.filter((e) => e.taskId === id).map((e) => e.kind);
    for (const id of ['a', 'b', 'c', 'd']) expect(byStep(id)).toEqual(['started', 'finished']);
    const end = r.events.find((e) => e.taskId === 'd' && e.kind === 'finished')!;
    expect(end).toMatchObject({ chainId: 'chain-1', workflow: 'diamond', variant: 'main', poolId: 'a', setupOutcome: 'none', vcpu: 1 });
    expect(end.runtimeSec).toBeGreaterThanOrEqual(0);
  });

  it('retries a failed step by the task’s retry policy and then succeeds', async () => {
    const r = rig();
    const wf = diamond({ b: { retry: { intervalSec: 0, backoffRate: 1, maxAttempts: 2, jitter: 'none' } } });
    const ex = new TableExecutor({ b: (_i, c) => { if (c.attempt === 1) throw new Error('flaky'); return { b: c.attempt }; } });
    r.startWorker(QUEUE_A, ex, wf);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const { result, executionRef } = await runMachine(r, m, 'retry-1', {});
    expect(result.status).toBe('SUCCEEDED');
    expect(ex.attempts.get('b')).toBe(2);
    expect(r.events.filter((e) => e.taskId === 'b').map((e) => e.kind)).toEqual(['started', 'failed', 'started', 'finished']);
    const h = await r.engine.history(executionRef);
    expect(h.filter((e) => e.type === 'TaskFailed' && e.stateName === 'Run b').map((e) => e.error)).toEqual([STEP_ERRORS.taskFailed]);
  });

  it('catches a step that fails on its last attempt and fails the execution naming the step', async () => {
    const r = rig();
    const wf = diamond({ c: { retry: { intervalSec: 0, backoffRate: 1, maxAttempts: 0, jitter: 'none' } } });
    const ex = new TableExecutor({ c: () => { throw new Error('broken'); } });
    r.startWorker(QUEUE_A, ex, wf);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const { result } = await runMachine(r, m, 'catch-1', {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(STEP_ERRORS.stepFailed);
    expect(result.cause).toContain('step c');
    expect(ex.attempts.get('c')).toBe(1);
    expect(ex.attempts.has('d')).toBe(false);
  });

  it('never retries a schema violation', async () => {
    const r = rig();
    const wf = diamond({ b: { output_schema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } } } });
    const ex = new TableExecutor({ b: () => ({ n: 'not a number' }) });
    r.startWorker(QUEUE_A, ex, wf);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const { result } = await runMachine(r, m, 'schema-1', {});
    expect(result.status).toBe('FAILED');
    expect(ex.attempts.get('b')).toBe(1);
  });

  it('retries a step whose worker died (no heartbeat) on another worker', async () => {
    const r = rig();
    const wf = diamond({ b: { timeoutSec: 3 } });
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    expect(m.steps.b.heartbeatSec).toBe(2);
    const ex = new TableExecutor({});
    // a and c are checkpointed, so b is the only message. A "worker" takes it and dies: deletes it and never reports.
    const q = r.queues[QUEUE_A];
    const run = runMachine(r, m, 'hb-1', {}, { a: {}, c: {} });
    const [msg] = await q.receive({ maxMessages: 1, waitSec: 5 });
    expect(JSON.parse(msg.body).taskId).toBe('b');
    await q.delete(msg.receiptHandle);
    r.startWorker(QUEUE_A, ex, wf);
    const { result, executionRef } = await run;
    expect(result.status).toBe('SUCCEEDED');
    const h = await r.engine.history(executionRef);
    expect(h.filter((e) => e.type === 'TaskFailed' && e.stateName === 'Run b').map((e) => e.error)).toEqual([STEP_ERRORS.heartbeatTimeout]);
    expect(ex.attempts.get('b')).toBe(1);
  }, 20_000);

  it('on a spot interruption notice fails the running step as retryable and it completes on another worker', async () => {
    const r = rig();
    const wf = diamond();
    let noticed = false;
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const spotEx = new TableExecutor({ b: async (_i, c) => { noticed = true; await new Promise((res) => c.signal?.addEventListener('abort', res)); release(); return {}; }, c: async (_i, c) => new Promise((res) => c.signal?.addEventListener('abort', () => res({})) ) });
    const w1 = r.startWorker(QUEUE_A, spotEx, wf, { spotNotice: async () => (noticed ? { action: 'terminate', actionAtSec: Date.now() / 1000 + 120 } : undefined) });
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const run = runMachine(r, m, 'spot-1', {});
    await gate;
    const healthy = new TableExecutor({});
    r.startWorker(QUEUE_A, healthy, wf);
    const { result, executionRef } = await run;
    expect(result.status).toBe('SUCCEEDED');
    expect(w1.interruptedBy?.action).toBe('terminate');
    expect(healthy.attempts.get('b')).toBe(1);
    const h = await r.engine.history(executionRef);
    expect(h.some((e) => e.type === 'TaskFailed' && e.stateName === 'Run b' && e.error === STEP_ERRORS.spotInterruption)).toBe(true);
    expect(r.events.some((e) => e.taskId === 'b' && e.kind === 'failed' && e.error?.startsWith(STEP_ERRORS.spotInterruption))).toBe(true);
  }, 20_000);

  it('switches variant at a step boundary and the other variant’s machine skips the finished steps (checkpoint)', async () => {
    const r = rig();
    const tasks = [task('a'), task('b', ['a']), task('c', ['b'])];
    const wf = workflow('sw', tasks, [{ name: 'spot', defaultPool: 'a' }, { name: 'ondemand', defaultPool: 'b' }]);
    const name = executionName('chain-9', 'key-9');
    const ex = new TableExecutor({ a: async () => { await r.engine.setVariantDecision(name, 'ondemand'); return { a: 1 }; } });
    r.startWorker(QUEUE_A, ex, wf);
    r.startWorker(QUEUE_B, ex, wf);
    const spot = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const first = await runMachine(r, spot, name, { x: 0 });
    expect(first.result.status).toBe('FAILED');
    expect(first.result.error).toBe(STEP_ERRORS.variantSwitched);
    const history = await r.engine.history(first.executionRef);
    const exits = history.filter((e) => e.type === 'TaskStateExited').map((e) => ({ stateName: e.stateName!, output: e.output }));
    const checkpoint = checkpointFromHistory(spot, exits, first.doc);
    expect(checkpoint).toEqual({ a: { a: 1 } });
    const onDemand = compileVariant(assembleDag(wf.name, wf.variants[1]), { pools });
    const second = await runMachine(r, onDemand, `${name}-s1`, { x: 0 }, checkpoint);
    expect(second.result.status).toBe('SUCCEEDED');
    expect(ex.attempts.get('a')).toBe(1);
    expect(r.events.filter((e) => e.taskId === 'b').map((e) => e.poolId)).toEqual(['b', 'b']);
  });

  it('a restarted machine with a checkpoint runs only the unfinished steps', async () => {
    const r = rig();
    const wf = diamond();
    const ex = new TableExecutor({ d: (i) => ({ got: i }) });
    r.startWorker(QUEUE_A, ex, wf);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const { result } = await runMachine(r, m, 'restart-1', {}, { a: { a: true }, b: { fromB: 2 } });
    expect(result.status).toBe('SUCCEEDED');
    expect([...ex.attempts.keys()].sort()).toEqual(['c', 'd']);
    expect(ex.inputs.get('d')).toEqual({ fromB: 2, a: true, c: true });
  });

  it('starts an execution once per name: the same name and input returns it, another input is a conflict', async () => {
    const r = rig();
    const wf = diamond();
    r.startWorker(QUEUE_A, new TableExecutor({}), wf);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const ref = await r.engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const name = executionName('chain-1', 'same-key');
    const first = await r.engine.start(ref, name, executionInput(m, 'chain-1', { x: 1 }));
    const again = await r.engine.start(ref, name, executionInput(m, 'chain-1', { x: 1 }));
    expect(again).toEqual({ executionRef: first.executionRef, started: false });
    await expect(r.engine.start(ref, name, executionInput(m, 'chain-1', { x: 2 }))).rejects.toThrow(/already exists with another input/);
    expect((await r.engine.waitForClose(first.executionRef)).status).toBe('SUCCEEDED');
  });

  it('resumes a step from its prepared state in the cache', async () => {
    const r = rig();
    const wf = diamond({ b: { prepare: 'module:./prep.js#prepare' } });
    const cache = new LruStateCache();
    const name = 'prep-1';
    const b = wf.variants[0].tasks.find((t) => t.task_id === 'b')!;
    await cache.set(preparedStateKey(name, b, { a: true }), wrapPreparedState(7, Buffer.from(JSON.stringify({ warmed: true }))), 60);
    let seen: string | undefined;
    const ex = new TableExecutor({ b: (_i, c) => { seen = c.preparedState?.toString('utf8'); return {}; } });
    r.startWorker(QUEUE_A, ex, wf, { cache });
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const { result } = await runMachine(r, m, name, {});
    expect(result.status).toBe('SUCCEEDED');
    expect(seen).toBe('{"warmed":true}');
    expect(r.events.find((e) => e.taskId === 'b' && e.kind === 'finished')).toMatchObject({ setupOutcome: 'resumed', setupSavedSec: 7 });
  });

  it('limits concurrent steps to the instance’s vCPU', async () => {
    const r = rig();
    const wide = workflow('wide', [task('r'), ...['p1', 'p2', 'p3', 'p4'].map((id) => task(id, ['r'], { vcpu: 1 }))], [{ name: 'main', defaultPool: 'a' }]);
    let now = 0;
    let peak = 0;
    const slow = async () => { now++; peak = Math.max(peak, now); await new Promise((res) => setTimeout(res, 150)); now--; return {}; };
    const ex = new TableExecutor({ p1: slow, p2: slow, p3: slow, p4: slow });
    const w = r.startWorker(QUEUE_A, ex, wide, { vcpu: 2 });
    const m = compileVariant(assembleDag(wide.name, wide.variants[0]), { pools });
    const { result } = await runMachine(r, m, 'wide-1', {});
    expect(result.status).toBe('SUCCEEDED');
    expect(peak).toBe(2);
    expect(w.stats.peakVcpu).toBe(2);
  });

  it('after a crash the persisted history gives the checkpoint and a new process runs only the unfinished steps', async () => {
    const store = new SqliteStateStore(':memory:');
    const wf = diamond();
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const name = executionName('chain-crash', 'k');
    // Process 1: a, b, c finish; d hangs; then the process "dies" (its engine and worker are abandoned).
    const q1 = new MemoryTaskQueue();
    const e1 = new LocalWorkflowEngine({ queue: () => q1, store });
    const ex1 = new TableExecutor({ d: () => new Promise(() => undefined) });
    const w1 = new PoolWorker({ poolId: 'a', queue: q1, callbacks: e1, executor: ex1, tasks: async (msg) => wf.variants[0].tasks.find((t) => t.task_id === msg.taskId), events: { append: async () => undefined }, clock, logger: silentLogger, vcpu: 4 }, { receiveWaitSec: 1 });
    void w1.run();
    const ref1 = await e1.deploy({ name: m.name, definitionJson: m.definitionJson });
    const doc = executionInput(m, 'chain-crash', { x: 1 });
    const { executionRef } = await e1.start(ref1, name, doc);
    await new Promise<void>((res) => { const t = setInterval(() => { if (ex1.attempts.has('d')) { clearInterval(t); res(); } }, 20); });
    await e1.flush();
    // Process 2 sees the execution as aborted by the restart, with its finished steps in the history.
    const e2 = new LocalWorkflowEngine({ queue: (u) => (u === QUEUE_A ? q2 : undefined), store });
    const q2 = new MemoryTaskQueue();
    const d = await e2.describe(executionRef);
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Prescale.EngineRestarted' });
    const exits = (await e2.history(executionRef)).filter((e) => e.type === 'TaskStateExited').map((e) => ({ stateName: e.stateName!, output: e.output }));
    const checkpoint = checkpointFromHistory(m, exits, d.input as ReturnType<typeof executionInput>);
    expect(Object.keys(checkpoint).sort()).toEqual(['a', 'b', 'c']);
    const ex2 = new TableExecutor({});
    const w2 = new PoolWorker({ poolId: 'a', queue: q2, callbacks: e2, executor: ex2, tasks: async (msg) => wf.variants[0].tasks.find((t) => t.task_id === msg.taskId), events: { append: async () => undefined }, clock, logger: silentLogger, vcpu: 4 }, { receiveWaitSec: 1 });
    void w2.run();
    const ref2 = await e2.deploy({ name: m.name, definitionJson: m.definitionJson });
    const again = await e2.start(ref2, restartName(name, 1), executionInput(m, 'chain-crash', { x: 1 }, checkpoint));
    expect((await e2.waitForClose(again.executionRef)).status).toBe('SUCCEEDED');
    expect([...ex2.attempts.keys()]).toEqual(['d']);
    await w2.stop();
    await w1.stop();
    await e1.stop(executionRef, 'test', 'cleanup');
    await store.close();
  });
});
