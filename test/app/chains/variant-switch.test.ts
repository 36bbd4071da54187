import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChainService } from '../../../src/app/chains/chain-service.js';
import { PrincipalSchema, type TaskDefinitionInput } from '../../../src/core/model/index.js';
import { baseConfig, buildService, recordTask, tempDir } from '../../fixtures/tasks/service.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
let current: ChainService | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

function twoVariantConfig(aExtra: Partial<TaskDefinitionInput> = {}) {
  const tasks = [recordTask('a', [], aExtra), recordTask('b', ['a']), recordTask('c', ['b'])];
  return baseConfig({
    workflows: [{ name: 'etl', variants: [{ name: 'spot', defaultPool: 'spot-batch', tasks }, { name: 'on-demand', defaultPool: 'od', tasks }] }],
    overrunFactor: 2,
  });
}

async function waitFor(service: ChainService, chainId: string, executionId: string, pred: (s: Awaited<ReturnType<ChainService['getExecution']>>) => boolean) {
  for (let i = 0; i < 400; i++) {
    const e = await service.getExecution(alice, chainId, executionId);
    if (pred(e)) return e;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

describe('adaptive execution', () => {
  it('switches the remaining steps to on-demand on a simulated spot interruption notice, re-running nothing', async () => {
    const { service, monitor } = buildService(twoVariantConfig());
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { workflow: 'etl' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 400 });
    const running = await waitFor(service, chain.chainId, executionId, (e) => e.steps.a?.status === 'running');
    expect(running.variant).toBe('spot');
    monitor.signal({ kind: 'spot-interruption-notice', poolId: 'spot-batch', atSec: Date.now() / 1000, detail: 'i-0abc reclaimed in 120 s' });
    await service.idle();
    const exec = await service.getExecution(alice, chain.chainId, executionId);
    expect(exec.status).toBe('succeeded');
    expect(exec.variant).toBe('on-demand');
    expect(exec.switches).toHaveLength(1);
    expect(exec.switches[0]).toMatchObject({ from: 'spot', to: 'on-demand' });
    expect(exec.switches[0].reason).toMatch(/spot capacity of pool spot-batch received an interruption notice/);
    expect([exec.steps.a.poolId, exec.steps.b.poolId, exec.steps.c.poolId]).toEqual(['spot-batch', 'od', 'od']);
    const decision = exec.decisions.find((d) => d.kind === 'switch')!;
    expect(decision.chosen).toBe('on-demand');
    expect(decision.candidates!.map((c) => c.name)).toEqual(['spot', 'on-demand']);
    for (const t of ['a', 'b', 'c']) expect(readFileSync(join(dir, `${t}.done`), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('moves a step whose worker got a spot notice mid-step to the other variant (hard switch), finished steps not re-run', async () => {
    let noticed = false;
    const { service } = buildService(twoVariantConfig(), {
      spotNotices: { 'spot-batch': async () => (noticed ? { action: 'terminate', actionAtSec: Date.now() / 1000 + 120 } : undefined) },
    });
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { workflow: 'etl' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 400 });
    // a finishes on spot, then the instance gets its notice while b runs there
    await waitFor(service, chain.chainId, executionId, (e) => e.steps.b?.status === 'running');
    noticed = true;
    await service.idle();
    const exec = await service.getExecution(alice, chain.chainId, executionId);
    expect(exec.status).toBe('succeeded');
    expect(exec.switches.map((s) => `${s.from}->${s.to}`)).toEqual(['spot->on-demand']);
    expect(exec.switches[0].reason).toMatch(/spot capacity of pool spot-batch received an interruption notice/);
    expect([exec.steps.a.poolId, exec.steps.b.poolId, exec.steps.c.poolId]).toEqual(['spot-batch', 'od', 'od']);
    const lines = (t: string, f: string) => readFileSync(join(dir, `${t}.${f}`), 'utf8').trim().split('\n').length;
    // a ran once; b was interrupted on spot and ran again on on-demand; c once
    expect(['a', 'b', 'c'].map((t) => [t, lines(t, 'start'), lines(t, 'done')])).toEqual([['a', 1, 1], ['b', 2, 1], ['c', 1, 1]]);
    expect(exec.steps.b.attempts).toBe(2);
  });

  it('switches when a step overruns its p95 runtime by the configured factor', async () => {
    const { service } = buildService(twoVariantConfig({ runtime: { meanSec: 0.05, p50Sec: 0.05, p95Sec: 0.1 } }));
    current = service;
    const chain = await service.createChain(alice, { workflow: 'etl' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: tempDir(), sleepMs: 600 });
    await service.idle();
    const exec = await service.getExecution(alice, chain.chainId, executionId);
    expect(exec.status).toBe('succeeded');
    expect(exec.switches.map((s) => `${s.from}->${s.to}`)).toEqual(['spot->on-demand']);
    expect(exec.switches[0].reason).toMatch(/step a ran [\d.]+ s, over 2 × its p95 0.1 s/);
  });
});
