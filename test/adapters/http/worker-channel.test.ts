/**
 * The worker channel of `prescale serve` on a real port: a pool worker that talks to it only over
 * HTTP ({@link HttpWorkerChannel}: TaskQueue + task callbacks + events) completes a compiled
 * machine's steps; the units it uses are tracked; a message taken by a worker that died before
 * starting the step comes back after its visibility timeout; the channel refuses missing and wrong
 * tokens, oversized and prototype-polluting bodies, unknown pools and event fields, and answers 410
 * for a dead task token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { assembleDag } from '../../../src/core/compose/index.js';
import { compileVariant, executionInput, executionName, sinkOutputs } from '../../../src/core/engine/index.js';
import type { ExecutionEvent, TaskDefinition } from '../../../src/core/model/index.js';
import { createEmbeddedEngine } from '../../../src/adapters/engine/embedded-engine.js';
import { HttpWorkerChannel } from '../../../src/adapters/engine/http-worker-channel.js';
import { createWorkerChannelApi, WORKER_CHANNEL_BODY_LIMIT_BYTES } from '../../../src/adapters/http/worker-channel.js';
import { AjvSchemaChecker } from '../../../src/adapters/schema/ajv-schema-checker.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { EXECUTION_EVENTS_LOG, PoolWorker } from '../../../src/app/worker/pool-worker.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { TaskTokenInvalidError } from '../../../src/ports/workflow-engine.js';
import { task, workflow } from '../../builders/tasks.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

const TOKEN = 'worker-token-test-0000001';
const clock = systemClock;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** An embedded engine whose pool `a` is remote, its channel on a free port, and a client. */
async function rig(run: (t: TaskDefinition, input: unknown) => Promise<unknown>) {
  const store = new SqliteStateStore(':memory:');
  const emb = createEmbeddedEngine({
    config: { pools: [{ kind: 'ec2', id: 'a', markets: ['on-demand'], instanceRequirements: {} } as never], availability: {} },
    executor: { run: async (t, input) => run(t, input) }, store, schemas: new AjvSchemaChecker(), clock, logger: silentLogger, remotePools: ['a'],
  });
  const app: FastifyInstance = createWorkerChannelApi(emb.channel, { tokens: [TOKEN] });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanup.push(async () => {
    await emb.close?.();
    await app.close();
    await store.close();
  });
  return { emb, store, url, client: new HttpWorkerChannel(url, TOKEN) };
}

function remoteWorker(client: HttpWorkerChannel, vcpu = 2): PoolWorker {
  const w = new PoolWorker({
    poolId: 'a', queue: client.queue('a'), callbacks: client, events: client, clock, logger: silentLogger, vcpu, instanceId: 'i-remote',
    executor: { run: async () => ({}) }, tasks: (m) => client.task(m.executionName, m.variant, m.taskId),
  }, { receiveWaitSec: 1 });
  return w;
}

const wf = workflow('diamond', [task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c'])], [{ name: 'main', defaultPool: 'a' }]);

async function start(emb: ReturnType<typeof createEmbeddedEngine>, name: string) {
  const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: emb.targets });
  const ref = await emb.engine.deploy({ name: m.name, definitionJson: m.definitionJson });
  emb.register!(name, wf);
  const { executionRef } = await emb.engine.start(ref, name, executionInput(m, 'chain-1', { x: 1 }));
  return { m, executionRef };
}

