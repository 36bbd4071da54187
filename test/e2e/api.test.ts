import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createChainApi } from '../../src/adapters/http/chain-api.js';
import type { ChainService } from '../../src/app/chains/chain-service.js';
import { baseConfig, buildService, recordRef, recordTask, tempDir } from '../fixtures/tasks/service.js';

let app: FastifyInstance;
let service: ChainService;
let base: string;
const ALICE = { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' };
const BOB = { authorization: 'Bearer bob-token-000002', 'content-type': 'application/json' };

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  ({ service } = buildService(
    baseConfig({
      principals: [{ id: 'alice', kind: 'user', memberOf: ['analysts'] }, { id: 'bob', kind: 'user' }],
      policies: [
        { id: 'analysts-all', effect: 'allow', principals: ['analysts'] },
        { id: 'bob-capped', effect: 'allow', principals: ['bob'], spendCapUsdPerHour: 0.0001 },
        { id: 'bob-no-spot', effect: 'deny', principals: ['bob'], pools: ['spot-batch'] },
      ],
      tokens: { 'alice-token-0001': 'alice', 'bob-token-000002': 'bob' },
      operators: ['alice'],
      workflows: [
        {
          name: 'etl',
          variants: [
            { name: 'spot', defaultPool: 'spot-batch', tasks: [recordTask('a'), recordTask('b', ['a'])] },
            { name: 'on-demand', defaultPool: 'od', tasks: [recordTask('a'), recordTask('b', ['a'])] },
          ],
        },
      ],
    }),
  ));
  app = createChainApi(service);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await service.close();
});

