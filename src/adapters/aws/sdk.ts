/**
 * Narrow interfaces over the AWS SDK v3 clients prescale uses (Karpenter's pkg/aws/sdk.go style):
 * each adapter depends only on the operations it calls, so tests mock exactly those, and the Lambda
 * bundle only pulls in those commands (no aggregated clients).
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateFleetCommand,
  type CreateFleetCommandInput,
  type CreateFleetCommandOutput,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  type DescribeInstanceTypesCommandOutput,
  DescribeSpotPriceHistoryCommand,
  type DescribeSpotPriceHistoryCommandInput,
  type DescribeSpotPriceHistoryCommandOutput,
  EC2Client,
  GetSpotPlacementScoresCommand,
  type GetSpotPlacementScoresCommandInput,
  type GetSpotPlacementScoresCommandOutput,
  TerminateInstancesCommand,
  type TerminateInstancesCommandInput,
  type TerminateInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import {
  DecreaseReplicaCountCommand,
  type DecreaseReplicaCountCommandInput,
  type DecreaseReplicaCountCommandOutput,
  DescribeReplicationGroupsCommand,
  type DescribeReplicationGroupsCommandInput,
  type DescribeReplicationGroupsCommandOutput,
  ElastiCacheClient,
  IncreaseReplicaCountCommand,
  type IncreaseReplicaCountCommandInput,
  type IncreaseReplicaCountCommandOutput,
  ModifyReplicationGroupShardConfigurationCommand,
  type ModifyReplicationGroupShardConfigurationCommandInput,
  type ModifyReplicationGroupShardConfigurationCommandOutput,
} from '@aws-sdk/client-elasticache';
import {
  GetProductsCommand,
  type GetProductsCommandInput,
  type GetProductsCommandOutput,
  PricingClient,
} from '@aws-sdk/client-pricing';
import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandInput,
  type DeleteMessageBatchCommandOutput,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  type ReceiveMessageCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** SDK client settings shared by every adapter: adaptive retry (client-side rate limiting on throttles). */
export interface AwsClientOptions {
  readonly region: string;
  /** Attempts including the first, @default 5 */
  readonly maxAttempts?: number;
}

/** Client configuration with the SDK's `adaptive` retry mode (AWS SDK v3 developer guide, "Retry behavior"). */
export function clientConfig(opts: AwsClientOptions): { region: string; retryMode: 'adaptive'; maxAttempts: number } {
  return { region: opts.region, retryMode: 'adaptive', maxAttempts: opts.maxAttempts ?? 5 };
}

