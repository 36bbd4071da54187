/**
 * The prescale stack: storage, spot events, the controller (function, schedule, smoke test), the
 * optional prefetch cache, the Chain API, and the dashboard and alarms.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ChainApi } from './chain-api.js';
import { controllerPolicyStatements } from './controller-iam.js';
import { ControllerFunction } from './controller-function.js';
import { PrescaleObservability } from './observability.js';
import { PrefetchCache } from './prefetch-cache.js';
import type { PrescaleStackInputs } from './props.js';
import { SpotEvents } from './spot-events.js';
import { PrescaleStorage } from './storage.js';

/** Props of {@link PrescaleStack}. */
export interface PrescaleStackProps extends StackProps {
  readonly inputs: PrescaleStackInputs;
}

/** See module documentation. */
export class PrescaleStack extends Stack {
  readonly storage: PrescaleStorage;
  readonly spotEvents: SpotEvents;
  readonly controller: ControllerFunction;
  readonly observability: PrescaleObservability;
  readonly chainApi?: ChainApi;
  readonly prefetchCache?: PrefetchCache;

  constructor(scope: Construct, id: string, props: PrescaleStackProps) {
    super(scope, id, props);
    const { inputs } = props;
    this.storage = new PrescaleStorage(this, 'Storage');
    const cachePool = inputs.config.controller.pools.find((p) => p.kind === 'elasticache');
    if (inputs.prefetchCache) {
      this.prefetchCache = new PrefetchCache(this, 'PrefetchCache', cachePool && cachePool.kind === 'elasticache'
        ? { replicationGroupId: inputs.config.aws.replicationGroupIds[cachePool.id] ?? cachePool.id, nodeType: cachePool.nodeType, shards: cachePool.shards, replicasPerShard: cachePool.replicasPerShard, minReplicasPerShard: cachePool.minReplicasPerShard }
        : {});
    }
    this.spotEvents = new SpotEvents(this, 'SpotEvents');
    this.controller = new ControllerFunction(this, 'Controller', {
      configFile: inputs.configFile,
      mode: inputs.config.controller.mode,
      scheduleRateMinutes: inputs.scheduleRateMinutes,
      statements: controllerPolicyStatements(this, {
        config: inputs.config, instanceRoleArn: inputs.instanceRoleArn,
        extraReplicationGroupIds: this.prefetchCache ? [this.prefetchCache.replicationGroupId] : [],
      }),
      environment: {
        PRESCALE_STATE_TABLE: this.storage.stateTable.tableName,
        PRESCALE_IDEMPOTENCY_TABLE: this.storage.idempotencyTable.tableName,
        PRESCALE_EVENTS_QUEUE_URL: this.spotEvents.queue.queueUrl,
        PRESCALE_REPORTS_BUCKET: this.storage.reportsBucket.bucketName,
      },
    });
    const role = this.controller.role;
    this.storage.stateTable.grantReadWriteData(role);
    this.storage.idempotencyTable.grantReadWriteData(role);
    this.spotEvents.queue.grantConsumeMessages(role);
    this.storage.reportsBucket.grantPut(role);
    this.controller.smokeTest.executeAfter(this.storage, this.spotEvents);
    if (inputs.chainApi) {
      this.chainApi = new ChainApi(this, 'ChainApi', {
        chainsConfigFile: inputs.chainsConfigFile, stateTable: this.storage.stateTable, iamPrincipals: inputs.iamPrincipals,
        bundlingRequired: this.bundlingRequired,
      });
    }
    this.observability = new PrescaleObservability(this, 'Observability', {
      fn: this.controller.fn,
      deadLetterQueue: this.spotEvents.deadLetterQueue,
      poolIds: inputs.config.controller.pools.map((p) => p.id),
      alarmEmail: inputs.alarmEmail,
    });
    this.suppressions();
  }

  /** cdk-nag findings acknowledged, each with its reason. */
  private suppressions(): void {
    NagSuppressions.addResourceSuppressions(this.controller.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'EC2 launch/terminate ARNs end in /* because instance ids are not known in advance; every such statement is conditioned on prescale\'s owner tag (aws:RequestTag or ec2:ResourceTag). Describe*, GetSpotPlacementScores, pricing:GetProducts and cloudwatch:GetMetricData support no resource-level permissions. Table index and log-stream wildcards come from CDK grants scoped to this stack\'s resources.',
      },
    ], true);
    NagSuppressions.addResourceSuppressions(this.controller.fn, [
      {
        id: 'AwsSolutions-L1',
        reason: 'Pinned to nodejs22.x: prescale supports Node >= 20 and its test matrix covers 20 and 22; move to the newest runtime once tested there.',
      },
    ]);
    NagSuppressions.addStackSuppressions(this, [
      {
        id: 'AwsSolutions-IAM5',
        reason: 'EventBridge Scheduler\'s role may invoke the controller function and its versions (<function arn>:*) only; the wildcard is the version qualifier.',
        appliesTo: [{ regex: '/^Resource::<ControllerFunction[0-9A-F]+\\.Arn>:\\*$/' }],
      },
      {
        id: 'AwsSolutions-IAM4',
        reason: 'Only CDK-provided custom resource functions (the deploy trigger provider, S3 auto-delete) use AWSLambdaBasicExecutionRole; prescale\'s own functions have inline least-privilege roles.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
    ]);
  }
}
