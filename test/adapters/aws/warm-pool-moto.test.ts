/**
 * EC2 Auto Scaling warm pools through the AWS provider, on a moto server (moto 5.2 implements
 * PutWarmPool / DescribeWarmPool configuration; it launches no instances into the pool, so the
 * warm-start behaviour is covered by the warm-pool contract on the simulator and the fake).
 */
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeWarmPoolCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoScalingApi } from '../../../src/adapters/aws/auto-scaling-pools.js';
import { AwsCloudProvider } from '../../../src/adapters/aws/aws-cloud-provider.js';
import { AwsPriceCatalog } from '../../../src/adapters/aws/aws-price-catalog.js';
import { ec2Api, pricingApi } from '../../../src/adapters/aws/sdk.js';
import { OWNER_TAG_KEY, type WarmPoolCommand } from '../../../src/core/model/index.js';
import { awsError } from './fake-ec2.js';
import { motoMissing, startMoto, type Moto } from './moto-server.js';
import { ManualClock, testPool } from './provider-fixture.js';

let moto: Moto;
beforeAll(async () => { if (!motoMissing) moto = await startMoto(); }, 60_000);
afterAll(async () => { await moto?.close(); });

const warm = (id: string, minSize: number): WarmPoolCommand => ({ kind: 'warm-pool', id, poolId: 'web', reason: 'moto', offeringId: 'm5.large/on-demand/us-east-1a', minSize, expectedCostUsdPerHour: 0 });

describe.skipIf(!!motoMissing)('AWS provider warm pools on a moto server', () => {
  async function setup(tagged: boolean) {
    mockClient(PricingClient).on(GetProductsCommand).rejects(awsError('AccessDeniedException'));
    const ec2 = new EC2Client(moto.clientConfig);
    const asg = new AutoScalingClient(moto.clientConfig);
    const ami = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
    const suffix = Math.random().toString(36).slice(2);
    const lt = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `wp-${suffix}`, LaunchTemplateData: { ImageId: ami, InstanceType: 'm5.large' } }));
    const name = `web-asg-${suffix}`;
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name, MinSize: 0, MaxSize: 10, DesiredCapacity: 0, AvailabilityZones: ['us-east-1a'],
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
      Tags: tagged ? [{ Key: OWNER_TAG_KEY, Value: 'prescale', PropagateAtLaunch: true }] : [],
    }));
    const clock = new ManualClock();
    const provider = new AwsCloudProvider({
      ec2: ec2Api(ec2), prices: new AwsPriceCatalog({ api: pricingApi(new PricingClient({ region: 'us-east-1' })), clock }), clock, region: 'us-east-1',
      pools: [testPool({ markets: ['on-demand'] })], launchTemplates: { web: { launchTemplateId: lt.LaunchTemplate!.LaunchTemplateId! } },
      autoScaling: autoScalingApi(asg), autoScalingGroups: { web: { name } },
    });
    return { asg, name, provider };
  }

  it('puts an absolute-size Stopped warm pool with reuse on scale-in, and describes it in the capacity snapshot', async () => {
    const { asg, name, provider } = await setup(true);
    expect(await provider.apply(warm('wp-moto-1', 3))).toMatchObject({ status: 'applied' });
    const cfg = (await asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: name }))).WarmPoolConfiguration;
    expect(cfg).toMatchObject({ MinSize: 3, MaxGroupPreparedCapacity: 3, PoolState: 'Stopped', InstanceReusePolicy: { ReuseOnScaleIn: true } });
    expect((await provider.describeCapacity()).warmPools).toEqual([{ poolId: 'web', offeringId: `pending/on-demand/${name}`, minSize: 3, stoppedCount: 0, pendingCount: 0 }]);
    // resized by a later tick, then emptied
    expect(await provider.apply(warm('wp-moto-2', 1))).toMatchObject({ status: 'applied' });
    expect((await asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: name }))).WarmPoolConfiguration).toMatchObject({ MinSize: 1, MaxGroupPreparedCapacity: 1 });
    expect(await provider.apply(warm('wp-moto-3', 0))).toMatchObject({ status: 'applied' });
    expect((await provider.describeCapacity()).warmPools?.[0]?.minSize).toBe(0);
  });

  it('never changes the warm pool of a group without prescale\'s owner tag', async () => {
    const { asg, name, provider } = await setup(false);
    const res = await provider.apply(warm('wp-moto-4', 2));
    expect(res).toMatchObject({ status: 'failed', error: { code: 'not-owned' } });
    expect((await asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: name }))).WarmPoolConfiguration).toBeUndefined();
  });
});
