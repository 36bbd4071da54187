/**
 * Least-privilege IAM for the controller (modelled on Karpenter's controller policy,
 * aws/karpenter-provider-aws `KarpenterControllerPolicy`):
 * - launches (`ec2:CreateFleet`, `ec2:RunInstances`) create fleets, instances and volumes only when the
 *   request tags them with prescale's owner tag (`aws:RequestTag/prescale:owner`): the adapter tags
 *   exactly these three types (FLEET_TAGGED_TYPES; CreateFleet accepts no others);
 * - network interfaces and spot instance requests, which a CreateFleet request cannot tag (only its
 *   launch template can), may be created untagged, but only by CreateFleet/RunInstances, i.e. only as
 *   part of a launch whose instance must carry the owner tag (no ec2:CreateNetworkInterface or
 *   ec2:RequestSpotInstances is granted);
 * - `ec2:CreateTags` only while launching (`ec2:CreateAction`), with the owner tag on the types the
 *   adapter tags, and without it on those the launch template may tag;
 * - `iam:CreateServiceLinkedRole` for AWSServiceRoleForEC2Spot only, when a pool buys spot: EC2 creates
 *   that role on the account's first spot launch (EC2 User Guide, "Service-linked role for Spot
 *   Instances"), as Karpenter's controller policy allows;
 * - `ec2:TerminateInstances` only on instances carrying the owner tag (`ec2:ResourceTag/prescale:owner`);
 * - describe/price/metric reads on `*` (these actions support no resource-level permissions);
 * - ElastiCache changes only on the replication groups the configuration names.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { OWNER_TAG_KEY } from '../../src/core/model/index.js';
import type { DeploymentConfig } from '../../src/handlers/deployment-config.js';

/** Props of {@link controllerPolicyStatements}. */
export interface ControllerIamProps {
  readonly config: DeploymentConfig;
  /** Instance role the launch templates pass; without it no iam:PassRole is granted. */
  readonly instanceRoleArn?: string;
  /** Extra replication group ids (e.g. the stack's own prefetch cache). */
  readonly extraReplicationGroupIds?: readonly string[];
}

/** The controller's EC2, ElastiCache, Pricing and CloudWatch statements. */
export function controllerPolicyStatements(stack: Stack, props: ControllerIamProps): iam.PolicyStatement[] {
  const owner = props.config.aws.owner;
  const arn = (service: string, resource: string): string => `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
  /** Public images and snapshots have no account in their ARN. */
  const shared = (resource: string): string => `arn:${stack.partition}:ec2:${stack.region}::${resource}`;
  const tagged = ['fleet/*', 'instance/*', 'volume/*'].map((r) => arn('ec2', r));
  const untaggable = ['network-interface/*', 'spot-instances-request/*'].map((r) => arn('ec2', r));
  const statements = [
    new iam.PolicyStatement({
      sid: 'LaunchWithOwnerTagOnly',
      actions: ['ec2:CreateFleet', 'ec2:RunInstances'],
      resources: tagged,
      conditions: { StringEquals: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: owner } },
    }),
    new iam.PolicyStatement({
      sid: 'LaunchCreatesInterfacesAndSpotRequests',
      actions: ['ec2:CreateFleet', 'ec2:RunInstances'],
      resources: untaggable,
    }),
    new iam.PolicyStatement({
      sid: 'LaunchUsingExistingResources',
      actions: ['ec2:CreateFleet', 'ec2:RunInstances'],
      resources: [
        arn('ec2', 'launch-template/*'), arn('ec2', 'subnet/*'), arn('ec2', 'security-group/*'),
        shared('image/*'), shared('snapshot/*'),
        arn('ec2', 'key-pair/*'), arn('ec2', 'capacity-reservation/*'), arn('ec2', 'placement-group/*'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'TagOnlyWhileLaunching',
      actions: ['ec2:CreateTags'],
      resources: tagged,
      conditions: {
        StringEquals: { 'ec2:CreateAction': ['CreateFleet', 'RunInstances'], [`aws:RequestTag/${OWNER_TAG_KEY}`]: owner },
      },
    }),
    new iam.PolicyStatement({
      sid: 'TagInterfacesAndSpotRequestsWhileLaunching',
      actions: ['ec2:CreateTags'],
      resources: untaggable,
      conditions: { StringEquals: { 'ec2:CreateAction': ['CreateFleet', 'RunInstances'] } },
    }),
    new iam.PolicyStatement({
      sid: 'TerminateOwnedOnly',
      actions: ['ec2:TerminateInstances'],
      resources: [arn('ec2', 'instance/*')],
      conditions: { StringEquals: { [`ec2:ResourceTag/${OWNER_TAG_KEY}`]: owner } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadOnlyWithoutResourceLevelPermissions',
      actions: [
        'ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSpotPriceHistory', 'ec2:GetSpotPlacementScores',
        'ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones',
        'pricing:GetProducts', 'cloudwatch:GetMetricData',
      ],
      resources: ['*'],
    }),
  ];
  if (props.config.controller.pools.some((p) => p.kind === 'ec2' && p.markets.includes('spot'))) {
    statements.push(new iam.PolicyStatement({
      sid: 'CreateSpotServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
      conditions: { StringLike: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
    }));
  }
  if (props.instanceRoleArn) {
    statements.push(new iam.PolicyStatement({
      sid: 'PassInstanceRoleToEc2',
      actions: ['iam:PassRole'],
      resources: [props.instanceRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }));
  }
  const asgNames = Object.values(props.config.aws.autoScalingGroups).map((g) => g.name).sort();
  if (asgNames.length > 0) {
    statements.push(new iam.PolicyStatement({
      sid: 'ScaleConfiguredAutoScalingGroups',
      actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup', 'autoscaling:PutWarmPool', 'autoscaling:CreateOrUpdateTags'],
      resources: asgNames.map((n) => arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${n}`)),
    }));
    statements.push(new iam.PolicyStatement({
      sid: 'DescribeAutoScalingGroups',
      actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeWarmPool'],
      resources: ['*'],
    }));
  }
  const groups = [
    ...props.config.controller.pools.filter((p) => p.kind === 'elasticache').map((p) => props.config.aws.replicationGroupIds[p.id] ?? p.id),
    ...(props.extraReplicationGroupIds ?? []),
  ];
  if (groups.length > 0) {
    statements.push(new iam.PolicyStatement({
      sid: 'ScaleConfiguredReplicationGroups',
      actions: [
        'elasticache:DescribeReplicationGroups', 'elasticache:IncreaseReplicaCount', 'elasticache:DecreaseReplicaCount',
        'elasticache:ModifyReplicationGroupShardConfiguration',
      ],
      resources: [...new Set(groups)].sort().map((g) => arn('elasticache', `replicationgroup:${g}`)),
    }));
  }
  return statements;
}
