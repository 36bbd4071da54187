import 'aws-sdk-client-mock-vitest/extend';
import { CreateFleetCommand, DescribeSpotPriceHistoryCommand, GetSpotPlacementScoresCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { clientToken } from '../../../src/adapters/aws/aws-cloud-provider.js';
import { OWNER_TAG_KEY, POOL_TAG_KEY, type LaunchCommand } from '../../../src/core/model/index.js';
import { awsError } from './fake-ec2.js';
import { makeAwsProvider } from './provider-fixture.js';

const launch = (offeringId: string, id = 'tick-1/web/0', count = 2): LaunchCommand =>
  ({ kind: 'launch', id, poolId: 'web', reason: 'test', offeringId, count, needAtSec: 0, expectedCostUsdPerHour: 0.2 });

describe('AwsCloudProvider launches', () => {
  it('sends an instant CreateFleet for spot with price-capacity-optimized, the owner tags and the command id as ClientToken', async () => {
    const { fake, provider } = makeAwsProvider();
    const res = await provider.apply(launch('m5.large/spot/us-east-1b'));
    expect(res).toMatchObject({ status: 'applied' });
    expect(res.instanceIds).toHaveLength(2);
    const tags = [
      { Key: OWNER_TAG_KEY, Value: 'prescale' }, { Key: POOL_TAG_KEY, Value: 'web' },
      { Key: 'prescale:command', Value: 'tick-1/web/0' }, { Key: 'prescale:offering', Value: 'm5.large/spot/us-east-1b' },
    ];
    expect(fake.mock).toHaveReceivedCommandWith(CreateFleetCommand, {
      Type: 'instant', ClientToken: 'tick-1/web/0', DryRun: false,
      TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: 'spot', SpotTargetCapacity: 2, OnDemandTargetCapacity: 0 },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '$Latest' }, Overrides: [{ InstanceType: 'm5.large', AvailabilityZone: 'us-east-1b', SubnetId: 'subnet-bbb' }] }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }, { ResourceType: 'fleet', Tags: tags }],
    });
  });

  it('launches on-demand with the lowest-price strategy and reports on-demand instances', async () => {
    const { fake, provider } = makeAwsProvider();
    await provider.apply(launch('m6i.xlarge/on-demand/us-east-1a', 'od-1', 1));
    expect(fake.mock).toHaveReceivedCommandWith(CreateFleetCommand, { OnDemandOptions: { AllocationStrategy: 'lowest-price' }, TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'on-demand', SpotTargetCapacity: 0, OnDemandTargetCapacity: 1 } });
    const snap = await provider.describeCapacity();
    expect(snap.instances[0]).toMatchObject({ market: 'on-demand', capacityUnits: 4, poolId: 'web', commandId: 'od-1', priceUsdPerHour: 0.192, state: 'pending' });
  });

  it('hashes client tokens longer than the 64 characters EC2 accepts, deterministically', () => {
    const long = 'x'.repeat(100);
    expect(clientToken(long)).toHaveLength(64);
    expect(clientToken(long)).toBe(clientToken(long));
    expect(clientToken('short')).toBe('short');
  });

  it('returns duplicate after a cold start when instances tagged with the command id already exist', async () => {
    const { fake, provider, again } = makeAwsProvider();
    const first = await provider.apply(launch('m5.large/on-demand/us-east-1a'));
    const second = await again().apply(launch('m5.large/on-demand/us-east-1a'));
    expect(second).toEqual({ commandId: 'tick-1/web/0', status: 'duplicate', instanceIds: first.instanceIds });
    expect(fake.mock).toHaveReceivedCommandTimes(CreateFleetCommand, 1);
  });

  it('reports partial fulfilment with the instances that did launch and marks the offering unavailable', async () => {
    const { fake, provider, pool } = makeAwsProvider();
    fake.capacity.set('m5.large/spot/us-east-1a', 1);
    const res = await provider.apply(launch('m5.large/spot/us-east-1a', 'p-1', 3));
    expect(res.status).toBe('partial');
    expect(res.instanceIds).toHaveLength(1);
    expect(res.error?.code).toBe('insufficient-capacity');
    const off = (await provider.offerings(pool)).find((o) => o.id === 'm5.large/spot/us-east-1a');
    expect(off?.available).toBe(false);
  });

  it('marks an offering unavailable after InsufficientInstanceCapacity for 3 minutes, refusing it without calling EC2', async () => {
    const { fake, provider, pool, clock } = makeAwsProvider();
    fake.ice.add('m5.large/spot/us-east-1a');
    expect((await provider.apply(launch('m5.large/spot/us-east-1a', 'a'))).error?.code).toBe('insufficient-capacity');
    expect((await provider.apply(launch('m5.large/spot/us-east-1a', 'b'))).error?.message).toMatch(/marked unavailable/);
    expect(fake.mock).toHaveReceivedCommandTimes(CreateFleetCommand, 1);
    expect((await provider.offerings(pool)).find((o) => o.id === 'm5.large/spot/us-east-1a')?.available).toBe(false);
    clock.sec += 181;
    expect((await provider.offerings(pool)).find((o) => o.id === 'm5.large/spot/us-east-1a')?.available).toBe(true);
  });

  it('names the missing IAM action when EC2 answers UnauthorizedOperation', async () => {
    const { fake, provider } = makeAwsProvider();
    fake.mock.on(CreateFleetCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: abc'));
    const res = await provider.apply(launch('m5.large/spot/us-east-1a'));
    expect(res.status).toBe('failed');
    expect(res.error?.code).toBe('unauthorized');
    expect(res.error?.message).toMatch(/ec2:CreateFleet/);
    expect(res.error?.message).not.toMatch(/abc/);
  });

  it('backs off after throttling: the next command is refused without calling AWS until the window passes', async () => {
    const { fake, provider, clock } = makeAwsProvider();
    fake.failNextFleet = awsError('RequestLimitExceeded', 'Request limit exceeded.');
    expect((await provider.apply(launch('m5.large/spot/us-east-1a', 'a'))).error?.code).toBe('throttled');
    expect(provider.throttledUntilSec()).toBe(clock.sec + 60);
    expect((await provider.apply(launch('m5.large/spot/us-east-1a', 'b'))).error?.code).toBe('throttled');
    expect(fake.mock).toHaveReceivedCommandTimes(CreateFleetCommand, 1);
    clock.sec += 61;
    expect((await provider.apply(launch('m5.large/spot/us-east-1a', 'c'))).status).toBe('applied');
  });

  it('in dry-run mode sends DryRun and reports dry-run without launching', async () => {
    const { fake, provider } = makeAwsProvider({ dryRun: true });
    const res = await provider.apply(launch('m5.large/spot/us-east-1a'));
    expect(res.status).toBe('dry-run');
    expect(fake.mock).toHaveReceivedCommandWith(CreateFleetCommand, { DryRun: true });
    expect(fake.instances.size).toBe(0);
  });

  it('rejects offerings outside the pool and pools without a launch template as invalid', async () => {
    const { provider } = makeAwsProvider({ launchTemplates: {} });
    expect((await provider.apply(launch('m5.large/spot/eu-west-1a'))).error?.code).toBe('invalid');
    expect((await provider.apply(launch('m5.large/spot/us-east-1a'))).error?.message).toMatch(/no launch template/);
  });
});

