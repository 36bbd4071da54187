import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { describeCacheScalingContract } from '../../contract/cloud-provider-cache.contract.js';
import { elastiCacheApi } from '../../../src/adapters/aws/sdk.js';
import { CachePoolSchema } from '../../../src/core/model/index.js';
import { FakeElastiCache } from './fake-elasticache.js';
import { makeAwsProvider, testPool } from './provider-fixture.js';

// ElastiCache through aws-sdk-client-mock, not moto: moto 5.2 has no IncreaseReplicaCount,
// DecreaseReplicaCount or ModifyReplicationGroupShardConfiguration (see fake-elasticache.ts).
describeCacheScalingContract('AwsCloudProvider over mocked ElastiCache', async () => {
  const cachePool = CachePoolSchema.parse({ kind: 'elasticache', id: 'prefetch', nodeType: 'cache.r6g.large', shards: 2, replicasPerShard: 1 });
  const ec = new FakeElastiCache(cachePool.addLeadTimeSec * 1000, cachePool.removeLeadTimeSec * 1000);
  ec.addGroup('prescale-prefetch', 'cache.r6g.large', 2, 1);
  const pool = testPool();
  const { provider, fake, clock } = makeAwsProvider({
    pools: [pool, cachePool], elasticache: elastiCacheApi(new ElastiCacheClient({ region: 'us-east-1' })), replicationGroupIds: { prefetch: 'prescale-prefetch' },
  }, pool);
  return {
    provider, cachePool,
    advance: async (sec) => { ec.nowMs += sec * 1000; fake.nowMs += sec * 1000; clock.sec += sec; },
    injectCacheFailure: (code) => { ec.failWith = code === 'throttled' ? 'ThrottlingException' : code === 'unauthorized' ? 'AccessDenied' : 'InternalFailure'; },
  };
});
