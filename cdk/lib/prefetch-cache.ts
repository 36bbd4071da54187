/**
 * Optional ElastiCache (Valkey) replication group for the prefetch cache (seed 000: prepared step
 * state "stored in a fast-access cache"), in its own isolated VPC with flow logs: encryption at rest
 * and in transit, an AUTH token from Secrets Manager, Multi-AZ with automatic failover, a
 * non-default port. The controller may scale it (cache pool) through its replication group id.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Props of {@link PrefetchCache}. */
export interface PrefetchCacheProps {
  /** Replication group id (the controller's cache pool refers to it). @default "prescale-prefetch" */
  readonly replicationGroupId?: string;
  /** @default "cache.r6g.large" */
  readonly nodeType?: string;
  /** @default 1 */
  readonly shards?: number;
  /** @default 1 */
  readonly replicasPerShard?: number;
}

/** The port the cache listens on (not the default 6379: cdk-nag AwsSolutions-AEC5). */
export const PREFETCH_CACHE_PORT = 6380;

/** See module documentation. */
export class PrefetchCache extends Construct {
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly authToken: secretsmanager.Secret;
  readonly group: elasticache.CfnReplicationGroup;
  readonly replicationGroupId: string;

  constructor(scope: Construct, id: string, props: PrefetchCacheProps = {}) {
    super(scope, id);
    this.replicationGroupId = props.replicationGroupId ?? 'prescale-prefetch';
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'cache', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH })) } },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: this.vpc, description: 'prescale prefetch cache', allowAllOutbound: false });
    this.securityGroup.addIngressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(PREFETCH_CACHE_PORT), 'clients inside the cache VPC');
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'prescale prefetch cache AUTH token',
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'prescale prefetch cache subnets',
      subnetIds: this.vpc.isolatedSubnets.map((s) => s.subnetId),
    });
    this.group = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: this.replicationGroupId,
      replicationGroupDescription: 'prescale prefetch cache (prepared step state)',
      engine: 'valkey',
      cacheNodeType: props.nodeType ?? 'cache.r6g.large',
      numNodeGroups: props.shards ?? 1,
      replicasPerNodeGroup: props.replicasPerShard ?? 1,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      port: PREFETCH_CACHE_PORT,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    NagSuppressions.addResourceSuppressions(this.authToken, [
      { id: 'AwsSolutions-SMG4', reason: 'Rotating an ElastiCache AUTH token needs a coordinated ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE then SET) with client restarts; it is done as an operator runbook step, not by a rotation Lambda.' },
    ]);
  }
}
