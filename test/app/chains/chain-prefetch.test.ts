import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../../src/adapters/executor/local-executor.js';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import type { ChainService } from '../../../src/app/chains/chain-service.js';
import { PrefetchManager } from '../../../src/app/prefetch/prefetch-manager.js';
import type { StateCache } from '../../../src/ports/state-cache.js';
import { PrincipalSchema } from '../../../src/core/model/index.js';
import { FIXTURES_DIR, baseConfig, buildService, recordRef, tempDir } from '../../fixtures/tasks/service.js';
import { stepGates } from '../../fixtures/tasks/step-gates.js';
import { advanceUntilSettled, ManualClock } from '../../fakes/manual-clock.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
const prepared = (id: string, deps: string[] = []) => recordRef(id, deps, 'record-prepared');
const oneUnit = () => baseConfig({ availability: { od: { availableUnits: 1, onDemandUsdPerUnitHour: 0.04 } }, composer: { minFit: 0.5 } });
/** A prefetch manager on `clock` whose cache tells when a prepared state is stored (`stored`, an event to wait on). */
function manager(clock: ManualClock): PrefetchManager & { stored: Promise<void> } {
  const cache = new LruStateCache({ clock });
  let stored!: () => void;
  const tapped: StateCache = { get: (k) => cache.get(k), delete: (k) => cache.delete(k), usedBytes: () => cache.usedBytes(), close: () => cache.close(), set: async (k, v, ttl) => { await cache.set(k, v, ttl); stored(); } };
  return Object.assign(new PrefetchManager({ runner: new LocalExecutor(FIXTURES_DIR), cache: tapped, clock }, { maxConcurrent: 2 }), { stored: new Promise<void>((r) => { stored = r; }) });
}
/** The fixtures' poll period (baseConfig pollSec 0.05), ms of clock time. */
const POLL_MS = 50;
let gates: ReturnType<typeof stepGates> | undefined;
let current: ChainService | undefined;
afterEach(async () => {
  gates?.close();
  gates = undefined;
  await current?.close();
  current = undefined;
});

describe('ChainService with a prefetch manager', () => {
  it('prepares a step while it waits for capacity and resumes it from the prepared state', async () => {
    const clock = new ManualClock();
    const prefetch = manager(clock);
    const { service } = buildService(oneUnit(), { prefetch, clock });
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { tasks: [prepared('b'), prepared('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, gate: (gates = stepGates()).name });
    const held = [gates.gate('b'), gates.gate('c')];
    // one step takes the only unit and holds it; the other waits for it and is prepared meanwhile
    await advanceUntilSettled(clock, Promise.race(held.map((g) => g.reached)), POLL_MS);
    await clock.advanceUntil(() => prefetch.metricsByArm().default?.prepared === 1, POLL_MS, 200);
    await prefetch.stored; // its prepare phase ran (real module code) and the state is cached
    for (const g of held) g.open();
    await advanceUntilSettled(clock, service.idle(), POLL_MS);
    const { steps, status } = await service.getExecution(alice, chain.chainId, executionId);
    expect(status).toBe('succeeded');
    const [first, second] = [steps.b, steps.c].sort((x, y) => x.startedAtSec! - y.startedAtSec!);
    // the first step found a free unit: nothing prepared, it ran cold
    expect(first.setup).toEqual({ outcome: 'not-prepared', savedSec: 0 });
    expect(first.output).not.toHaveProperty('resumedFrom');
    // the second waited for the unit, was prepared meanwhile, and resumed from its own state
    expect(second.setup?.outcome).toBe('resumed');
    expect(second.output).toMatchObject({ resumedFrom: second.taskId });
    expect(existsSync(join(dir, `${second.taskId}.prepared`))).toBe(true);
    expect(existsSync(join(dir, `${first.taskId}.prepared`))).toBe(false);
    expect(prefetch.metricsByArm().default).toMatchObject({ prepared: 1, hits: 1, discarded: 0 });
    expect(prefetch.open).toBe(0);
  });

  it('runs every step cold without a prefetch manager', async () => {
    const clock = new ManualClock();
    const { service } = buildService(oneUnit(), { clock });
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { tasks: [prepared('b'), prepared('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, gate: (gates = stepGates()).name });
    const held = [gates.gate('b'), gates.gate('c')];
    await advanceUntilSettled(clock, Promise.race(held.map((g) => g.reached)), POLL_MS);
    await clock.advanceMs(20 * POLL_MS); // the other step waits for the unit
    for (const g of held) g.open();
    await advanceUntilSettled(clock, service.idle(), POLL_MS);
    const { steps } = await service.getExecution(alice, chain.chainId, executionId);
    for (const s of [steps.b, steps.c]) {
      expect(s.setup).toBeUndefined();
      expect(s.output).not.toHaveProperty('resumedFrom');
    }
    expect(existsSync(join(dir, 'c.prepared')) || existsSync(join(dir, 'b.prepared'))).toBe(false);
  });

  it('never prepares a critical step', async () => {
    const clock = new ManualClock();
    const prefetch = manager(clock);
    const { service } = buildService(oneUnit(), { prefetch, clock });
    current = service;
    const dir = tempDir();
    const crit = (id: string) => recordRef(id, [], 'record-critical-prepared');
    const chain = await service.createChain(alice, { tasks: [crit('b'), crit('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, gate: (gates = stepGates()).name });
    const held = [gates.gate('b'), gates.gate('c')];
    await advanceUntilSettled(clock, Promise.race(held.map((g) => g.reached)), POLL_MS);
    await clock.advanceMs(20 * POLL_MS); // the other step waits for the unit: long enough to be prepared were it not critical
    for (const g of held) g.open();
    await advanceUntilSettled(clock, service.idle(), POLL_MS);
    const { steps } = await service.getExecution(alice, chain.chainId, executionId);
    expect(steps.b.setup).toBeUndefined();
    expect(steps.c.setup).toBeUndefined();
    expect(prefetch.metricsByArm().default).toBeUndefined();
  });
});
