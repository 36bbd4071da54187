import { describeCloudProviderContract } from './cloud-provider.contract.js';
import { describeCacheScalingContract } from './cloud-provider-cache.contract.js';
import { describeWarmPoolContract } from './cloud-provider-warm-pool.contract.js';
import { CachePoolSchema } from '../../src/core/model/index.js';
import { FakeCloud } from '../fakes/fake-cloud.js';
import { testOfferings, testPool } from '../fakes/offerings.js';

describeCloudProviderContract('FakeCloud', async () => {
  const pool = testPool();
  const offerings = testOfferings(pool, ['m5.large/on-demand/us-east-1a']);
  const cloud = new FakeCloud(offerings, 1_000_000, 90);
  return {
    provider: cloud,
    pool,
    advance: async (sec) => cloud.advance(sec),
    foreignInstanceId: cloud.addForeign(pool.id),
    unavailableOfferingId: 'm5.large/on-demand/us-east-1a',
    // the fake holds only cloud-side state (no process memory), so a restart is the same object
    restart: () => cloud,
    setDescribeLag: (sec) => { cloud.describeLagSec = sec; },
  };
});

describeCacheScalingContract('FakeCloud', async () => {
  const pool = testPool();
  const cachePool = CachePoolSchema.parse({ kind: 'elasticache', id: 'prefetch', shards: 2, replicasPerShard: 1 });
  const cloud = new FakeCloud(testOfferings(pool), 1_000_000, 90);
  cloud.addCacheGroup(cachePool);
  return {
    provider: cloud,
    cachePool,
    advance: async (sec) => cloud.advance(sec),
    injectCacheFailure: (code) => { cloud.cacheFailures.set(cachePool.id, { code, message: `injected ${code}` }); },
  };
});

describeWarmPoolContract('FakeCloud', async () => {
  const pool = testPool();
  const cloud = new FakeCloud(testOfferings(pool), 1_000_000, 90, 30);
  return { provider: cloud, pool, advance: async (sec) => cloud.advance(sec), maxColdLeadSec: 90, maxWarmStartSec: 30 };
});
