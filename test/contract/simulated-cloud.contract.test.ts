import { describeCloudProviderContract } from './cloud-provider.contract.js';
import { describeCacheScalingContract } from './cloud-provider-cache.contract.js';
import { describeWarmPoolContract } from './cloud-provider-warm-pool.contract.js';
import { CachePoolSchema } from '../../src/core/model/index.js';
import { testOfferings, testPool } from '../fakes/offerings.js';
import { createRandom } from '../../src/core/rng.js';
import { EventQueue } from '../../src/sim/event-queue.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import type { SimEvent } from '../../src/sim/sim-events.js';
import { SimulatedCloud } from '../../src/sim/cloud/simulated-cloud.js';
import { advanceCloudTo } from '../../src/sim/cloud/drive.js';
import { WARM_START_RANGE_SEC } from '../../src/sim/cloud/warm-pool.js';

describeCloudProviderContract('SimulatedCloud', async () => {
  const pool = testPool();
  const clock = new SimClock(1_000_000);
  const queue = new EventQueue<SimEvent>();
  const offerings = testOfferings(pool);
  const cloud = new SimulatedCloud({ clock, queue, random: createRandom(7), pools: [pool], catalog: () => offerings });
  const unavailableOfferingId = 'm5.large/on-demand/us-east-1a';
  cloud.setOfferingAvailable(unavailableOfferingId, false);
  return {
    provider: cloud,
    pool,
    advance: async (sec) => advanceCloudTo(cloud, queue, clock, clock.nowSec() + sec),
    foreignInstanceId: cloud.addForeignInstance(pool),
    unavailableOfferingId,
    restart: () => cloud,
    setDescribeLag: (sec) => cloud.setDescribeLagSec(sec),
  };
});

describeCacheScalingContract('SimulatedCloud', async () => {
  const pool = testPool();
  const cachePool = CachePoolSchema.parse({ kind: 'elasticache', id: 'prefetch', shards: 2, replicasPerShard: 1 });
  const clock = new SimClock(1_000_000);
  const queue = new EventQueue<SimEvent>();
  const offerings = testOfferings(pool);
  // cache.r6g.large: 0.206 USD per node-hour in us-east-1, 13.07 GiB (AWS ElastiCache pricing and node types)
  const cloud = new SimulatedCloud({
    clock, queue, random: createRandom(7), pools: [pool], catalog: () => offerings,
    caches: [{ pool: cachePool, priceUsdPerNodeHour: 0.206, nodeMemoryGiB: 13.07 }],
  });
  return { provider: cloud, cachePool, advance: async (sec) => advanceCloudTo(cloud, queue, clock, clock.nowSec() + sec) };
});

describeWarmPoolContract('SimulatedCloud', async () => {
  const pool = testPool();
  const clock = new SimClock(1_000_000);
  const queue = new EventQueue<SimEvent>();
  const offerings = testOfferings(pool);
  const cloud = new SimulatedCloud({ clock, queue, random: createRandom(7), pools: [pool], catalog: () => offerings });
  // the default cold lead time is 60–180 s (lead-time.ts), a warm start 30–60 s (warm-pool.ts)
  return { provider: cloud, pool, advance: async (sec) => advanceCloudTo(cloud, queue, clock, clock.nowSec() + sec), maxColdLeadSec: 180, maxWarmStartSec: WARM_START_RANGE_SEC[1] };
});
