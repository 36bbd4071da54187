import { describeCloudProviderContract } from '../../contract/cloud-provider.contract.js';
import { makeAwsProvider } from './provider-fixture.js';

describeCloudProviderContract('AwsCloudProvider over mocked EC2', async () => {
  const { fake, provider, pool, again, clock } = makeAwsProvider();
  fake.ice.add('m5.large/spot/us-east-1a');
  return {
    provider, pool, foreignInstanceId: fake.addForeign(), unavailableOfferingId: 'm5.large/spot/us-east-1a',
    restart: () => again(),
    setDescribeLag: (sec) => { fake.describeLagSec = sec; },
    advance: async (sec) => { fake.nowMs += sec * 1000; clock.sec += sec; },
  };
});
