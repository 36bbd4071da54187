/**
 * Optional ElastiCache (Valkey) replication group for the prefetch cache (seed 000: prepared step
 * state "stored in a fast-access cache"), in its own isolated VPC with flow logs: encryption at rest
 * and in transit, an AUTH token from Secrets Manager, a non-default port. The controller may scale it
 * (cache pool) through its replication group id, so its shape follows what the controller plans:
 * - cluster mode enabled (Valkey 8, `default.valkey8.cluster.on`; automatic failover on, which
 *   ElastiCache requires in that mode): shards can be added and removed online
 *   (`ModifyReplicationGroupShardConfiguration` works only in cluster mode);
 * - Multi-AZ only when every shard always keeps a replica (`minReplicasPerShard` ≥ 1): ElastiCache
 *   Multi-AZ needs at least one replica per shard, so a group the controller may shrink to no replica
 *   (the default pool: prepared states can be recomputed) is single-AZ, with the cdk-nag finding
 *   suppressed and the reason given.
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
  /** The fewest replicas per shard the controller may scale to (the cache pool's). @default 1 */
  readonly minReplicasPerShard?: number;
}

/** Engine version of the group (its default cluster-mode parameter group is of the same family). */
export const PREFETCH_CACHE_ENGINE_VERSION = '8.0';
/** ElastiCache's default parameter group for Valkey 8 with cluster mode on. */
export const PREFETCH_CACHE_PARAMETER_GROUP = 'default.valkey8.cluster.on';

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
    const replicas = props.replicasPerShard ?? 1;
    const multiAz = replicas >= 1 && (props.minReplicasPerShard ?? 1) >= 1;
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'prescale prefetch cache subnets',
      subnetIds: this.vpc.isolatedSubnets.map((s) => s.subnetId),
    });
    this.group = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: this.replicationGroupId,
      replicationGroupDescription: 'prescale prefetch cache (prepared step state)',
      engine: 'valkey',
      engineVersion: PREFETCH_CACHE_ENGINE_VERSION,
      cacheParameterGroupName: PREFETCH_CACHE_PARAMETER_GROUP,
      clusterMode: 'enabled',
      cacheNodeType: props.nodeType ?? 'cache.r6g.large',
      numNodeGroups: props.shards ?? 1,
      replicasPerNodeGroup: replicas,
      automaticFailoverEnabled: true,
      multiAzEnabled: multiAz,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      port: PREFETCH_CACHE_PORT,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    if (!multiAz) {
      NagSuppressions.addResourceSuppressions(this.group, [
        { id: 'AwsSolutions-AEC4', reason: 'The cache pool lets the controller scale to no replica: the cache holds prepared step states that can be recomputed (a lost node only makes steps run cold), and ElastiCache Multi-AZ needs a replica per shard, which would double the cost. Set the pool\'s minReplicasPerShard to 1 or more for Multi-AZ.' },
      ]);
    }
    NagSuppressions.addResourceSuppressions(this.authToken, [
      { id: 'AwsSolutions-SMG4', reason: 'Rotating an ElastiCache AUTH token needs a coordinated ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE then SET) with client restarts; it is done as an operator runbook step, not by a rotation Lambda.' },
    ]);
  }
}
