/**
 * The Preparer of `prescale serve` (src/app/prefetch/local-preparer.ts) against a scripted engine, a
 * real prefetch manager (a recording prepare runner, an in-memory cache) and the manual clock: it
 * resolves a step's input from the engine execution, holds a step whose dependencies still run until
 * they finish, refuses what it must not prepare, and drops preparations of executions that end.
 */
import { describe, expect, it } from 'vitest';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import { LocalPreparer, type TrackedExecution } from '../../../src/app/prefetch/local-preparer.js';
import { PrefetchManager } from '../../../src/app/prefetch/prefetch-manager.js';
import { stepInput } from '../../../src/core/engine/index.js';
import type { PreExecuteCommand, TaskDefinition } from '../../../src/core/model/index.js';
import type { EngineExecution, EngineHistoryEvent } from '../../../src/ports/workflow-engine.js';
import { compiledWorkflow } from '../../builders/compiled-workflow.js';
import { task } from '../../builders/tasks.js';
import { ManualClock } from '../../fakes/manual-clock.js';

const a = task('a', []);
const b = task('b', [], {});
const c = task('c', ['a', 'b'], { prepare: 'module:./tasks/c.js#prepare', setupShare: 0.5 });
const root = task('r', [], { prepare: 'module:./tasks/r.js#prepare', setupShare: 0.5 });
const crit = task('x', ['a'], { prepare: 'module:./tasks/x.js#prepare', critical: true });
const { wf, dag, machine, start, exit } = compiledWorkflow([a, b, c, root, crit]);
const tracked: TrackedExecution = { executionName: 'exec-1', executionRef: 'ref-1', chainId: 'chain-1', principalId: 'alice', workflow: 'wf', variant: wf.variants[0].name, machine, steps: dag.steps, atSec: 0 };
const cmd = (taskId: string, extra: Partial<PreExecuteCommand> = {}): PreExecuteCommand => ({ kind: 'pre-execute', id: `pre-${taskId}`, poolId: 'batch', reason: 'test', chainId: 'exec-1', taskId, probability: 0.9, ...extra });

function setup() {
  const clock = new ManualClock();
  const history: EngineHistoryEvent[] = [];
  let status: EngineExecution['status'] = 'RUNNING';
  const engine = {
    describe: async (ref: string): Promise<EngineExecution> => ({ executionRef: ref, name: 'exec-1', machineRef: 'm', status, startedAtSec: 0, input: start }),
    history: async () => [...history],
  };
  const prepared: string[] = [];
  const runner = { prepare: async (t: TaskDefinition, input: unknown) => { prepared.push(`${t.task_id}:${JSON.stringify(input)}`); return Buffer.from('state'); } };
  const manager = new PrefetchManager({ runner, cache: new LruStateCache({ maxBytes: 1 << 20 }), clock, ownerOf: (name) => (name === 'exec-1' ? 'alice' : undefined) }, { maxConcurrent: 2 });
  const preparer = new LocalPreparer({ manager, engine, clock, armOf: () => 'eager' }, { pollMs: 100 });
  preparer.attached(tracked);
  return { clock, history, prepared, manager, preparer, end: () => { status = 'SUCCEEDED'; } };
}

describe('LocalPreparer (the Preparer port under prescale serve)', () => {
  it('prepares a root step at once on the execution input, attributed to the principal\'s arm', async () => {
    const { preparer, prepared, manager } = setup();
    expect(await preparer.prepare(cmd('r'))).toEqual({ commandId: 'pre-r', status: 'accepted' });
    await manager.idle();
    expect(prepared).toEqual(['r:{"text":"hi"}']);
    expect(manager.metricsByArm().eager).toMatchObject({ prepared: 1 });
    expect(manager.metricsOf('alice')).toMatchObject({ prepared: 1 });
    expect(await preparer.prepare(cmd('r'))).toMatchObject({ status: 'duplicate' });
  });

  it('holds a step while its dependencies run and prepares it on the merged parents\' outputs once they finished', async () => {
    const { preparer, prepared, history, clock, manager } = setup();
    expect(await preparer.prepare(cmd('c'))).toMatchObject({ status: 'accepted' });
    expect(preparer.heldCount).toBe(1);
    history.push(exit('a', { n: 1 }));
    await clock.advanceMs(300);
    expect(prepared).toEqual([]);
    history.push(exit('b', { m: 2 }));
    await clock.advanceMs(300);
    await manager.idle();
    expect(prepared).toEqual([`c:${JSON.stringify(stepInput({ parents: { a: { n: 1 }, b: { m: 2 } } }, ['a', 'b']))}`]);
    expect(preparer.heldCount).toBe(0);
    expect(preparer.stats).toMatchObject({ accepted: 1, submittedLater: 1 });
  });

  it('rejects critical steps, steps without a prepare phase, unknown executions and steps that already ran', async () => {
    const { preparer, history, prepared } = setup();
    expect(await preparer.prepare(cmd('x'))).toMatchObject({ status: 'rejected', reason: expect.stringContaining('critical') });
    expect(await preparer.prepare(cmd('a'))).toMatchObject({ status: 'rejected', reason: expect.stringContaining('no prepare phase') });
    expect(await preparer.prepare(cmd('c', { chainId: 'someone-else' }))).toMatchObject({ status: 'rejected' });
    history.push(exit('r', {}));
    expect(await preparer.prepare(cmd('r'))).toMatchObject({ status: 'rejected', reason: expect.stringContaining('already ran') });
    expect(prepared).toEqual([]);
  });

  it('never prepares a step that already started (its trigger came first)', async () => {
    const { preparer, manager, prepared } = setup();
    await manager.trigger('exec-1', root, { text: 'hi' });
    expect(await preparer.prepare(cmd('r'))).toMatchObject({ status: 'rejected', reason: expect.stringContaining('already started') });
    expect(prepared).toEqual([]);
  });

  it('drops held preparations when the execution ends, and refuses new ones', async () => {
    const { preparer, clock, history, prepared, end } = setup();
    await preparer.prepare(cmd('c'));
    preparer.ended('exec-1', 'execution succeeded');
    end();
    history.push(exit('a', {}), exit('b', {}));
    await clock.advanceMs(500);
    expect(prepared).toEqual([]);
    expect(preparer.heldCount).toBe(0);
    expect(await preparer.prepare(cmd('r', { id: 'pre-r2' }))).toMatchObject({ status: 'rejected' });
    // the ended execution stays known a while (late events still find its principal)
    expect(preparer.execution('exec-1')?.principalId).toBe('alice');
  });
});