describe('worker channel', () => {
  it('lets a worker that only talks HTTP run a compiled machine, with its events in the server’s log and its units tracked', async () => {
    let peakUnits = 0;
    const { emb, store, client } = await rig(async () => ({}));
    const worker = new PoolWorker({
      poolId: 'a', queue: client.queue('a'), callbacks: client, events: client, clock, logger: silentLogger, vcpu: 2, instanceId: 'i-remote',
      executor: {
        run: async (t, input) => {
          peakUnits = Math.max(peakUnits, emb.unitsInUse!('a') ?? 0);
          await new Promise((r) => setTimeout(r, 50));
          return { ...(input as object), [t.task_id]: true };
        },
      },
      tasks: (m) => client.task(m.executionName, m.variant, m.taskId),
    }, { receiveWaitSec: 1 });
    const running = worker.run();
    const name = executionName('chain-1', 'k1');
    const { m, executionRef } = await start(emb, name);
    const done = await emb.engine.waitForClose(executionRef);
    await worker.stop();
    await running;
    expect(done.status).toBe('SUCCEEDED');
    expect(sinkOutputs(m, done.output)).toEqual({ d: { x: 1, a: true, b: true, c: true, d: true } });
    expect(peakUnits).toBe(2); // b and c ran at once on the 2-vCPU worker
    expect(emb.unitsInUse!('a')).toBe(0);
    const ev = await store.readLog<ExecutionEvent>(EXECUTION_EVENTS_LOG);
    expect(ev.filter((e) => e.kind === 'finished').map((e) => e.taskId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(ev.every((e) => e.instanceId === 'i-remote' && e.poolId === 'a')).toBe(true);
  });

  it('gives a message back after its visibility timeout when the worker that took it died before starting the step', async () => {
    const { emb, client } = await rig(async (t, input) => ({ ...(input as object), [t.task_id]: true }));
    const { executionRef } = await start(emb, executionName('chain-1', 'k2'));
    const q = client.queue('a');
    const [lost] = await q.receive({ maxMessages: 1, waitSec: 5, visibilityTimeoutSec: 1 });
    expect(lost.receiveCount).toBe(1);
    // …the receiving worker dies here. A live worker gets the message once the timeout passes.
    const w = remoteWorker(client);
    const running = w.run();
    const done = await emb.engine.waitForClose(executionRef);
    await w.stop();
    await running;
    expect(done.status).toBe('SUCCEEDED');
    expect(w.stats.succeeded).toBe(4);
  });

  it('refuses requests without a worker token, oversized or prototype-polluting bodies, unknown pools and event fields; 410 for a dead token', async () => {
    const { url, client } = await rig(async () => ({}));
    const post = (path: string, body: string, token = TOKEN) => fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    const receive = JSON.stringify({ max_messages: 1, wait_sec: 0 });
    expect((await fetch(`${url}/v1/pools/a/receive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: receive })).status).toBe(401);
    expect((await post('/v1/pools/a/receive', receive, 'worker-token-test-0000002')).status).toBe(401);
    expect((await post('/v1/pools/a/receive', receive, 'constructor')).status).toBe(401);
    expect((await post('/v1/pools/a/receive', receive)).status).toBe(200);
    expect((await post('/v1/pools/zz/receive', receive)).status).toBe(404);
    expect((await post('/v1/pools/a/receive', JSON.stringify({ max_messages: 50, wait_sec: 0 }))).status).toBe(400);
    expect((await post('/v1/tasks/heartbeat', '{"task_token":"t","__proto__":{"x":1}}')).status).toBe(400);
    expect((await post('/v1/tasks/success', JSON.stringify({ task_token: 't', output: 'x'.repeat(WORKER_CHANNEL_BODY_LIMIT_BYTES) }))).status).toBe(400);
    const ev = { chainId: 'c', workflow: 'w', taskId: 't', taskType: 't', kind: 'started', atSec: 1 };
    expect((await post('/v1/events', JSON.stringify({ events: [{ ...ev, extra: 1 }] }))).status).toBe(400);
    expect((await post('/v1/events', JSON.stringify({ log: 'other-log', events: [ev] }))).status).toBe(400);
    expect((await post('/v1/events', JSON.stringify({ events: [ev] }))).status).toBe(200);
    // issue 22: a progress event's fraction must lie in [0, 1]
    expect((await post('/v1/events', JSON.stringify({ events: [{ ...ev, kind: 'progress', intensity: 1.5 }] }))).status).toBe(400);
    expect((await post('/v1/events', JSON.stringify({ events: [{ ...ev, kind: 'progress', intensity: 0.5 }] }))).status).toBe(200);
    await expect(client.sendTaskHeartbeat('no-such-token')).rejects.toBeInstanceOf(TaskTokenInvalidError);
    await expect(client.sendTaskSuccess('no-such-token', '{}')).rejects.toBeInstanceOf(TaskTokenInvalidError);
    expect(await client.task('no-such-execution', 'main', 'a')).toBeUndefined();
  });
});
