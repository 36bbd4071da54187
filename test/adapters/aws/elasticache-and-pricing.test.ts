import 'aws-sdk-client-mock-vitest/extend';
import {
  DecreaseReplicaCountCommand, DescribeReplicationGroupsCommand, ElastiCacheClient, IncreaseReplicaCountCommand,
  ModifyReplicationGroupShardConfigurationCommand, type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from '../../../src/adapters/aws/aws-cloud-provider.js';
import { AwsPriceCatalog } from '../../../src/adapters/aws/aws-price-catalog.js';
import { ec2Api, elastiCacheApi, pricingApi } from '../../../src/adapters/aws/sdk.js';
import { CachePoolSchema, type ScaleCacheCommand } from '../../../src/core/model/index.js';
import { awsError } from './fake-ec2.js';
import { ManualClock } from './provider-fixture.js';

const ec = mockClient(ElastiCacheClient);
const pricing = mockClient(PricingClient);
mockClient(EC2Client).on(DescribeInstancesCommand).resolves({ Reservations: [] });
const pool = CachePoolSchema.parse({ kind: 'elasticache', id: 'prefetch', nodeType: 'cache.r6g.large' });
const group = (shards: number, replicas: number, status = 'available'): ReplicationGroup => ({
  ReplicationGroupId: 'prescale-prefetch', Status: status, CacheNodeType: 'cache.r6g.large',
  NodeGroups: Array.from({ length: shards }, (_, s) => ({ NodeGroupId: `000${s + 1}`, NodeGroupMembers: Array.from({ length: replicas + 1 }, () => ({})) })),
});
const scale = (shards: number, replicasPerShard: number, id = 's-1'): ScaleCacheCommand => ({ kind: 'scale-cache', id, poolId: 'prefetch', reason: 't', shards, replicasPerShard });

function provider(dryRun = false) {
  const clock = new ManualClock();
  const prices = new AwsPriceCatalog({ api: pricingApi(new PricingClient({ region: 'us-east-1' })), clock });
  return new AwsCloudProvider({
    ec2: ec2Api(new EC2Client({ region: 'us-east-1' })), elasticache: elastiCacheApi(new ElastiCacheClient({ region: 'us-east-1' })),
    prices, clock, region: 'us-east-1', pools: [pool], launchTemplates: {}, replicationGroupIds: { prefetch: 'prescale-prefetch' }, dryRun,
  });
}

describe('AwsCloudProvider cache pools', () => {
  beforeEach(() => {
    ec.reset();
    pricing.reset();
    pricing.on(GetProductsCommand).rejects(awsError('AccessDeniedException'));
  });

  it('describes the replication group shape and prices nodes from the static table when Pricing is denied', async () => {
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(2, 1)] });
    const snap = await provider().describeCapacity();
    expect(snap.caches).toEqual([{ poolId: 'prefetch', replicationGroupId: 'prescale-prefetch', nodeType: 'cache.r6g.large', shards: 2, replicasPerShard: 1, priceUsdPerNodeHour: 0.206 }]);
  });

  it('changes shards first (removing the highest node groups), then replicas on a later command', async () => {
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(3, 1)] });
    const p = provider();
    expect((await p.apply(scale(2, 2))).status).toBe('partial');
    expect(ec).toHaveReceivedCommandWith(ModifyReplicationGroupShardConfigurationCommand, { ReplicationGroupId: 'prescale-prefetch', NodeGroupCount: 2, ApplyImmediately: true, NodeGroupsToRemove: ['0003'] });
    expect(ec).toHaveReceivedCommandTimes(IncreaseReplicaCountCommand, 0);
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(2, 1)] });
    expect((await p.apply(scale(2, 2, 's-2'))).status).toBe('applied');
    expect(ec).toHaveReceivedCommandWith(IncreaseReplicaCountCommand, { NewReplicaCount: 2, ApplyImmediately: true });
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(2, 2)] });
    expect((await p.apply(scale(2, 0, 's-3'))).status).toBe('applied');
    expect(ec).toHaveReceivedCommandWith(DecreaseReplicaCountCommand, { NewReplicaCount: 0 });
  });

  it('refuses to modify a group that is already modifying, and only validates in dry-run', async () => {
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(1, 1, 'modifying')] });
    expect((await provider().apply(scale(1, 2))).error?.message).toMatch(/modifying/);
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(1, 1)] });
    expect((await provider(true).apply(scale(1, 2))).status).toBe('dry-run');
    expect(ec).toHaveReceivedCommandTimes(IncreaseReplicaCountCommand, 0);
  });

  it('maps an access-denied modification to unauthorized naming the ElastiCache action', async () => {
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group(1, 1)] });
    ec.on(IncreaseReplicaCountCommand).rejects(awsError('AccessDenied', 'User is not authorized'));
    const res = await provider().apply(scale(1, 2));
    expect(res.error?.code).toBe('unauthorized');
    expect(res.error?.message).toMatch(/elasticache:/);
  });
});

describe('AwsPriceCatalog', () => {
  beforeEach(() => pricing.reset());

  it('reads Linux shared-tenancy prices from GetProducts pages and keeps the spot ratio of the static table', async () => {
    const product = (instanceType: string, usd: string, vcpu: string, memory: string, physicalProcessor = 'Intel Xeon') => JSON.stringify({
      product: { attributes: { instanceType, vcpu, memory, physicalProcessor, currentGeneration: 'Yes' } },
      terms: { OnDemand: { 'X.Y': { priceDimensions: { 'X.Y.Z': { unit: 'Hrs', pricePerUnit: { USD: usd } } } } } },
    });
    pricing.on(GetProductsCommand)
      .resolvesOnce({ PriceList: [product('m5.large', '0.0960000000', '2', '8 GiB')], NextToken: 'n' })
      .resolvesOnce({ PriceList: [product('m7g.large', '0.0816000000', '2', '8 GiB', 'AWS Graviton3 Processor')] });
    const cat = new AwsPriceCatalog({ api: pricingApi(new PricingClient({ region: 'us-east-1' })), clock: new ManualClock() });
    const rows = await cat.instanceTypes('eu-west-1');
    expect(rows.map((r) => [r.instanceType, r.arch, r.onDemandUsdPerHour])).toEqual([['m5.large', 'x86_64', 0.096], ['m7g.large', 'arm64', 0.0816]]);
    expect(rows[0].spotUsdPerHour).toBeCloseTo(0.0384, 6);
    expect(cat.describe()).toBe('AWS Price List API (eu-west-1)');
    expect(pricing).toHaveReceivedCommandWith(GetProductsCommand, { ServiceCode: 'AmazonEC2', Filters: expect.arrayContaining([{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' }]) });
    await cat.instanceTypes('eu-west-1');
    expect(pricing).toHaveReceivedCommandTimes(GetProductsCommand, 2);
  });

  it('falls back to the static table and says so when the Pricing API fails', async () => {
    pricing.on(GetProductsCommand).rejects(awsError('ThrottlingException'));
    const cat = new AwsPriceCatalog({ api: pricingApi(new PricingClient({ region: 'us-east-1' })), clock: new ManualClock() });
    expect((await cat.instanceTypes('us-east-1')).length).toBeGreaterThan(10);
    expect(cat.describe()).toMatch(/static price table .*ThrottlingException/);
  });
});
