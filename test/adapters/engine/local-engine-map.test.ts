/**
 * Large fan-outs as `Map` states (issue 20): the compiler turns a layer's steps with one task
 * definition into one inline Map (valid ASL, small definition), and the machine runs on
 * aws-local-stepfunctions with a pool worker: every item runs once with its own task id, the step
 * beside the map and the join after it get the right data, a restart with a checkpoint skips the
 * finished items, and the history gives the checkpoint of items that ran.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assembleDag } from '../../../src/core/compose/index.js';
import { checkpointFromHistory, compileVariant, DEFAULT_MAP_THRESHOLD, executionInput, sinkOutputs, stepOutputs } from '../../../src/core/engine/index.js';
import type { TaskDefinition, Workflow } from '../../../src/core/model/index.js';
import { assertValidAsl } from '../../../src/adapters/engine/asl-validation.js';
import { LocalWorkflowEngine } from '../../../src/adapters/engine/local-engine.js';
import { MemoryTaskQueue } from '../../../src/adapters/engine/memory-task-queue.js';
import { PoolWorker } from '../../../src/app/worker/pool-worker.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { task, workflow } from '../../builders/tasks.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/pool-a';
const pools = { a: { kind: 'sqs' as const, queueUrl: QUEUE } };
const workers: PoolWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

/** root → (n × shard, one `side` step) → join; the shards share one task definition. */
function fanOut(n: number): Workflow {
  const shards = Array.from({ length: n }, (_, i) => task(`shard${i}`, ['root'], { executable_code_location: 'module:./tasks/shard.js#run' }));
  return workflow('wide', [task('root'), ...shards, task('side', ['root']), task('join', [...shards.map((s) => s.task_id), 'side'])], [{ name: 'main', defaultPool: 'a' }]);
}

function rig(wf: Workflow, run: (t: TaskDefinition, input: Record<string, unknown>) => unknown) {
  const queue = new MemoryTaskQueue();
  const engine = new LocalWorkflowEngine({ queue: (u) => (u === QUEUE ? queue : undefined) });
  const ran: string[] = [];
  const w = new PoolWorker({
    poolId: 'a', queue, callbacks: engine, clock: systemClock, logger: silentLogger, vcpu: 16,
    events: { append: async () => undefined },
    tasks: async (m) => wf.variants[0].tasks.find((t) => t.task_id === m.taskId),
    executor: {
      run: async (t, input) => {
        ran.push(t.task_id);
        return run(t, input as Record<string, unknown>);
      },
    },
  }, { receiveWaitSec: 1 });
  void w.run();
  workers.push(w);
  return { engine, ran };
}

describe('fan-outs as Map states on aws-local-stepfunctions', () => {
  it(`compiles ${DEFAULT_MAP_THRESHOLD}+ steps with one definition to one Map beside a Parallel branch, valid ASL and far smaller`, () => {
    const wf = fanOut(200);
    const dag = assembleDag(wf.name, wf.variants[0]);
    const m = compileVariant(dag, { pools });
    const without = compileVariant(dag, { pools, mapThreshold: 1_000 });
    assertValidAsl(m.name, m.definition);
    expect(Object.keys(m.maps)).toEqual(['M1_0']);
    expect(m.maps.M1_0).toHaveLength(200);
    expect(m.steps.shard7.map).toEqual({ key: 'M1_0', index: 7 });
    expect(m.steps.side.map).toBeUndefined();
    const fan = m.definition.States['Fan-out L1'];
    expect(fan.Type).toBe('Parallel');
    expect(fan.Branches!.map((b) => b.StartAt)).toEqual(['Map M1_0', 'Skip? side']);
    expect(fan.Branches![0].States['Map M1_0'].Type).toBe('Map');
    expect(m.definitionJson.length * 10).toBeLessThan(without.definitionJson.length);
    expect(Object.keys(without.maps)).toEqual([]);
  });

  it('compiles a 60-step fan-out beside another step to the golden Map machine', async () => {
    const m = compileVariant(assembleDag('wide', fanOut(60).variants[0]), { pools });
    assertValidAsl(m.name, m.definition);
    await expect(`${JSON.stringify(m.definition, null, 1)}\n`).toMatchFileSnapshot('../../unit/engine/golden/wide-fanout-60-map.asl.json');
  });

  it('runs every item once under its own task id, feeds the join all outputs, and a restart with a checkpoint skips finished items', async () => {
    const wf = fanOut(45);
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools });
    const r = rig(wf, (t, input) => (t.task_id === 'join' ? { parts: Object.keys(input).length } : { [t.task_id]: Number(input.x ?? 0) + 1 }));
    const ref = await r.engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const doc = executionInput(m, 'chain-1', { x: 1 });
    const { executionRef } = await r.engine.start(ref, 'wide-1', doc);
    const done = await r.engine.waitForClose(executionRef);
    expect(done.status, `${done.error}: ${done.cause}`).toBe('SUCCEEDED');
    expect([...r.ran].sort()).toEqual(wf.variants[0].tasks.map((t) => t.task_id).sort());
    const outs = stepOutputs(m, done.output);
    expect(outs.shard44).toEqual({ shard44: 1 });
    // join got the merged outputs of 45 shards and side (root's output is { root: 1 }; shards' have one key each)
    expect(sinkOutputs(m, done.output)).toEqual({ join: { parts: 46 } });
    // The history gives the checkpoint of every item that ran.
    const exits = (await r.engine.history(executionRef)).filter((e) => e.type === 'TaskStateExited' && e.stateName).map((e) => ({ stateName: e.stateName!, output: e.output }));
    const cp = checkpointFromHistory(m, exits);
    expect(Object.keys(cp).filter((k) => k.startsWith('shard'))).toHaveLength(45);

    // Restart with root and the first 40 shards finished: only the other 5 shards, side and join run.
    r.ran.length = 0;
    const checkpoint = Object.fromEntries(['root', ...Array.from({ length: 40 }, (_, i) => `shard${i}`)].map((id) => [id, outs[id]]));
    const again = await r.engine.start(ref, 'wide-2', executionInput(m, 'chain-1', { x: 1 }, checkpoint));
    const done2 = await r.engine.waitForClose(again.executionRef);
    expect(done2.status).toBe('SUCCEEDED');
    expect([...r.ran].sort()).toEqual(['join', 'shard40', 'shard41', 'shard42', 'shard43', 'shard44', 'side']);
    expect(stepOutputs(m, done2.output).shard3).toEqual({ shard3: 1 });
  }, 60_000);
});
