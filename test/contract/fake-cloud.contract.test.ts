import { describeCloudProviderContract } from './cloud-provider.contract.js';
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
