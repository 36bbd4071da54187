/**
 * Optional ElastiCache (Valkey) replication group for the prefetch cache (seed 000: prepared step
 * state "stored in a fast-access cache"), in its own VPC with flow logs: encryption at rest and in
 * transit (TLS), an AUTH token generated in Secrets Manager, a non-default port. Its clients run in
 * the same VPC: the pools' workers (launch their instances in {@link PrefetchCache.workerSubnets} with
 * {@link PrefetchCache.workerSecurityGroup}) and the task runner Lambda
 * ({@link PrefetchCache.functionSecurityGroup}); the cache's security group admits its port only from
 * those two groups. The subnets are isolated (no NAT): gateway endpoints for S3 (the worker bundle,
 * the catalog, the Amazon Linux 2023 package repositories, which are S3-hosted) and DynamoDB, and
 * interface endpoints (HTTPS from the two client groups only) for SQS, Step Functions and Secrets
 * Manager give the clients the AWS APIs they call. The controller may scale it
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
  /** The pools' workers' security group (give it to the pools' launch templates). */
  readonly workerSecurityGroup: ec2.SecurityGroup;
  /** The security group of functions that use the cache (the task runner). */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Subnets for the workers and functions (isolated, with the endpoints above). */
  readonly workerSubnets: ec2.SubnetSelection;
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
    this.workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', { vpc: this.vpc, description: 'prescale pool workers (cache clients)', allowAllOutbound: true });
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', { vpc: this.vpc, description: 'prescale functions that use the prefetch cache', allowAllOutbound: true });
    for (const [sg, who] of [[this.workerSecurityGroup, 'pool workers'], [this.functionSecurityGroup, 'task runner']] as const) {
      this.securityGroup.addIngressRule(sg, ec2.Port.tcp(PREFETCH_CACHE_PORT), `${who} (TLS + AUTH)`);
    }
    this.workerSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    const endpoints = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', { vpc: this.vpc, description: 'prescale interface endpoints (HTTPS from cache clients)', allowAllOutbound: false });
    for (const sg of [this.workerSecurityGroup, this.functionSecurityGroup]) endpoints.addIngressRule(sg, ec2.Port.tcp(443), 'AWS API calls of cache clients');
    for (const [eid, service] of [['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS], ['StepFunctions', ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS], ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER]] as const) {
      this.vpc.addInterfaceEndpoint(eid, { service, subnets: this.workerSubnets, securityGroups: [endpoints], open: false, privateDnsEnabled: true });
    }
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
      transitEncryptionMode: 'required',
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    if (!multiAz) {
      NagSuppressions.addResourceSuppressions(this.group, [
        { id: 'AwsSolutions-AEC4', reason: 'The cache pool lets the controller scale to no replica: the cache holds prepared step states that can be recomputed (a lost node only makes steps run cold), and ElastiCache Multi-AZ needs a replica per shard, which would double the cost. Set the pool\'s minReplicasPerShard to 1 or more for Multi-AZ.' },
      ]);
    }
    NagSuppressions.addResourceSuppressions([this.workerSecurityGroup, this.functionSecurityGroup], [
      { id: 'AwsSolutions-EC23', reason: 'No inbound rule: these groups only make outbound calls (the cache, the VPC endpoints, task code\'s own destinations).' },
    ]);
    NagSuppressions.addResourceSuppressions(this.authToken, [
      { id: 'AwsSolutions-SMG4', reason: 'Rotating an ElastiCache AUTH token needs a coordinated ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE then SET) with client restarts; it is done as an operator runbook step, not by a rotation Lambda.' },
    ]);
  }

  /** The URL clients connect with (TLS; the AUTH token is added at start from {@link authToken}). */
  get clientUrl(): string {
    return `rediss://${this.group.attrConfigurationEndPointAddress}:${PREFETCH_CACHE_PORT}`;
  }
}
