import 'aws-sdk-client-mock-vitest/extend';
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeReplicationGroupsCommand, ElastiCacheClient, IncreaseReplicaCountCommand, type ReplicationGroup } from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { elastiCacheApi } from '../../../src/adapters/aws/sdk.js';
import { CachePoolSchema, POOL_TAG_KEY, type LaunchCommand } from '../../../src/core/model/index.js';
import { awsError } from './fake-ec2.js';
import { makeAwsProvider } from './provider-fixture.js';

const launch = (offeringId: string, id = 'tick-1/web/0', count = 2): LaunchCommand =>
  ({ kind: 'launch', id, poolId: 'web', reason: 'test', offeringId, count, needAtSec: 0, expectedCostUsdPerHour: 0.2 });

describe('AwsCloudProvider terminate: owned and in the pool only, the rest reported', () => {
  it('terminates the owned instances of the pool and reports a stale id and a foreign one without failing the whole command', async () => {
    const { fake, provider } = makeAwsProvider();
    const mine = await provider.apply(launch('m5.large/on-demand/us-east-1a'));
    const foreign = fake.addForeign();
    const res = await provider.apply({ kind: 'terminate', id: 't-1', poolId: 'web', reason: 'x', instanceIds: [...mine.instanceIds, foreign, 'i-0000stale'] });
    expect(res.status).toBe('partial');
    expect([...res.instanceIds].sort()).toEqual([...mine.instanceIds].sort());
    expect(res.error?.code).toBe('not-owned');
    expect(res.error?.message).toContain(foreign);
    expect(res.error?.message).toContain('i-0000stale');
    expect(fake.mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [...mine.instanceIds] });
  });

  it('does not terminate an owned instance tagged with another pool', async () => {
    const { fake, provider } = makeAwsProvider();
    const mine = await provider.apply(launch('m5.large/on-demand/us-east-1a', 'l-1', 1));
    const other = await provider.apply(launch('m5.large/on-demand/us-east-1a', 'l-2', 1));
    const inst = fake.instances.get(other.instanceIds[0])!;
    inst.Tags = inst.Tags!.map((t) => (t.Key === POOL_TAG_KEY ? { Key: POOL_TAG_KEY, Value: 'batch' } : t));
    const res = await provider.apply({ kind: 'terminate', id: 't-2', poolId: 'web', reason: 'x', instanceIds: [mine.instanceIds[0], other.instanceIds[0]] });
    expect(res.status).toBe('partial');
    expect(res.instanceIds).toEqual([mine.instanceIds[0]]);
    expect(res.error?.message).toMatch(/pool/);
    expect(fake.instances.get(other.instanceIds[0])!.State!.Name).toBe('pending');
  });

  it('fails with not-owned and calls no TerminateInstances when nothing is owned', async () => {
    const { fake, provider } = makeAwsProvider();
    const res = await provider.apply({ kind: 'terminate', id: 't-3', poolId: 'web', reason: 'x', instanceIds: ['i-0000stale'] });
    expect(res).toMatchObject({ status: 'failed', error: { code: 'not-owned' } });
    expect(fake.mock).toHaveReceivedCommandTimes(TerminateInstancesCommand, 0);
  });
});

describe('AwsCloudProvider spot price sanity band', () => {
  it('falls back to the catalog spot price when the observed price is below 10% or above 100% of on-demand', async () => {
    const { fake, provider, pool } = makeAwsProvider();
    fake.spotPrices.set('m5.large/us-east-1a', 0.00001);
    fake.spotPrices.set('m5.large/us-east-1b', 0.5);
    fake.spotPrices.set('m6i.large/us-east-1a', 0.04);
    const offs = await provider.offerings(pool);
    // m5.large: on-demand 0.096, catalog spot 0.0384 (core/market's table)
    expect(offs.find((o) => o.id === 'm5.large/spot/us-east-1a')?.priceUsdPerHour).toBe(0.0384);
    expect(offs.find((o) => o.id === 'm5.large/spot/us-east-1b')?.priceUsdPerHour).toBe(0.0384);
    expect(offs.find((o) => o.id === 'm6i.large/spot/us-east-1a')?.priceUsdPerHour).toBe(0.04);
  });
});

describe('AwsCloudProvider ElastiCache modification in progress', () => {
  const pool = CachePoolSchema.parse({ kind: 'elasticache', id: 'prefetch', nodeType: 'cache.r6g.large' });
  const group = (status: string): ReplicationGroup => ({
    ReplicationGroupId: 'prefetch', Status: status, CacheNodeType: 'cache.r6g.large',
    NodeGroups: [{ NodeGroupId: '0001', NodeGroupMembers: [{}, {}] }],
  });
  const make = () => {
    const ec = mockClient(ElastiCacheClient);
    const { provider } = makeAwsProvider({ elasticache: elastiCacheApi(new ElastiCacheClient({ region: 'us-east-1' })), pools: [pool] });
    return { ec, provider };
  };
  const cmd = { kind: 'scale-cache' as const, id: 's-1', poolId: 'prefetch', reason: 't', shards: 1, replicasPerShard: 2 };

  it('maps InvalidReplicationGroupState to retry-later, not invalid', async () => {
    const { ec, provider } = make();
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group('available')] });
    ec.on(IncreaseReplicaCountCommand).rejects(awsError('InvalidReplicationGroupState', 'Cluster is not in available state'));
    const res = await provider.apply(cmd);
    expect(res.error?.code).toBe('retry-later');
    ec.restore();
  });

  it('reports a group still modifying as retry-later', async () => {
    const { ec, provider } = make();
    ec.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group('modifying')] });
    expect((await provider.apply(cmd)).error?.code).toBe('retry-later');
    ec.restore();
  });
});

describe('AwsCloudProvider fleet errors that make an offering unavailable', () => {
  it.each([
    ['Unsupported', 'unsupported'], ['VcpuLimitExceeded', 'quota-exceeded'], ['MaxSpotInstanceCountExceeded', 'quota-exceeded'],
    ['InsufficientInstanceCapacity', 'insufficient-capacity'], ['UnfulfillableCapacity', 'insufficient-capacity'],
  ])('maps CreateFleet error %s to %s', async (awsCode, code) => {
    const { fake, provider } = makeAwsProvider();
    fake.fleetErrors.set('m5.large/spot/us-east-1a', awsCode);
    const res = await provider.apply(launch('m5.large/spot/us-east-1a', `l-${awsCode}`, 1));
    expect(res).toMatchObject({ status: 'failed', error: { code } });
  });
});
