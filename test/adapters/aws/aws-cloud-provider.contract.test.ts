import { describeCloudProviderContract } from '../../contract/cloud-provider.contract.js';
import { makeAwsProvider } from './provider-fixture.js';

describeCloudProviderContract('AwsCloudProvider over mocked EC2', async () => {
  const { fake, provider, pool } = makeAwsProvider();
  fake.ice.add('m5.large/spot/us-east-1a');
  return { provider, pool, foreignInstanceId: fake.addForeign(), unavailableOfferingId: 'm5.large/spot/us-east-1a' };
});
