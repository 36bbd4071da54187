/**
 * A burst-routed step on aws-local-stepfunctions (issue 19, item 5): the machine compiled with a burst
 * tier reads its classes' routes (published by the tick through the StepRouter port; the local engine
 * answers the route getItem as the stack's decision table does), sends the step of a class routed to
 * `burst` to the burst worker (src/app/worker/burst-step.ts, through the local engine's Lambda
 * override) and every other step to its pool's queue, where a pool worker takes it. The burst worker
 * runs the registered task (the same executor as the pool worker) and does not run a finished step twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleDag } from '../../../src/core/compose/index.js';
import { checkpointFromHistory, compileVariant, executionInput, sinkOutputs } from '../../../src/core/engine/index.js';
import type { StepClassRoute, TaskDefinition } from '../../../src/core/model/index.js';
import { LocalWorkflowEngine } from '../../../src/adapters/engine/local-engine.js';
import { MemoryTaskQueue } from '../../../src/adapters/engine/memory-task-queue.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { PoolWorker } from '../../../src/app/worker/pool-worker.js';
import { runBurstStep, type BurstStepDeps } from '../../../src/app/worker/burst-step.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';
import { task, workflow } from '../../builders/tasks.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-batch';
const BURST = (mib: number) => `prescale-burst-${mib}`;
const short = { meanSec: 1, p50Sec: 1, p95Sec: 2, samplesSec: [] };
const wf = workflow('fan', [
  task('split', [], { task_type: 'split', runtime: short }),
  task('project', ['split'], { task_type: 'mProject', runtime: short }),
  task('diff', ['split'], { task_type: 'mDiff', runtime: short }),
  task('add', ['project', 'diff'], { task_type: 'mAdd', runtime: short }),
]);
const machine = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { batch: { kind: 'sqs', queueUrl: QUEUE } }, burst: { functionArnOf: BURST } });

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function rig() {
  const queue = new MemoryTaskQueue();
  const ran: Array<{ taskId: string; where: 'queue' | 'burst' }> = [];
  const executorFor = (where: 'queue' | 'burst') => ({
    run: async (t: TaskDefinition, input: unknown) => {
      ran.push({ taskId: t.task_id, where });
      return { [t.task_id]: Object.keys((input ?? {}) as object).length };
    },
  });
  const tasks = async (m: { taskId: string }) => wf.variants[0].tasks.find((t) => t.task_id === m.taskId);
  const dir = mkdtempSync(join(tmpdir(), 'burst-'));
  const store = new SqliteStateStore(join(dir, 'state.db'));
  cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); }, () => store.close());
  const burstDeps: BurstStepDeps = { executor: executorFor('burst'), tasks, clock: systemClock, logger: silentLogger, results: store, events: store };
  const invoked: unknown[] = [];
  const engine = new LocalWorkflowEngine({
    queue: (u) => (u === QUEUE ? queue : undefined),
    lambdas: { [BURST(2048)]: async (payload) => { invoked.push(payload); return runBurstStep(burstDeps, payload, 60_000); } },
  });
  const w = new PoolWorker({ poolId: 'batch', queue, callbacks: engine, clock: systemClock, logger: silentLogger, vcpu: 8, events: { append: async () => undefined }, tasks, executor: executorFor('queue') }, { receiveWaitSec: 1 });
  void w.run();
  cleanups.push(() => w.stop());
  return { engine, ran, invoked, burstDeps };
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const route = (taskType: string, r: StepClassRoute['route'], validUntilSec: number): StepClassRoute => ({
  poolId: 'batch', taskType, route: r, memoryMiB: 2048, validFromSec: nowSec() - 60, validUntilSec, expectedEc2WaitSec: 90, lambdaUsd: 1e-5, ec2Usd: 1e-3, reason: 'test',
});

describe('burst routes on aws-local-stepfunctions', () => {
  it('runs the step of a class routed to burst on the burst worker and the other steps on the pool queue', async () => {
    const r = rig();
    await r.engine.publish([route('mProject', 'burst', nowSec() + 120), route('mDiff', 'headroom', nowSec() + 120), route('split', 'ec2', nowSec() + 120)]);
    const ref = await r.engine.deploy({ name: machine.name, definitionJson: machine.definitionJson });
    const { executionRef } = await r.engine.start(ref, 'fan-1', executionInput(machine, 'chain-1', { x: 1 }));
    const done = await r.engine.waitForClose(executionRef);
    expect(done.status, `${done.error}: ${done.cause}`).toBe('SUCCEEDED');
    expect(r.ran.sort((a, b) => a.taskId.localeCompare(b.taskId))).toEqual([
      { taskId: 'add', where: 'queue' }, { taskId: 'diff', where: 'queue' }, { taskId: 'project', where: 'burst' }, { taskId: 'split', where: 'queue' },
    ]);
    expect(sinkOutputs(machine, done.output)).toEqual({ add: { add: 2 } });
    // the burst task's exit gives the step's checkpoint as the queue task's does
    const exits = (await r.engine.history(executionRef)).filter((e) => e.type === 'TaskStateExited' && e.stateName).map((e) => ({ stateName: e.stateName!, output: e.output }));
    expect(exits.map((e) => e.stateName)).toContain('Burst project');
    expect(Object.keys(checkpointFromHistory(machine, exits)).sort()).toEqual(['add', 'diff', 'project', 'split']);

    // a retried invocation of the finished step returns its output without running it again
    const again = await runBurstStep(r.burstDeps, r.invoked[0], 60_000);
    expect(again).toEqual({ project: 1 });
    expect(r.ran.filter((x) => x.taskId === 'project')).toHaveLength(1);
  }, 60_000);

  it('sends every step to the queue once the burst route\'s window has ended (a controller that stops ticking falls back to EC2)', async () => {
    const r = rig();
    await r.engine.publish([route('mProject', 'burst', nowSec() - 1)]);
    const ref = await r.engine.deploy({ name: machine.name, definitionJson: machine.definitionJson });
    const { executionRef } = await r.engine.start(ref, 'fan-2', executionInput(machine, 'chain-2', { x: 1 }));
    const done = await r.engine.waitForClose(executionRef);
    expect(done.status, `${done.error}: ${done.cause}`).toBe('SUCCEEDED');
    expect(r.ran.every((x) => x.where === 'queue')).toBe(true);
    expect(r.invoked).toHaveLength(0);
  }, 60_000);
});