/** The CloudWatch operations {@link CloudWatchMetricsSource} uses. */
export interface CloudWatchApi {
  getMetricData(input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput>;
}

/** The EC2 operations {@link AwsCloudProvider} uses. */
export interface Ec2Api {
  createFleet(input: CreateFleetCommandInput): Promise<CreateFleetCommandOutput>;
  describeInstances(input: DescribeInstancesCommandInput): Promise<DescribeInstancesCommandOutput>;
  terminateInstances(input: TerminateInstancesCommandInput): Promise<TerminateInstancesCommandOutput>;
  describeInstanceTypes(input: DescribeInstanceTypesCommandInput): Promise<DescribeInstanceTypesCommandOutput>;
  describeSpotPriceHistory(input: DescribeSpotPriceHistoryCommandInput): Promise<DescribeSpotPriceHistoryCommandOutput>;
  getSpotPlacementScores(input: GetSpotPlacementScoresCommandInput): Promise<GetSpotPlacementScoresCommandOutput>;
}

/** The ElastiCache operations the cache-pool part of {@link AwsCloudProvider} uses. */
export interface ElastiCacheApi {
  describeReplicationGroups(input: DescribeReplicationGroupsCommandInput): Promise<DescribeReplicationGroupsCommandOutput>;
  increaseReplicaCount(input: IncreaseReplicaCountCommandInput): Promise<IncreaseReplicaCountCommandOutput>;
  decreaseReplicaCount(input: DecreaseReplicaCountCommandInput): Promise<DecreaseReplicaCountCommandOutput>;
  modifyReplicationGroupShardConfiguration(
    input: ModifyReplicationGroupShardConfigurationCommandInput,
  ): Promise<ModifyReplicationGroupShardConfigurationCommandOutput>;
}

/** The Pricing operation {@link AwsPriceCatalog} uses. */
export interface PricingApi {
  getProducts(input: GetProductsCommandInput): Promise<GetProductsCommandOutput>;
}

/** The SQS operations {@link SqsEventSource} uses. */
export interface SqsApi {
  receiveMessage(input: ReceiveMessageCommandInput): Promise<ReceiveMessageCommandOutput>;
  deleteMessageBatch(input: DeleteMessageBatchCommandInput): Promise<DeleteMessageBatchCommandOutput>;
}

/** Wraps a CloudWatch client (or builds one with adaptive retry) as {@link CloudWatchApi}. */
export function cloudWatchApi(client: CloudWatchClient | AwsClientOptions): CloudWatchApi {
  const c = client instanceof CloudWatchClient ? client : new CloudWatchClient(clientConfig(client));
  return { getMetricData: (i) => c.send(new GetMetricDataCommand(i)) };
}

/** Wraps an EC2 client (or builds one with adaptive retry) as {@link Ec2Api}. */
export function ec2Api(client: EC2Client | AwsClientOptions): Ec2Api {
  const c = client instanceof EC2Client ? client : new EC2Client(clientConfig(client));
  return {
    createFleet: (i) => c.send(new CreateFleetCommand(i)),
    describeInstances: (i) => c.send(new DescribeInstancesCommand(i)),
    terminateInstances: (i) => c.send(new TerminateInstancesCommand(i)),
    describeInstanceTypes: (i) => c.send(new DescribeInstanceTypesCommand(i)),
    describeSpotPriceHistory: (i) => c.send(new DescribeSpotPriceHistoryCommand(i)),
    getSpotPlacementScores: (i) => c.send(new GetSpotPlacementScoresCommand(i)),
  };
}

/** Wraps an ElastiCache client (or builds one with adaptive retry) as {@link ElastiCacheApi}. */
export function elastiCacheApi(client: ElastiCacheClient | AwsClientOptions): ElastiCacheApi {
  const c = client instanceof ElastiCacheClient ? client : new ElastiCacheClient(clientConfig(client));
  return {
    describeReplicationGroups: (i) => c.send(new DescribeReplicationGroupsCommand(i)),
    increaseReplicaCount: (i) => c.send(new IncreaseReplicaCountCommand(i)),
    decreaseReplicaCount: (i) => c.send(new DecreaseReplicaCountCommand(i)),
    modifyReplicationGroupShardConfiguration: (i) => c.send(new ModifyReplicationGroupShardConfigurationCommand(i)),
  };
}

/**
 * Wraps a Pricing client as {@link PricingApi}. The Pricing API is served only from a few regions
 * (us-east-1, eu-central-1, ap-south-1; AWS Price List Query API docs), so build it there.
 */
export function pricingApi(client: PricingClient | AwsClientOptions): PricingApi {
  const c = client instanceof PricingClient ? client : new PricingClient(clientConfig(client));
  return { getProducts: (i) => c.send(new GetProductsCommand(i)) };
}

/** Wraps an SQS client (or builds one with adaptive retry) as {@link SqsApi}. */
export function sqsApi(client: SQSClient | AwsClientOptions): SqsApi {
  const c = client instanceof SQSClient ? client : new SQSClient(clientConfig(client));
  return {
    receiveMessage: (i) => c.send(new ReceiveMessageCommand(i)),
    deleteMessageBatch: (i) => c.send(new DeleteMessageBatchCommand(i)),
  };
}