describe('Chain Management API over HTTP', () => {
  it('submits, reads, triggers and polls a chain to completion; a retried trigger is idempotent', async () => {
    const dir = tempDir();
    const created = await call('POST', '/chains', ALICE, { chain_id: 'api-1', tasks: [recordRef('a'), recordRef('b', ['a'])], pool: 'od' });
    expect(created).toMatchObject({ status: 201, json: { chain_id: 'api-1', variants: ['default'] } });
    const got = await call('GET', '/chains/api-1', ALICE);
    expect(got.status).toBe(200);
    expect((got.json.workflow as { variants: Array<{ tasks: unknown[] }> }).variants[0].tasks).toHaveLength(2);
    const headers = { ...ALICE, 'idempotency-key': 'req-42' };
    const trig = await call('POST', '/chains/api-1/trigger', headers, { input: { runsDir: dir, sleepMs: 50 } });
    expect(trig.status).toBe(202);
    const retry = await call('POST', '/chains/api-1/trigger', headers, { input: { runsDir: dir, sleepMs: 50 } });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json.execution_id).toBe(trig.json.execution_id);
    let exec = await call('GET', `/chains/api-1/executions/${String(trig.json.execution_id)}`, ALICE);
    for (let i = 0; i < 200 && exec.json.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      exec = await call('GET', `/chains/api-1/executions/${String(trig.json.execution_id)}`, ALICE);
    }
    expect(exec.json).toMatchObject({ status: 'succeeded', variant: 'default', outputs: { b: { trail: ['a', 'b'] } } });
    expect((exec.json.steps as Array<{ task_id: string; status: string }>).map((s) => `${s.task_id}:${s.status}`)).toEqual(['a:succeeded', 'b:succeeded']);
    expect((exec.json.decisions as Array<{ kind: string }>).some((d) => d.kind === 'compose')).toBe(true);
    expect(exec.json.cost_usd).toBeGreaterThan(0);
  });

  it('400 names the failing field: body shape, task definition, registry validation, trigger input', async () => {
    expect(await call('POST', '/chains', ALICE, { tasks: [{}], colour: 'red' })).toMatchObject({ status: 400, json: { field: 'body.colour' } });
    // Submitted tasks reference registered ones (issue 15): code fields are unknown keys, an unregistered id is named.
    expect(await call('POST', '/chains', ALICE, { tasks: [{ task_id: 'a', executable_code_location: 'module:./text.ts', resource_requirements: { vcpu: 1, memoryGiB: 1 } }] })).toMatchObject({ status: 400, json: { field: 'tasks[0].executable_code_location' } });
    expect(await call('POST', '/chains', ALICE, { tasks: [{ task_id: 'a' }] })).toMatchObject({ status: 400, json: { field: 'tasks[0].task_id' } });
    const cyc = await call('POST', '/chains', ALICE, { tasks: [recordRef('a', ['b']), recordRef('b', ['a'])] });
    expect(cyc).toMatchObject({ status: 400, json: { field: 'tasks[0].dependencies' } });
    expect(String(cyc.json.reason)).toMatch(/a -> b -> a/);
    await call('POST', '/chains', ALICE, { chain_id: 'api-2', tasks: [recordRef('a')] });
    expect(await call('POST', '/chains/api-2/trigger', ALICE, { input: { sleepMs: 'x' } })).toMatchObject({ status: 400, json: { field: 'input.runsDir' } });
    expect(await call('GET', '/chains/bad id!', ALICE)).toMatchObject({ status: 400, json: { field: 'params.chain_id' } });
  });

  it('401 without or with an unknown token', async () => {
    expect((await call('GET', '/chains/api-1', { 'content-type': 'application/json' })).status).toBe(401);
    expect((await call('POST', '/chains', { authorization: 'Bearer nope-nope-nope' }, { tasks: [] })).status).toBe(401);
  });

  it('403 names the denying policy', async () => {
    const res = await call('POST', '/chains', BOB, { tasks: [recordRef('a')], pool: 'spot-batch' });
    expect(res).toMatchObject({ status: 403, json: { policy: 'bob-no-spot' } });
  });

  it('404 for an unknown chain, another principal\'s chain, an unknown execution', async () => {
    expect((await call('GET', '/chains/nope', ALICE)).status).toBe(404);
    expect((await call('GET', '/chains/api-1', BOB)).status).toBe(404);
    expect((await call('GET', '/chains/api-1/executions/nope', ALICE)).status).toBe(404);
  });

  it('409 for an existing chain id and an Idempotency-Key reused with another input', async () => {
    expect((await call('POST', '/chains', ALICE, { chain_id: 'api-1', tasks: [recordRef('a')] })).status).toBe(409);
    const res = await call('POST', '/chains/api-1/trigger', { ...ALICE, 'idempotency-key': 'req-42' }, { input: { runsDir: tempDir() } });
    expect(res.status).toBe(409);
  });

  it('429 when the principal\'s spend cap is reached', async () => {
    const created = await call('POST', '/chains', BOB, { tasks: [recordRef('a', [], 'record-4vcpu')], pool: 'od' });
    expect(created.status).toBe(201);
    const res = await call('POST', `/chains/${String(created.json.chain_id)}/trigger`, BOB, { input: { runsDir: tempDir() } });
    expect(res).toMatchObject({ status: 429, json: { reason_code: 'spend-cap', policy: 'bob-capped' } });
    // Retry-After: seconds until the spend of the last hour falls (nothing charged yet: 60).
    expect(res.headers.get('retry-after')).toBe('60');
  });

  it('accepts a spot interruption notice from an operator and the running execution switches variant', async () => {
    const created = await call('POST', '/chains', ALICE, { workflow: 'etl' });
    const chainId = String(created.json.chain_id);
    const trig = await call('POST', `/chains/${chainId}/trigger`, ALICE, { input: { runsDir: tempDir(), sleepMs: 400 } });
    const path = `/chains/${chainId}/executions/${String(trig.json.execution_id)}`;
    type Step = { task_id: string; status: string; pool: string };
    for (let i = 0; i < 200; i++) {
      const e = await call('GET', path, ALICE);
      if ((e.json.steps as Step[]).some((s) => s.task_id === 'a' && s.status === 'running')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await call('POST', '/pools/spot-batch/signals', BOB, { kind: 'spot-interruption-notice' })).toMatchObject({ status: 403, json: { policy: 'operators' } });
    expect((await call('POST', '/pools/nope/signals', ALICE, { kind: 'insufficient-capacity' })).status).toBe(404);
    expect(await call('POST', '/pools/spot-batch/signals', ALICE, { kind: 'reboot' })).toMatchObject({ status: 400, json: { field: 'body.kind' } });
    const sig = await call('POST', '/pools/spot-batch/signals', ALICE, { kind: 'spot-interruption-notice', detail: 'i-0abc', duration_sec: 30 });
    expect(sig).toMatchObject({ status: 202, json: { pool: 'spot-batch', kind: 'spot-interruption-notice' } });
    let exec = await call('GET', path, ALICE);
    for (let i = 0; i < 200 && exec.json.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      exec = await call('GET', path, ALICE);
    }
    expect(exec.json).toMatchObject({ status: 'succeeded', variant: 'on-demand', switches: [{ from: 'spot', to: 'on-demand' }] });
    expect((exec.json.steps as Step[]).map((s) => `${s.task_id}@${s.pool}`)).toEqual(['a@spot-batch', 'b@od']);
  });
});
