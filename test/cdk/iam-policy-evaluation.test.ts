/**
 * The controller's synthesized IAM policy, evaluated against the exact CreateFleet request the AWS
 * adapter sends (captured from the SDK mock) and against terminations, since moto enforces no IAM.
 */
import { CreateFleetCommand, type CreateFleetCommandInput } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { OWNER_TAG_KEY, POOL_TAG_KEY, type LaunchCommand } from '../../src/core/model/index.js';
import { makeAwsProvider, testPool } from '../adapters/aws/provider-fixture.js';
import { allows, createFleetRequests, resolve, type Statement } from './iam-evaluator.js';
import { synthStack } from './stack-fixture.js';

let policy: Statement[];
beforeAll(() => {
  const { template } = synthStack();
  const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: 'prescale controller: one tick per minute' } });
  const roleId = Object.keys(roles)[0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: unknown[] } } }>;
  policy = policies.filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId)).flatMap((p) => resolve(p.Properties.PolicyDocument.Statement) as Statement[]);
  expect(policy.length).toBeGreaterThan(3);
});

async function sentFleet(offeringId: string): Promise<CreateFleetCommandInput> {
  const { fake, provider } = makeAwsProvider({}, testPool({ availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }));
  const cmd: LaunchCommand = { kind: 'launch', id: 'tick-1/web/0', poolId: 'web', reason: 't', offeringId, count: 1, needAtSec: 0, expectedCostUsdPerHour: 0.1 };
  expect((await provider.apply(cmd)).status).toBe('applied');
  return fake.mock.commandCalls(CreateFleetCommand)[0].args[0].input as CreateFleetCommandInput;
}

describe('controller IAM policy vs the CreateFleet request the adapter sends', () => {
  it.each(['m5.large/spot/us-east-1a', 'm5.large/on-demand/us-east-1b'])('allows every authorization EC2 makes for a %s launch', async (offeringId) => {
    const input = await sentFleet(offeringId);
    const denied = createFleetRequests(input).filter((r) => !allows(policy, r));
    expect(denied.map((r) => `${r.action} ${r.resource} ${JSON.stringify(r.context)}`)).toEqual([]);
  });

  it('tags the instance, its volumes and the fleet with the owner and pool tags', async () => {
    const input = await sentFleet('m5.large/spot/us-east-1a');
    for (const type of ['instance', 'volume', 'fleet']) {
      const tags = input.TagSpecifications?.find((t) => t.ResourceType === type)?.Tags ?? [];
      expect(tags, type).toEqual(expect.arrayContaining([{ Key: OWNER_TAG_KEY, Value: 'prescale' }, { Key: POOL_TAG_KEY, Value: 'web' }]));
    }
  });

  it('denies a launch whose instance lacks the owner tag, and a launch tagged for another owner', async () => {
    const input = await sentFleet('m5.large/on-demand/us-east-1a');
    const strip = (owner?: string): CreateFleetCommandInput => ({
      ...input,
      TagSpecifications: input.TagSpecifications!.map((s) => ({ ...s, Tags: s.Tags!.flatMap((t) => (t.Key !== OWNER_TAG_KEY ? [t] : owner ? [{ Key: t.Key, Value: owner }] : [])) })),
    });
    for (const variant of [strip(), strip('someone-else')]) {
      const instance = createFleetRequests(variant).find((r) => r.action === 'ec2:RunInstances' && r.resource.includes(':instance/'))!;
      expect(allows(policy, instance)).toBe(false);
    }
  });

  it('terminates only instances carrying the owner tag', () => {
    const term = (tags: Record<string, string>) => ({
      action: 'ec2:TerminateInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123',
      context: Object.fromEntries(Object.entries(tags).map(([k, v]) => [`ec2:ResourceTag/${k}`, v])),
    });
    expect(allows(policy, term({ [OWNER_TAG_KEY]: 'prescale', [POOL_TAG_KEY]: 'web' }))).toBe(true);
    expect(allows(policy, term({ team: 'other' }))).toBe(false);
  });

  it('may create the Spot service-linked role and nothing else in IAM', () => {
    const slr = { action: 'iam:CreateServiceLinkedRole', resource: 'arn:aws:iam::123456789012:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot', context: { 'iam:AWSServiceName': 'spot.amazonaws.com' } };
    expect(allows(policy, slr)).toBe(true);
    expect(allows(policy, { ...slr, resource: 'arn:aws:iam::123456789012:role/aws-service-role/elasticache.amazonaws.com/AWSServiceRoleForElastiCache', context: { 'iam:AWSServiceName': 'elasticache.amazonaws.com' } })).toBe(false);
    expect(allows(policy, { action: 'iam:CreateRole', resource: 'arn:aws:iam::123456789012:role/x', context: {} })).toBe(false);
  });
});
