import { describe, expect, it } from 'vitest';
import { PrefetchManager } from '../../../src/app/prefetch/prefetch-manager.js';
import { LruStateCache } from '../../../src/adapters/cache/lru-state-cache.js';
import { ControlledRunner, ManualClock, preCmd, prepTask } from './helpers.js';

function setup(maxConcurrent = 2) {
  const clock = new ManualClock();
  const cache = new LruStateCache({ clock });
  const runner = new ControlledRunner(clock, 10);
  const manager = new PrefetchManager({ runner, cache, clock }, { maxConcurrent, usdPerVcpuHour: 3.6, usdPerGiBHour: 0 });
  return { clock, cache, runner, manager };
}

describe('prefetch manager', () => {
  it('never runs more preparations at once than the pool size, and runs them all', async () => {
    const { runner, manager } = setup(2);
    for (let i = 0; i < 5; i++) manager.submit(preCmd(`c${i}`, 't'), prepTask('t'), { doc: i });
    expect(runner.running).toBe(2);
    while (runner.calls < 5 || runner.running > 0) await runner.releaseAll();
    await manager.idle();
    expect(runner.peak).toBe(2);
    expect(manager.peakConcurrent).toBe(2);
    expect(manager.metricsByArm().default.prepared).toBe(5);
  });

  it('resumes a triggered step from its prepared state and counts the setup saved', async () => {
    const { runner, manager } = setup();
    const task = prepTask('load');
    manager.submit(preCmd('c1', 'load'), task, { doc: 'a' });
    await runner.releaseAll();
    const r = await manager.trigger('c1', task, { doc: 'a' });
    expect(r.hit).toBe(true);
    expect(JSON.parse(r.preparedState!.toString())).toMatchObject({ task: 'load', input: { doc: 'a' } });
    expect(r.savedSetupSec).toBe(10);
    const again = await manager.trigger('c1', task, { doc: 'a' });
    expect(again).toMatchObject({ hit: false, reason: 'not-prepared' });
    expect(manager.metricsByArm().default).toMatchObject({ prepared: 1, hits: 1, triggers: 1, setupSecSaved: 10, discarded: 0, cacheBytes: 0 });
  });

  it('never resumes state prepared from other inputs (versioned keys), and counts it wasted', async () => {
    const { runner, manager, cache } = setup();
    const task = prepTask('load');
    manager.submit(preCmd('c1', 'load'), task, { doc: 'a' });
    await runner.releaseAll();
    const r = await manager.trigger('c1', task, { doc: 'b' });
    expect(r).toMatchObject({ hit: false, reason: 'stale' });
    const m = manager.metricsByArm().default;
    expect(m).toMatchObject({ stale: 1, misses: 1, discarded: 1, wastedCpuSec: 20 });
    expect(m.wastedUsd).toBeCloseTo(0.02);
    expect(await cache.usedBytes()).toBe(0);
  });

  it('discards a wrong prediction: aborts running work, frees the cache and counts the waste', async () => {
    const { runner, manager, cache, clock } = setup();
    manager.submit(preCmd('c1', 'ready'), prepTask('ready'), { doc: 1 });
    await runner.releaseAll();
    manager.submit(preCmd('c1', 'busy'), prepTask('busy'), { doc: 2 });
    clock.t += 5;
    expect(await cache.usedBytes()).toBeGreaterThan(0);
    manager.discard('c1');
    await manager.idle();
    expect(manager.open).toBe(0);
    expect(await cache.usedBytes()).toBe(0);
    expect(manager.metricsByArm().default).toMatchObject({ discarded: 2, hits: 0 });
    expect(manager.metricsByArm().default.wastedCpuSec).toBe(20 + 10);
  });

  it('expires preparations not used within their TTL', async () => {
    const { runner, manager, clock } = setup();
    manager.submit(preCmd('c1', 't', { ttlSec: 60 }), prepTask('t'), {});
    await runner.releaseAll();
    clock.t += 30;
    expect(manager.expire()).toBe(0);
    clock.t += 31;
    expect(manager.expire()).toBe(1);
    expect(await manager.trigger('c1', prepTask('t'), {})).toMatchObject({ hit: false });
    expect(manager.metricsByArm().default.discarded).toBe(1);
  });

  it('keeps the live input unchanged by the shadow run', async () => {
    const { runner, manager } = setup();
    const live = { doc: 'a', nested: { n: 1 } };
    manager.submit(preCmd('c1', 't'), prepTask('t'), live);
    await runner.releaseAll();
    expect(live).toEqual({ doc: 'a', nested: { n: 1 } });
  });

  it('refuses critical steps, steps without prepare and duplicates; keeps metrics per arm', async () => {
    const { runner, manager } = setup();
    expect(manager.submit(preCmd('c1', 'pay'), prepTask('pay', { critical: true }), {})).toBe(false);
    expect(manager.submit(preCmd('c1', 'x'), prepTask('x', { prepare: undefined }), {})).toBe(false);
    expect(manager.submit(preCmd('c1', 't', { arm: 'eager' }), prepTask('t'), {})).toBe(true);
    expect(manager.submit(preCmd('c1', 't', { arm: 'eager' }), prepTask('t'), {})).toBe(false);
    await runner.releaseAll();
    await manager.trigger('c1', prepTask('t'), {});
    expect(Object.keys(manager.metricsByArm())).toEqual(['eager']);
    expect(manager.metricsByArm().eager.hits).toBe(1);
  });
});

describe('prefetch manager report', () => {
  it('compares arms and reports the cache memory in use', async () => {
    const { runner, manager } = setup();
    for (let i = 0; i < 4; i++) manager.submit(preCmd(`a${i}`, 't', { arm: 'control' }), prepTask('t'), { i });
    for (let i = 0; i < 4; i++) manager.submit(preCmd(`b${i}`, 't', { arm: 'eager' }), prepTask('t'), { i });
    while (manager.open > 0 && runner.running > 0) await runner.releaseAll();
    await runner.releaseAll();
    await manager.idle();
    for (let i = 0; i < 4; i++) await manager.trigger(`b${i}`, prepTask('t'), { i });
    await manager.trigger('a0', prepTask('t'), { i: 0 });
    const r = await manager.report('control');
    expect(r.comparison.map((c) => [c.arm, c.hitRate])).toEqual([['control', 0.25], ['eager', 1]]);
    expect(r.cacheUsedBytes).toBe(r.byArm.control.cacheBytes);
    expect(r.cacheUsedBytes).toBeGreaterThan(0);
  });
});