describe('AwsCloudProvider terminations and offerings', () => {
  it('lists owned instances across DescribeInstances pages and ignores foreign ones', async () => {
    const { fake, provider } = makeAwsProvider();
    await provider.apply(launch('m5.large/on-demand/us-east-1a', 'l', 5));
    fake.addForeign();
    const snap = await provider.describeCapacity();
    expect(snap.instances).toHaveLength(5);
    expect(snap.atSec).toBe(1_795_000_000);
  });

  it('uses the latest observed spot price per zone and drops spot in zones with a low placement score', async () => {
    const { fake, provider, pool } = makeAwsProvider({ placementScores: true });
    fake.spotPrices.set('m5.large/us-east-1a', 0.031);
    let offs = await provider.offerings(pool);
    expect(offs.find((o) => o.id === 'm5.large/spot/us-east-1a')?.priceUsdPerHour).toBe(0.031);
    expect(offs.find((o) => o.id === 'm5.large/spot/us-east-1b')?.priceUsdPerHour).toBe(0.0384);
    expect(offs.every((o) => ['m5.large', 'm5.xlarge', 'm6i.large', 'm6i.xlarge'].includes(o.instanceType))).toBe(true);
    expect(fake.mock).toHaveReceivedCommandWith(DescribeSpotPriceHistoryCommand, { ProductDescriptions: ['Linux/UNIX'] });
    expect(fake.mock).toHaveReceivedCommandWith(GetSpotPlacementScoresCommand, { SingleAvailabilityZone: false, RegionNames: ['us-east-1'] });
    const { fake: fake2, provider: p2 } = makeAwsProvider({ placementScores: true });
    fake2.placementScore = 2;
    offs = await p2.offerings(pool);
    expect(offs.filter((o) => o.market === 'spot').every((o) => !o.available)).toBe(true);
    expect(offs.filter((o) => o.market === 'on-demand').every((o) => o.available)).toBe(true);
  });
});
