import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../../src/adapters/executor/local-executor.js';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import type { ChainService } from '../../../src/app/chains/chain-service.js';
import { PrefetchManager } from '../../../src/app/prefetch/prefetch-manager.js';
import { PrincipalSchema } from '../../../src/core/model/index.js';
import { FIXTURES_DIR, baseConfig, buildService, recordRef, tempDir } from '../../fixtures/tasks/service.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
const prepared = (id: string, deps: string[] = []) => recordRef(id, deps, 'record-prepared');
const oneUnit = () => baseConfig({ availability: { od: { availableUnits: 1, onDemandUsdPerUnitHour: 0.04 } }, composer: { minFit: 0.5 } });
const manager = () => new PrefetchManager({ runner: new LocalExecutor(FIXTURES_DIR), cache: new LruStateCache(), clock: systemClock }, { maxConcurrent: 2 });
let current: ChainService | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('ChainService with a prefetch manager', () => {
  it('prepares a step while it waits for capacity and resumes it from the prepared state', async () => {
    const prefetch = manager();
    const { service } = buildService(oneUnit(), { prefetch });
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { tasks: [prepared('b'), prepared('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 800 });
    await service.idle();
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
    const { service } = buildService(oneUnit());
    current = service;
    const dir = tempDir();
    const chain = await service.createChain(alice, { tasks: [prepared('b'), prepared('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 100 });
    await service.idle();
    const { steps } = await service.getExecution(alice, chain.chainId, executionId);
    for (const s of [steps.b, steps.c]) {
      expect(s.setup).toBeUndefined();
      expect(s.output).not.toHaveProperty('resumedFrom');
    }
    expect(existsSync(join(dir, 'c.prepared')) || existsSync(join(dir, 'b.prepared'))).toBe(false);
  });

  it('never prepares a critical step', async () => {
    const prefetch = manager();
    const { service } = buildService(oneUnit(), { prefetch });
    current = service;
    const dir = tempDir();
    const crit = (id: string) => recordRef(id, [], 'record-critical-prepared');
    const chain = await service.createChain(alice, { tasks: [crit('b'), crit('c')], pool: 'od' });
    const { executionId } = await service.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 150 });
    await service.idle();
    const { steps } = await service.getExecution(alice, chain.chainId, executionId);
    expect(steps.b.setup).toBeUndefined();
    expect(steps.c.setup).toBeUndefined();
    expect(prefetch.metricsByArm().default).toBeUndefined();
  });
});
