/**
 * The cache half of the CloudProvider contract: every provider that manages ElastiCache replication
 * groups as cache pools (the simulated cloud, the test fake, the AWS provider) describes them and
 * reshapes them with `scale-cache` the same way. Call `describeCacheScalingContract` from a
 * `*.test.ts` file with a factory giving a fresh provider per test.
 *
 * The factory supplies a provider with one cache pool `cachePool` whose group starts in the pool's
 * configured shape (`shards`, `replicasPerShard`, which must leave room for one more replica), and may
 * supply:
 * - `advance(sec)`: moves the provider's (and its cloud's) time on; only then does the suite expect a
 *   modification to complete;
 * - `injectCacheFailure(code)`: from now on the cloud refuses changes to the group with that error
 *   (e.g. `throttled`, `unauthorized`).
 *
 * Scale commands here change replicas only: a provider may need several commands for a change of
 * shards and replicas together (ElastiCache takes one modification at a time).
 */
import { describe, expect, it } from 'vitest';
import type { ApplyErrorCode, CachePool, CacheGroupState, ScaleCacheCommand } from '../../src/core/model/index.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';

/** What a cache contract factory returns. */
export interface CacheProviderUnderTest {
  provider: CloudProvider;
  cachePool: CachePool;
  advance?: (sec: number) => Promise<void>;
  injectCacheFailure?: (code: ApplyErrorCode) => void;
}

function scaleOf(pool: CachePool, id: string, replicasPerShard: number, shards = pool.shards): ScaleCacheCommand {
  return { kind: 'scale-cache', id, poolId: pool.id, reason: 'contract test', shards, replicasPerShard };
}

async function groupOf(t: CacheProviderUnderTest): Promise<CacheGroupState> {
  const g = (await t.provider.describeCapacity()).caches.find((c) => c.poolId === t.cachePool.id);
  if (!g) throw new Error(`contract: describeCapacity lists no group for cache pool ${t.cachePool.id}`);
  return g;
}

/** Registers the cache-scaling contract suite under `name`. */
export function describeCacheScalingContract(name: string, make: () => Promise<CacheProviderUnderTest>): void {
  describe(`CloudProvider cache contract: ${name}`, () => {
    it('describes the cache pool\'s replication group with its shape, node type and a positive node price', async () => {
      const t = await make();
      const g = await groupOf(t);
      expect(g.shards).toBe(t.cachePool.shards);
      expect(g.replicasPerShard).toBe(t.cachePool.replicasPerShard);
      expect(g.nodeType).toBe(t.cachePool.nodeType);
      expect(g.replicationGroupId.length).toBeGreaterThan(0);
      expect(g.priceUsdPerNodeHour).toBeGreaterThan(0);
      expect(g.pending).toBeUndefined();
    });

    it('adds a replica: applied, shown pending with its target while the group modifies, then the new shape once the lead time has passed', async () => {
      const t = await make();
      const before = await groupOf(t);
      const target = before.replicasPerShard + 1;
      const res = await t.provider.apply(scaleOf(t.cachePool, 'contract-cache-grow-1', target));
      expect(res.status).toBe('applied');
      expect(res.error).toBeUndefined();
      const during = await groupOf(t);
      // the change is under way (pending, with its target) or, on a cloud without lead time, done
      if (during.pending) {
        expect(during.pending).toMatchObject({ shards: before.shards, replicasPerShard: target });
        expect(during.replicasPerShard).toBe(before.replicasPerShard);
      } else {
        expect(during.replicasPerShard).toBe(target);
      }
      if (!t.advance) return;
      await t.advance(t.cachePool.addLeadTimeSec + 60);
      const after = await groupOf(t);
      expect(after.pending).toBeUndefined();
      expect([after.shards, after.replicasPerShard]).toEqual([before.shards, target]);
    });

    it('removes a replica after a completed growth, back to the first shape', async () => {
      const t = await make();
      if (!t.advance) return;
      const before = await groupOf(t);
      expect((await t.provider.apply(scaleOf(t.cachePool, 'contract-cache-up', before.replicasPerShard + 1))).status).toBe('applied');
      await t.advance(t.cachePool.addLeadTimeSec + 60);
      expect((await t.provider.apply(scaleOf(t.cachePool, 'contract-cache-down', before.replicasPerShard))).status).toBe('applied');
      await t.advance(t.cachePool.removeLeadTimeSec + 60);
      const after = await groupOf(t);
      expect(after.pending).toBeUndefined();
      expect([after.shards, after.replicasPerShard]).toEqual([before.shards, before.replicasPerShard]);
    });

    it('applies a scale-cache command id once: a repeat returns duplicate and starts nothing more', async () => {
      const t = await make();
      const before = await groupOf(t);
      const cmd = scaleOf(t.cachePool, 'contract-cache-dup-1', before.replicasPerShard + 1);
      expect((await t.provider.apply(cmd)).status).toBe('applied');
      const during = await groupOf(t);
      const again = await t.provider.apply(cmd);
      expect(again.status).toBe('duplicate');
      expect(await groupOf(t)).toEqual(during);
      if (!t.advance) return;
      await t.advance(t.cachePool.addLeadTimeSec + 60);
      expect((await groupOf(t)).replicasPerShard).toBe(before.replicasPerShard + 1);
      expect((await t.provider.apply(cmd)).status).toBe('duplicate');
      expect((await groupOf(t)).replicasPerShard).toBe(before.replicasPerShard + 1);
    });

    it('reports a scale-cache for an unknown cache pool as an invalid command instead of throwing', async () => {
      const t = await make();
      const res = await t.provider.apply({ ...scaleOf(t.cachePool, 'contract-cache-unknown-1', 1), poolId: 'no-such-cache-pool' });
      expect(res.status).toBe('failed');
      expect(res.error?.code).toBe('invalid');
      expect(res.instanceIds).toEqual([]);
    });

    it('comes back failed with the cloud\'s error when the cloud refuses the change, and the group keeps its shape', async () => {
      const t = await make();
      if (!t.injectCacheFailure) return;
      const before = await groupOf(t);
      t.injectCacheFailure('throttled');
      const res = await t.provider.apply(scaleOf(t.cachePool, 'contract-cache-fail-1', before.replicasPerShard + 1));
      expect(res.status).toBe('failed');
      expect(res.error?.code).toBe('throttled');
      const after = await groupOf(t);
      expect([after.shards, after.replicasPerShard, after.pending]).toEqual([before.shards, before.replicasPerShard, undefined]);
    });
  });
}
