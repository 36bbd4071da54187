/**
 * The worker's prepare handler (src/app/worker/prepare-handler.ts) against a scripted engine and an
 * in-memory state cache: it waits for the predicted step's dependencies, prepares it on exactly the
 * input the machine will give the step (so the step runner's resume finds the state), and drops
 * what it must not or cannot prepare.
 */
import { describe, expect, it } from 'vitest';
import { LruStateCache } from '../../src/adapters/cache/lru-state-cache.js';
import { catalogVariants, PrepareHandler } from '../../src/app/worker/prepare-handler.js';
import { resumePreparedState } from '../../src/app/prefetch/prepared-state.js';
import { executionInput, stepInput } from '../../src/core/engine/index.js';
import { preparedStepInput, type PrepareMessage } from '../../src/core/engine/prepare-message.js';
import type { TaskDefinition } from '../../src/core/model/index.js';
import type { EngineExecution, EngineHistoryEvent } from '../../src/ports/workflow-engine.js';
import { silentLogger } from '../../src/ports/logger.js';
import { compiledWorkflow } from '../builders/compiled-workflow.js';
import { task } from '../builders/tasks.js';
import { ManualClock } from '../fakes/manual-clock.js';

const obj = (props: Record<string, string>, required = Object.keys(props)): Record<string, unknown> => ({ type: 'object', required, properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])) });
// a → c, b → c; c merges its parents (its input schema declares no properties); d projects `n` from a
const a = task('a', [], { output_schema: obj({ n: 'integer', s: 'string' }) });
const b = task('b', [], { output_schema: obj({ m: 'integer' }) });
const c = task('c', ['a', 'b'], { prepare: 'module:./tasks/c.js#prepare', setupShare: 0.5 });
const d = task('d', ['a'], { prepare: 'module:./tasks/d.js#prepare', setupShare: 0.5, input_schema: obj({ n: 'integer' }) });
const crit = task('x', ['a'], { prepare: 'module:./tasks/x.js#prepare', critical: true });
const { wf, dag, machine, start, exit } = compiledWorkflow([a, b, c, d, crit]);

describe('preparedStepInput', () => {
  it('builds the input the machine gives the step: merged parents, a projection, or the execution input for a root', () => {
    const exits = [exit('a', { n: 3, s: 'x' }), exit('b', { m: 4 })].map((e) => ({ stateName: e.stateName!, output: e.output }));
    expect(preparedStepInput(machine, dag.steps, 'c', start, exits)).toEqual({ ready: true, input: stepInput({ parents: { a: { n: 3, s: 'x' }, b: { m: 4 } } }, ['a', 'b']) });
    expect(preparedStepInput(machine, dag.steps, 'd', start, exits)).toEqual({ ready: true, input: { n: 3 } });
    expect(preparedStepInput(machine, dag.steps, 'a', start, [])).toEqual({ ready: true, input: { text: 'hi' } });
    expect(preparedStepInput(machine, dag.steps, 'c', start, exits.slice(0, 1))).toEqual({ ready: false, missing: ['b'] });
  });

  it('takes the outputs of steps a restarted execution skipped from its checkpoint', () => {
    const restarted = executionInput(machine, 'chain-1', { text: 'hi' }, { a: { n: 1, s: 'y' }, b: { m: 2 } });
    expect(preparedStepInput(machine, dag.steps, 'c', restarted, [])).toMatchObject({ ready: true, input: { n: 1, s: 'y', m: 2 } });
  });
});

/** An engine whose history grows as the test appends to `history`. */
function scriptedEngine(history: EngineHistoryEvent[], status: EngineExecution['status'] = 'RUNNING') {
  return {
    describe: async (ref: string): Promise<EngineExecution> => ({ executionRef: ref, name: 'exec-1', machineRef: 'm', status, startedAtSec: 0, input: start }),
    history: async () => [...history],
  };
}

const NOW = 1_000_000;
const msg = (taskId: string, extra: Partial<PrepareMessage> = {}): PrepareMessage => ({
  v: 1, kind: 'prepare', commandId: `cmd-${taskId}`, workflow: 'wf', variant: 'default', taskId, poolId: 'batch', chainId: 'chain-1', executionName: 'exec-1',
  executionRef: 'arn:aws:states:us-east-1:123456789012:execution:m:exec-1', ttlSec: 600, expiresAtSec: NOW + 600, ...extra,
});

