import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateCache } from '../../../src/adapters/redis/redis-state-cache.js';
import { CacheUnavailableError } from '../../../src/ports/state-cache.js';
import { PrefetchManager } from '../../../src/app/prefetch/prefetch-manager.js';
import { preparedStateKey } from '../../../src/app/prefetch/state-key.js';
import { ControlledRunner, ManualClock, preCmd, prepTask } from '../../app/prefetch/helpers.js';
import { startTestRedis, type TestRedis } from './redis-server.js';
import { stateCacheContract } from './state-cache-contract.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.close();
});

async function connect(): Promise<RedisStateCache> {
  const c = new RedisStateCache(redis.url, { commandTimeoutMs: 500, maxReconnectDelayMs: 100 });
  await c.ready();
  return c;
}

stateCacheContract('Redis cache', {
  make: async () => {
    await redis.flush();
    return connect();
  },
  pass: (sec) => new Promise((r) => setTimeout(r, sec * 1000)),
});

describe('Redis prepared-state cache with the prefetch manager', () => {
  it('stores prepared state under versioned keys and rejects state prepared from other inputs', async () => {
    await redis.flush();
    const cache = await connect();
    const clock = new ManualClock();
    const runner = new ControlledRunner(clock, 5);
    const manager = new PrefetchManager({ runner, cache, clock }, { maxConcurrent: 2 });
    const task = prepTask('load');
    manager.submit(preCmd('c1', 'load'), task, { doc: 'v1' });
    await runner.releaseAll();
    await manager.idle(); // the state is stored in Redis (real I/O) before the manager goes idle
    expect(await cache.get(preparedStateKey('c1', task, { doc: 'v1' }))).toBeDefined();
    expect(await cache.get(preparedStateKey('c1', task, { doc: 'v2' }))).toBeUndefined();
    const stale = await manager.trigger('c1', task, { doc: 'v2' });
    expect(stale).toMatchObject({ hit: false, reason: 'stale' });
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.get(preparedStateKey('c1', task, { doc: 'v1' }))).toBeUndefined();

    manager.submit(preCmd('c2', 'load'), task, { doc: 'v1' });
    await runner.releaseAll();
    await manager.idle(); // the state is stored in Redis (real I/O) before the manager goes idle
    const hit = await manager.trigger('c2', task, { doc: 'v1' });
    expect(hit).toMatchObject({ hit: true, savedSetupSec: 5 });
    await cache.close();
  });

  it('degrades to cold runs while Redis is away, loses nothing, and recovers when it returns', async () => {
    await redis.flush();
    const cache = await connect();
    const clock = new ManualClock();
    const runner = new ControlledRunner(clock, 5);
    const manager = new PrefetchManager({ runner, cache, clock }, { maxConcurrent: 2 });
    const task = prepTask('load');

    // Prepared while Redis is up, then Redis goes away before the step is triggered.
    manager.submit(preCmd('c1', 'load'), task, { doc: 1 });
    await runner.releaseAll();
    await manager.idle(); // the state is stored in Redis (real I/O) before the manager goes idle
    await redis.goAway();
    await expect(cache.get('anything')).rejects.toBeInstanceOf(CacheUnavailableError);
    const cold = await manager.trigger('c1', task, { doc: 1 });
    expect(cold).toMatchObject({ hit: false, reason: 'cache-unavailable' });

    // Prepared while Redis is away: storing fails, the preparation is counted wasted, nothing throws.
    manager.submit(preCmd('c2', 'load'), task, { doc: 2 });
    await runner.releaseAll();
    await manager.idle(); // the state is stored in Redis (real I/O) before the manager goes idle
    expect(manager.open).toBe(0);
    const cold2 = await manager.trigger('c2', task, { doc: 2 });
    expect(cold2.hit).toBe(false);

    // Redis returns: the same manager and cache client work again.
    await redis.comeBack();
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = await cache.usedBytes().then(() => true, () => false);
      if (!recovered) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recovered).toBe(true);
    manager.submit(preCmd('c3', 'load'), task, { doc: 3 });
    await runner.releaseAll();
    await manager.idle(); // the state is stored in Redis (real I/O) before the manager goes idle
    const hit = await manager.trigger('c3', task, { doc: 3 });
    expect(hit.hit).toBe(true);

    const m = manager.metricsByArm().default;
    // Every preparation is accounted for: resumed once, the two hit by the outage discarded.
    expect(m.prepared).toBe(3);
    expect(m.hits).toBe(1);
    expect(m.discarded).toBe(2);
    expect(m.hits + m.discarded).toBe(m.prepared);
    expect(m.misses).toBe(1);
    expect(m.cacheErrors).toBeGreaterThanOrEqual(2);
    expect(manager.open).toBe(0);
    await cache.close();
  });
});
