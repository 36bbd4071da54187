import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChainService } from '../../../src/app/chains/chain-service.js';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError } from '../../../src/app/chains/errors.js';
import { InputError, PrincipalSchema } from '../../../src/core/model/index.js';
import { TABLES, canonicalJson } from '../../../src/app/chains/records.js';
import { baseConfig, buildService, recordRef, tempDir } from '../../fixtures/tasks/service.js';
import { driveUntilSettled, ManualClock } from '../../fakes/manual-clock.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
const lines = (dir: string, file: string): number => readFileSync(join(dir, file), 'utf8').trim().split('\n').length;
let current: ChainService | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('ChainService', () => {
  it('runs a diamond chain, independent steps in parallel, each step once, outputs of the sink', async () => {
    const { service } = buildService();
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { tasks: [recordRef('a'), recordRef('b', ['a']), recordRef('c', ['a']), recordRef('d', ['b', 'c'])], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 300 });
    await service.idle();
    const exec = await service.getExecution(alice, chain.chainId, executionId);
    expect(exec.status).toBe('succeeded');
    expect(Object.values(exec.steps).map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const [b, c] = [exec.steps.b, exec.steps.c];
    expect(b.startedAtSec! < c.finishedAtSec! && c.startedAtSec! < b.finishedAtSec!).toBe(true);
    expect((exec.outputs!.d as { trail: string[] }).trail.slice(0, 1)).toEqual(['a']);
    for (const t of ['a', 'b', 'c', 'd']) expect(lines(dir, `${t}.done`)).toBe(1);
    expect(exec.costUsd).toBeGreaterThan(0);
    expect(exec.decisions.map((d) => d.kind)).toEqual(['authorize', 'compose']);
  });

  it('runs independent steps one at a time when the pool has one free unit', async () => {
    const { service } = buildService(baseConfig({ availability: { od: { availableUnits: 1, onDemandUsdPerUnitHour: 0.04 } }, composer: { minFit: 0.5 } }));
    current = service;
    const chain = await service.createChain(alice, { tasks: [recordRef('b'), recordRef('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: tempDir(), sleepMs: 200 });
    await service.idle();
    const { steps } = await service.getExecution(alice, chain.chainId, executionId);
    const [first, second] = [steps.b, steps.c].sort((x, y) => x.startedAtSec! - y.startedAtSec!);
    expect(second.startedAtSec!).toBeGreaterThanOrEqual(first.finishedAtSec!);
  });

  it('retries a failing step with Step Functions semantics and fails after MaxAttempts retries', async () => {
    const { service } = buildService();
    current = service;
    const flaky = (id: string) => recordRef(id, [], 'flaky');
    const ok = await service.createChain(alice, { tasks: [flaky('f')], pool: 'od' });
    const e1 = await service.trigger(alice, ok.chainId, { key: 'k-ok', failTimes: 2 });
    const bad = await service.createChain(alice, { tasks: [flaky('g')], pool: 'od' });
    const e2 = await service.trigger(alice, bad.chainId, { key: 'k-bad', failTimes: 9 });
    await service.idle();
    expect((await service.getExecution(alice, ok.chainId, e1.executionId)).steps.f).toMatchObject({ status: 'succeeded', output: { attempts: 3 } });
    const failed = await service.getExecution(alice, bad.chainId, e2.executionId);
    expect(failed.status).toBe('failed');
    expect(failed.steps.g.error).toMatch(/failed after 4 attempt\(s\): flaky failure 4 of 9/);
  });

  it('times out a hanging step (States.Timeout) and runs command: locations', async () => {
    const { service } = buildService();
    current = service;
    const hang = await service.createChain(alice, { tasks: [recordRef('h', [], 'hang')], pool: 'od' });
    // command: runs only for a task id the operator listed in commandTasks ('double' in baseConfig).
    const cmd = await service.createChain(alice, { tasks: [recordRef('sh', [], 'double')], pool: 'od' });
    const e1 = await service.trigger(alice, hang.chainId, {});
    const e2 = await service.trigger(alice, cmd.chainId, { n: 21 });
    await service.idle();
    expect((await service.getExecution(alice, hang.chainId, e1.executionId)).steps.h.error).toMatch(/States.Timeout: task h exceeded 0.2 s/);
    expect((await service.getExecution(alice, cmd.chainId, e2.executionId)).steps.sh.output).toEqual({ n: 42, id: 'sh' });
  });

  it('rejects bad definitions and inputs with the failing field', async () => {
    const { service } = buildService();
    current = service;
    await expect(service.createChain(alice, { tasks: [recordRef('a', ['nope'])] })).rejects.toThrow(/tasks\[0\]\.dependencies\[0\]: got "nope"/);
    // Submitted tasks reference registered ones (issue 15): an unknown registered id, or code, is refused naming the field.
    await expect(service.createChain(alice, { tasks: [{ task_id: 'a' }] })).rejects.toThrow(/tasks\[0\]\.task_id: got "a", expected a registered task id/);
    await expect(service.createChain(alice, { tasks: [{ task_id: 'a', executable_code_location: 'command:id' }] })).rejects.toThrow(/tasks\[0\]\.executable_code_location/);
    await expect(service.createChain(alice, { workflow: 'missing' })).rejects.toThrow(InputError);
    const chain = await service.createChain(alice, { tasks: [recordRef('a')] });
    await expect(service.trigger(alice, chain.chainId, { sleepMs: 1 })).rejects.toThrow(/input\.runsDir/);
  });

  it('keeps chains private, replays idempotent triggers and refuses key reuse with another input', async () => {
    const { service } = buildService();
    current = service;
    const chain = await service.createChain(alice, { tasks: [recordRef('a')], chain_id: 'fixed' });
    await expect(service.createChain(alice, { tasks: [recordRef('a')], chain_id: 'fixed' })).rejects.toThrow(ConflictError);
    const mallory = PrincipalSchema.parse({ id: 'mallory', kind: 'user' });
    await expect(service.getChain(mallory, chain.chainId)).rejects.toThrow(NotFoundError);
    const input = { runsDir: tempDir(), sleepMs: 0 };
    const first = await service.trigger(alice, chain.chainId, input, 'key-1');
    const again = await service.trigger(alice, chain.chainId, { sleepMs: 0, runsDir: input.runsDir }, 'key-1');
    expect(again).toMatchObject({ executionId: first.executionId, replayed: true });
    await expect(service.trigger(alice, chain.chainId, { ...input, sleepMs: 5 }, 'key-1')).rejects.toThrow(ConflictError);
    await service.idle();
    expect(lines(input.runsDir, 'a.done')).toBe(1);
  });

  it('queues while no variant fits, for exactly the blocked span of simulated time, then starts once the pool has capacity again', async () => {
    const clock = new ManualClock(1_700_000_000);
    const { service, monitor } = buildService(baseConfig(), { clock });
    current = service;
    const chain = await service.createChain(alice, { tasks: [recordRef('a')], pool: 'od' });
    monitor.signal({ kind: 'insufficient-capacity', poolId: 'od', atSec: clock.nowSec(), untilSec: clock.nowSec() + 60 });
    const dir = tempDir();
    const res = await service.trigger(alice, chain.chainId, { runsDir: dir });
    expect(res.status).toBe('queued');
    const queued = await service.getExecution(alice, chain.chainId, res.executionId);
    expect(queued.queue?.reason).toMatch(/no variant fits now/);
    await clock.advanceMs(59_000);
    expect((await service.getExecution(alice, chain.chainId, res.executionId)).status).toBe('queued');
    expect(existsSync(join(dir, 'a.start'))).toBe(false);
    await driveUntilSettled(clock, service.idle(), 50);
    const exec = await service.getExecution(alice, chain.chainId, res.executionId);
    expect(exec.status).toBe('succeeded');
    expect(exec.decisions.filter((d) => d.kind === 'compose').map((d) => d.chosen)).toEqual(['queue:default', 'default']);
    expect(exec.expectedCostUsd).toBeGreaterThan(0);
    expect(lines(dir, 'a.done')).toBe(1);
  });

  it('takes over a stale Idempotency-Key claim whose first request never stored an execution', async () => {
    const { service, store } = buildService();
    current = service;
    const chain = await service.createChain(alice, { tasks: [recordRef('a')] });
    const input = { runsDir: tempDir() };
    const payload = canonicalJson(input);
    const now = Date.now() / 1000;
    await store.put(TABLES.idempotency, `alice/${chain.chainId}/fresh`, { executionId: 'lost-1', payload, claimedAtSec: now });
    await store.put(TABLES.idempotency, `alice/${chain.chainId}/stale`, { executionId: 'lost-2', payload, claimedAtSec: now - 3600 });
    await expect(service.trigger(alice, chain.chainId, input, 'fresh')).rejects.toThrow(/still in progress/);
    const res = await service.trigger(alice, chain.chainId, input, 'stale');
    expect(res).toMatchObject({ replayed: false });
    expect((await service.trigger(alice, chain.chainId, input, 'stale')).executionId).toBe(res.executionId);
    await service.idle();
  });

  it('answers 403 naming the policy and 429 for the spend cap and a full queue', async () => {
    const { service } = buildService(
      baseConfig({
        principals: [{ id: 'alice', kind: 'user', memberOf: ['analysts'] }, { id: 'bob', kind: 'user' }],
        policies: [
          { id: 'analysts-all', effect: 'allow', principals: ['analysts'], spendCapUsdPerHour: 0.0004 },
          { id: 'bob-od', effect: 'allow', principals: ['bob'] },
          { id: 'bob-no-spot', effect: 'deny', principals: ['bob'], pools: ['spot-batch'] },
        ],
        availability: { 'spot-batch': { availableUnits: 8, spotUsdPerUnitHour: 0.01 }, od: { availableUnits: 0, onDemandUsdPerUnitHour: 0.04 } },
        maxQueuedPerPrincipal: 1,
      }),
    );
    current = service;
    const bob = PrincipalSchema.parse({ id: 'bob', kind: 'user' });
    await expect(service.createChain(bob, { tasks: [recordRef('a')], pool: 'spot-batch' })).rejects.toMatchObject({ policyId: 'bob-no-spot' });
    await expect(service.createChain(bob, { tasks: [recordRef('a')], pool: 'spot-batch' })).rejects.toThrow(ForbiddenError);
    const od = await service.createChain(bob, { tasks: [recordRef('a')], pool: 'od' });
    expect((await service.trigger(bob, od.chainId, { runsDir: tempDir() })).status).toBe('queued');
    await expect(service.trigger(bob, od.chainId, { runsDir: tempDir() })).rejects.toMatchObject({ reasonCode: 'queue-full' });
    // 1 vCPU × 60 s at 0.01 USD/h ≈ 0.000167 USD per run: the third run would pass the 0.0004 USD/h cap.
    const spot = await service.createChain(alice, { tasks: [recordRef('a')], pool: 'spot-batch' });
    await service.trigger(alice, spot.chainId, { runsDir: tempDir() });
    await service.trigger(alice, spot.chainId, { runsDir: tempDir() });
    const err = await service.trigger(alice, spot.chainId, { runsDir: tempDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err).toMatchObject({ reasonCode: 'spend-cap', policyId: 'analysts-all' });
  });

  it('lets a principal use only the registered tasks its policies allow (policy tasks patterns, deny beats allow)', async () => {
    const { service } = buildService(baseConfig({
      principals: [{ id: 'alice', kind: 'user', memberOf: ['analysts'] }],
      policies: [
        { id: 'analysts-record', effect: 'allow', principals: ['analysts'], workflows: ['submitted'], tasks: ['record*'] },
        { id: 'no-prepared', effect: 'deny', principals: ['analysts'], workflows: ['submitted'], tasks: ['record-prepared'] },
      ],
    }));
    current = service;
    expect((await service.createChain(alice, { tasks: [recordRef('a')], pool: 'od' })).workflow.name).toBe('submitted');
    await expect(service.createChain(alice, { tasks: [recordRef('a'), recordRef('f', [], 'flaky')], pool: 'od' })).rejects.toMatchObject({ policyId: 'default-deny' });
    await expect(service.createChain(alice, { tasks: [recordRef('a', [], 'record-prepared')], pool: 'od' })).rejects.toMatchObject({ policyId: 'no-prepared' });
  });
});
