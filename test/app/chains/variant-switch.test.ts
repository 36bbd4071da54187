/**
 * Adaptive execution on the simulated clock: the service, its engine, queues and workers all run on
 * a ManualClock, and each step of the record-step fixture ends only when the test opens its gate
 * (test/fixtures/tasks/step-gates.ts), so "a step is running when the notice comes" and "a step
 * overran its p95" are set up by events and clock time, never by real sleeps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChainService } from '../../../src/app/chains/chain-service.js';
import { PrincipalSchema, type TaskDefinitionInput } from '../../../src/core/model/index.js';
import { baseConfig, buildService, recordTask, tempDir } from '../../fixtures/tasks/service.js';
import { stepGates } from '../../fixtures/tasks/step-gates.js';
import { advanceUntilSettled, ManualClock } from '../../fakes/manual-clock.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
/** The fixtures' poll period (baseConfig pollSec 0.05), ms of clock time. */
const POLL_MS = 50;
let current: ChainService | undefined;
let gates: ReturnType<typeof stepGates> | undefined;
afterEach(async () => {
  gates?.close();
  gates = undefined;
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

/** Advances the clock one poll at a time until the service's record of the execution satisfies `pred` (at most `maxPolls`). */
async function pollUntil(clock: ManualClock, service: ChainService, chainId: string, executionId: string, pred: (s: Awaited<ReturnType<ChainService['getExecution']>>) => boolean, maxPolls = 40) {
  for (let i = 0; i < maxPolls; i++) {
    const e = await service.getExecution(alice, chainId, executionId);
    if (pred(e)) return e;
    await clock.advanceMs(POLL_MS);
  }
  throw new Error(`condition not reached in ${maxPolls} polls of clock time`);
}

describe('adaptive execution', () => {
  it('switches the remaining steps to on-demand on a simulated spot interruption notice, re-running nothing', async () => {
    const clock = new ManualClock();
    const { service, monitor } = buildService(twoVariantConfig(), { clock });
    current = service;
    gates = stepGates();
    const a = gates.gate('a');
    const dir = tempDir();
    const chain = await service.createChain(alice, { workflow: 'etl' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, gate: gates.name });
    await advanceUntilSettled(clock, a.reached, POLL_MS);
    const running = await pollUntil(clock, service, chain.chainId, executionId, (e) => e.steps.a?.status === 'running');
    expect(running.variant).toBe('spot');
    monitor.signal({ kind: 'spot-interruption-notice', poolId: 'spot-batch', atSec: clock.nowSec(), detail: 'i-0abc reclaimed in 120 s' });
    await clock.advanceMs(2 * POLL_MS); // the service sees the notice while a still runs
    a.open();
    await advanceUntilSettled(clock, service.idle(), POLL_MS);
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
    const clock = new ManualClock();
    let noticed = false;
    const { service } = buildService(twoVariantConfig(), {
      clock,
      spotNotices: { 'spot-batch': async () => (noticed ? { action: 'terminate', actionAtSec: clock.nowSec() + 120 } : undefined) },
    });
    current = service;
    gates = stepGates();
    const [a, b] = [gates.gate('a'), gates.gate('b')];
    const dir = tempDir();
    const chain = await service.createChain(alice, { workflow: 'etl' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, gate: gates.name });
    // a finishes on spot, then the instance gets its notice while b runs there
    await advanceUntilSettled(clock, a.reached, POLL_MS);
    a.open();
    await advanceUntilSettled(clock, b.reached, POLL_MS);
    noticed = true;
    await clock.advanceMs(2 * POLL_MS); // the spot worker's next notice poll fails b there
    b.open();
    await advanceUntilSettled(clock, service.idle(), POLL_MS);
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
    const clock = new ManualClock();
    const { service } = buildService(twoVariantConfig({ runtime: { meanSec: 0.05, p50Sec: 0.05, p95Sec: 0.1 } }), { clock });
    current = service;
    gates = stepGates();
    const a = gates.gate('a');
    const chain = await service.createChain(alice, { workflow: 'etl' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: tempDir(), gate: gates.name });
    await advanceUntilSettled(clock, a.reached, POLL_MS);
    // a runs 0.6 s of clock time: over 2 × its p95 of 0.1 s
    await clock.advanceMs(600);
    a.open();
    await advanceUntilSettled(clock, service.idle(), POLL_MS);
    const exec = await service.getExecution(alice, chain.chainId, executionId);
    expect(exec.status).toBe('succeeded');
    expect(exec.switches.map((s) => `${s.from}->${s.to}`)).toEqual(['spot->on-demand']);
    expect(exec.switches[0].reason).toMatch(/step a ran [\d.]+ s, over 2 × its p95 0.1 s/);
  });
});
