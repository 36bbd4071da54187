/**
 * The Redis state cache against a real two-shard Redis cluster (cluster mode enabled, as the CDK
 * stack deploys the prefetch cache): it passes the StateCache contract with `cluster: true`, reaches
 * keys on both shards, and reports memory summed over the primaries. A single-node client cannot
 * (MOVED), which the last test checks so the cluster really has two shards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisStateCache } from '../../../src/adapters/redis/redis-state-cache.js';
import { startTestRedisCluster, type TestRedisCluster } from './redis-cluster.js';
import { stateCacheContract } from './state-cache-contract.js';

let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await startTestRedisCluster();
}, 30_000);
afterAll(async () => {
  await cluster.close();
});

async function connect(): Promise<RedisStateCache> {
  const c = new RedisStateCache(cluster.url, { cluster: true, commandTimeoutMs: 1000, maxReconnectDelayMs: 100 });
  await c.ready();
  return c;
}

stateCacheContract('Redis cluster-mode cache', {
  make: async () => {
    await cluster.flush();
    return connect();
  },
  pass: (sec) => new Promise((r) => setTimeout(r, sec * 1000)),
});

describe('Redis state cache in cluster mode', () => {
  it('stores and reads keys on both shards and sums used memory over the primaries', async () => {
    await cluster.flush();
    const cache = await connect();
    const keys = Array.from({ length: 40 }, (_, i) => `chain-${i}/step`);
    for (const k of keys) await cache.set(k, Buffer.from(k), 60);
    for (const k of keys) expect((await cache.get(k))?.toString()).toBe(k);
    // each shard holds some of the keys
    const perShard = await Promise.all(cluster.ports.map(async (p) => {
      const r = new Redis(p, '127.0.0.1');
      const n = await r.dbsize();
      r.disconnect();
      return n;
    }));
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard[0] + perShard[1]).toBe(keys.length);
    const single = await Promise.all(cluster.ports.map(async (p) => {
      const r = new Redis(p, '127.0.0.1');
      const info = await r.info('memory');
      r.disconnect();
      return Number(/^used_memory:(\d+)/m.exec(info)![1]);
    }));
    const used = await cache.usedBytes();
    expect(used).toBeGreaterThan(Math.max(...single) * 0.9);
    await cache.close();
  });

  it('needs the cluster client: a single-node client is redirected (MOVED) for keys on the other shard', async () => {
    const plain = new Redis(cluster.url, { maxRetriesPerRequest: 0 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => plain.set(`prescale:k${i}`, 'v')));
    plain.disconnect();
    expect(results.some((r) => r.status === 'rejected' && /MOVED/.test(String(r.reason)))).toBe(true);
  });
});