function handler(history: EngineHistoryEvent[], opts: { status?: EngineExecution['status']; prepared?: TaskDefinition[] } = {}) {
  const cache = new LruStateCache({ maxBytes: 1 << 20 });
  const prepared: string[] = [];
  const executor = { prepare: async (t: TaskDefinition, input: unknown) => { prepared.push(`${t.task_id}:${JSON.stringify(input)}`); return Buffer.from(JSON.stringify({ ready: t.task_id })); } };
  // the handler polls the engine's history every 10 ms of this clock's time
  const clock = new ManualClock(NOW);
  const h = new PrepareHandler({ executor, cache, engine: scriptedEngine(history, opts.status), variants: catalogVariants([wf]), clock, logger: silentLogger }, { pollSec: 0.01 });
  return { h, cache, prepared, clock };
}

describe('PrepareHandler', () => {
  it('waits for the dependencies, prepares on the step\'s real input, and the step runner resumes from the state', async () => {
    const history: EngineHistoryEvent[] = [exit('a', { n: 3, s: 'x' })];
    const { h, cache, prepared, clock } = handler(history);
    let outcome: string | undefined;
    const done = h.handle(JSON.stringify(msg('c')), new AbortController().signal).then((o) => (outcome = o));
    await clock.advanceMs(50); // five polls: b has not exited yet
    expect(prepared).toEqual([]);
    expect(outcome).toBeUndefined();
    history.push(exit('b', { m: 4 }));
    await clock.advanceUntil(() => outcome !== undefined, 10, 10);
    await expect(done).resolves.toBe('prepared');
    // what the worker computes when c really runs (the machine's message carries the parents)
    const live = stepInput({ parents: { a: { n: 3, s: 'x' }, b: { m: 4 } } }, ['a', 'b']);
    const r = await resumePreparedState(cache, 'exec-1', c, live);
    expect(r.outcome).toBe('resumed');
    expect(JSON.parse(r.preparedState!.toString())).toEqual({ ready: 'c' });
    await expect(h.handle(msg('c'), new AbortController().signal)).resolves.toBe('prepared');
  });

  it('does not prepare twice while the state is cached', async () => {
    const { h, prepared } = handler([exit('a', { n: 3, s: 'x' })]);
    await expect(h.handle(msg('d'), new AbortController().signal)).resolves.toBe('prepared');
    await expect(h.handle(msg('d', { commandId: 'again' }), new AbortController().signal)).resolves.toBe('duplicate');
    expect(prepared).toEqual(['d:{"n":3}']);
  });

  it('drops critical steps, unknown steps, malformed and expired messages, ended executions and steps that already finished', async () => {
    const signal = new AbortController().signal;
    const a1 = exit('a', { n: 3, s: 'x' });
    expect(await handler([a1]).h.handle(msg('x'), signal)).toBe('rejected');
    expect(await handler([a1]).h.handle(msg('nope'), signal)).toBe('rejected');
    expect(await handler([a1]).h.handle({ ...msg('d'), extra: 1 }, signal)).toBe('rejected');
    expect(await handler([a1]).h.handle('{not json', signal)).toBe('rejected');
    expect(await handler([a1]).h.handle(msg('d', { expiresAtSec: NOW - 1 }), signal)).toBe('expired');
    expect(await handler([a1], { status: 'SUCCEEDED' }).h.handle(msg('d'), signal)).toBe('execution-ended');
    expect(await handler([a1, { type: 'TaskStateEntered', atSec: 2, stateName: machine.steps.d.taskState }, { type: 'TaskStateExited', atSec: 3, stateName: machine.steps.d.taskState }]).h.handle(msg('d'), signal)).toBe('too-late');
  });

  it('still prepares a step whose state entered (its run message waits in the queue) but has not exited', async () => {
    const signal = new AbortController().signal;
    const r = handler([exit('a', { n: 3, s: 'x' }), { type: 'TaskStateEntered', atSec: 2, stateName: machine.steps.d.taskState }]);
    expect(await r.h.handle(msg('d'), signal)).toBe('prepared');
  });

  it('gives up waiting at the deadline it is given (a Lambda invocation\'s remaining time)', async () => {
    const { h } = handler([]);
    await expect(h.handle(msg('c'), new AbortController().signal, NOW)).resolves.toBe('not-ready');
  });
});
