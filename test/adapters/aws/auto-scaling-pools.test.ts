import 'aws-sdk-client-mock-vitest/extend';
import {
  AutoScalingClient, CreateOrUpdateTagsCommand, DescribeAutoScalingGroupsCommand, DescribeWarmPoolCommand, PutWarmPoolCommand,
  SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { autoScalingApi } from '../../../src/adapters/aws/auto-scaling-pools.js';
import { OWNER_TAG_KEY, POOL_TAG_KEY, type LaunchCommand } from '../../../src/core/model/index.js';
import { parseDeploymentConfig } from '../../../src/handlers/deployment-config.js';
import { makeAwsProvider, testPool } from './provider-fixture.js';

const asg = mockClient(AutoScalingClient);
const group = (over: Partial<AutoScalingGroup> = {}): AutoScalingGroup => ({
  AutoScalingGroupName: 'web-asg', DesiredCapacity: 2, MinSize: 0, MaxSize: 5, Instances: [], Tags: [], ...over,
} as AutoScalingGroup);
const launch = (id: string, count: number): LaunchCommand => ({ kind: 'launch', id, poolId: 'web', reason: 't', offeringId: 'm5.large/on-demand/us-east-1a', count, needAtSec: 0, expectedCostUsdPerHour: 0 });
const pool = testPool({ markets: ['on-demand'] });

function provider(warmPoolMinSize?: number, dryRun = false) {
  return makeAwsProvider({
    autoScaling: autoScalingApi(new AutoScalingClient({ region: 'us-east-1' })), dryRun,
    autoScalingGroups: { web: { name: 'web-asg', ...(warmPoolMinSize !== undefined ? { warmPoolMinSize } : {}) } },
  }, pool);
}

describe('Auto Scaling group pools', () => {
  beforeEach(() => {
    asg.reset();
    asg.on(SetDesiredCapacityCommand).resolves({});
    asg.on(CreateOrUpdateTagsCommand).resolves({});
    asg.on(PutWarmPoolCommand).resolves({});
    asg.on(DescribeWarmPoolCommand).resolves({}); // the group has no warm pool yet
  });

  it('raises the desired capacity by the launch count, tags the command id and creates the configured warm pool the group lacks', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group()] });
    const { provider: p, fake } = provider(3);
    expect((await p.apply(launch('l-1', 2))).status).toBe('applied');
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'web-asg', DesiredCapacity: 4, HonorCooldown: false });
    expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, { Tags: [expect.objectContaining({ Key: 'prescale:last-command', Value: 'l-1' }), expect.objectContaining({ Key: 'prescale:last-target', Value: '4' })] });
    expect(asg).toHaveReceivedCommandWith(PutWarmPoolCommand, { AutoScalingGroupName: 'web-asg', MinSize: 3, PoolState: 'Stopped' });
    expect(fake.instances.size).toBe(0);
  });

  it('clamps to MaxSize (partial) and reports a repeated command as duplicate from the group tag', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ DesiredCapacity: 4 })] });
    const { provider: p } = provider();
    expect(await p.apply(launch('l-2', 3))).toMatchObject({ status: 'partial', error: { code: 'limit-exceeded' } });
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ Tags: [{ Key: 'prescale:last-command', Value: 'l-3' }] })] });
    expect((await provider().provider.apply(launch('l-3', 1))).status).toBe('duplicate');
  });

  it('terminates owned group members of the pool with a decrement and reports foreign instances without failing', async () => {
    const { provider: p, fake } = provider();
    fake.instances.set('i-own', { InstanceId: 'i-own', State: { Name: 'running' }, Tags: [{ Key: OWNER_TAG_KEY, Value: 'prescale' }, { Key: POOL_TAG_KEY, Value: 'web' }] });
    const foreign = fake.addForeign();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ Instances: [{ InstanceId: 'i-own' }, { InstanceId: foreign }] as never })] });
    const res = await p.apply({ kind: 'terminate', id: 't-1', poolId: 'web', reason: 't', instanceIds: ['i-own', foreign] });
    expect(res).toMatchObject({ status: 'partial', instanceIds: ['i-own'], error: { code: 'not-owned' } });
    expect(res.error?.message).toContain(foreign);
    expect(asg).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 1);
    expect(asg).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-own', ShouldDecrementDesiredCapacity: true });
  });

  it('sets an absolute desired capacity recorded on the group first: a retry after a lost SetDesiredCapacity response adds nothing', async () => {
    const g = group({ DesiredCapacity: 2 });
    asg.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({ AutoScalingGroups: [structuredClone(g)] }));
    asg.on(CreateOrUpdateTagsCommand).callsFake((i: { Tags: Array<{ Key: string; Value: string }> }) => {
      for (const t of i.Tags) g.Tags = [...(g.Tags ?? []).filter((x) => x.Key !== t.Key), { Key: t.Key, Value: t.Value }];
      return {};
    });
    let lose = true;
    asg.on(SetDesiredCapacityCommand).callsFake((i: { DesiredCapacity: number }) => {
      g.DesiredCapacity = i.DesiredCapacity;
      if (lose) { lose = false; throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }); }
      return {};
    });
    const first = await provider().provider.apply(launch('l-9', 2));
    expect(first.status).toBe('failed');
    expect(g.DesiredCapacity).toBe(4);
    const retry = await provider().provider.apply(launch('l-9', 2));
    expect(['applied', 'duplicate']).toContain(retry.status);
    expect(g.DesiredCapacity).toBe(4);
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'web-asg', DesiredCapacity: 4 });
  });

  it('reports how many instances a group launch added (no ids yet) so the safety guard can count them', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ DesiredCapacity: 1 })] });
    expect(await provider().provider.apply(launch('l-10', 3))).toMatchObject({ status: 'applied', instanceIds: [], launchedCount: 3 });
  });

  it('changes nothing in dry-run mode', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group()] });
    expect((await provider(3, true).provider.apply(launch('l-4', 1))).status).toBe('dry-run');
    expect(asg).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(PutWarmPoolCommand, 0);
  });

  it('rejects a warm pool on a pool that may buy spot, at configuration time', () => {
    const raw = {
      controller: { pools: [{ kind: 'ec2', id: 'web', markets: ['spot', 'on-demand'] }] },
      aws: { autoScalingGroups: { web: { name: 'web-asg', warmPoolMinSize: 2 } } },
    };
    expect(() => parseDeploymentConfig(raw)).toThrow(/controller\.pools\[0\]\.markets: .*warm pools do not support Spot/);
    const ok = parseDeploymentConfig({ ...raw, controller: { pools: [{ kind: 'ec2', id: 'web', markets: ['on-demand'] }] } });
    expect(ok.aws.autoScalingGroups.web).toEqual({ name: 'web-asg', warmPoolMinSize: 2, planWarmPool: false });
    const planned = { ...raw, aws: { autoScalingGroups: { web: { name: 'web-asg', planWarmPool: true } } } };
    expect(() => parseDeploymentConfig(planned)).toThrow(/warm pools do not support Spot/);
  });
});
