/** Builds an AwsCloudProvider over the in-memory {@link FakeEc2} for tests and the contract suite. */
import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient, GetProductsCommand } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsCloudProvider, type AwsCloudProviderOptions } from '../../../src/adapters/aws/aws-cloud-provider.js';
import { AwsPriceCatalog } from '../../../src/adapters/aws/aws-price-catalog.js';
import { ec2Api, pricingApi } from '../../../src/adapters/aws/sdk.js';
import { Ec2PoolSchema, type Ec2Pool } from '../../../src/core/model/index.js';
import { awsError, FakeEc2 } from './fake-ec2.js';
import { ManualClock as FakeManualClock } from '../../fakes/manual-clock.js';

/** A manual clock. */
export class ManualClock extends FakeManualClock {
  constructor(startSec = 1_795_000_000) {
    super(startSec);
  }
  /** Epoch seconds now; setting it advances the clock (forward only, firing due timers). */
  get sec(): number {
    return this.nowSec();
  }
  set sec(sec: number) {
    this.advanceTo(sec);
  }
}

/** A pool of m5/m6i 2..4 vCPU types in two zones. */
export function testPool(overrides: Partial<Ec2Pool> = {}): Ec2Pool {
  return Ec2PoolSchema.parse({
    kind: 'ec2', id: 'web', availabilityZones: ['us-east-1a', 'us-east-1b'],
    instanceRequirements: { vcpuMin: 2, vcpuMax: 4, allowedFamilies: ['m5', 'm6i'] }, ...overrides,
  });
}

/** A provider, its fake EC2 and clock. The Pricing API is mocked as denied, so the static table is used. */
export function makeAwsProvider(opts: Partial<AwsCloudProviderOptions> = {}, pool = testPool()) {
  const fake = new FakeEc2();
  mockClient(PricingClient).on(GetProductsCommand).rejects(awsError('AccessDeniedException', 'pricing:GetProducts not allowed'));
  const clock = new ManualClock();
  const prices = new AwsPriceCatalog({ api: pricingApi(new PricingClient({ region: 'us-east-1' })), clock });
  /** A fresh provider (as after a Lambda cold start) over the same fake account. */
  const again = (more: Partial<AwsCloudProviderOptions> = {}) => new AwsCloudProvider({
    ec2: ec2Api(new EC2Client({ region: 'us-east-1' })),
    prices, clock, region: 'us-east-1', pools: [pool],
    launchTemplates: { [pool.id]: { launchTemplateId: 'lt-0123456789abcdef0' } },
    subnetsByAz: { 'us-east-1a': 'subnet-aaa', 'us-east-1b': 'subnet-bbb' },
    ...opts,
    ...more,
  });
  return { fake, clock, provider: again(), pool, prices, again };
}
