/**
 * The prescale stack: storage, spot events, the controller (function, schedule, smoke test), the
 * optional prefetch cache, the Chain API, and the dashboard and alarms.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { poolOf } from '../../src/core/model/index.js';
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
import { PoolQueues } from './pool-queues.js';
import { PrescaleStateMachines } from './state-machines.js';
import { TaskRunnerFunction } from './task-runner.js';
import { BurstWorkers } from './burst-workers.js';
import { workerUserData } from './worker-user-data.js';
import { workerBundleAsset } from './worker-bundle.js';
import { ExecutionStatusEvents } from './execution-status.js';
import { ReportWriter } from './report-writer.js';

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
  readonly poolQueues: PoolQueues;
  readonly taskRunner?: TaskRunnerFunction;
  readonly stateMachines?: PrescaleStateMachines;
  readonly reportWriter: ReportWriter;

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
      arms: inputs.config.controller.prefetch.abTest?.arms.map((a) => a.name) ?? [],
      alarmEmail: inputs.alarmEmail,
    });
    this.reportWriter = new ReportWriter(this, 'ReportWriter', {
      stateTable: this.storage.stateTable, bucket: this.storage.reportsBucket, everyMinutes: inputs.reportEveryMinutes,
      windowSec: inputs.reportWindowSec, alarmTopic: this.observability.topic, bundlingRequired: this.bundlingRequired,
    });
    new CfnOutput(this, 'ReportsUrl', { description: `scheduled report (every ${inputs.reportEveryMinutes} min): latest files`, value: this.storage.reportsBucket.s3UrlForObject('reports/latest/report.html') });
    const engine = this.engine(inputs);
    this.poolQueues = engine.poolQueues;
    if (engine.taskRunner) this.taskRunner = engine.taskRunner;
    if (engine.stateMachines) this.stateMachines = engine.stateMachines;
    this.suppressions();
  }

  /**
   * The engine side: a work queue, dead-letter alarm, workers' role and worker user data per EC2 pool;
   * the task runner when the catalog uses a Lambda pool; one state machine per catalog variant.
   */
  private engine(inputs: PrescaleStackInputs): { poolQueues: PoolQueues; taskRunner?: TaskRunnerFunction; stateMachines?: PrescaleStateMachines } {
    const ec2Pools = inputs.config.controller.pools.filter((p) => p.kind === 'ec2').map((p) => p.id);
    const poolQueues = new PoolQueues(this, 'PoolQueues', { poolIds: ec2Pools, stateTable: this.storage.stateTable, alarmTopic: this.observability.topic });
    const lambdaPools = new Set(inputs.lambdaPools);
    const usesLambda = inputs.workflows.some((w) => w.variants.some((v) => v.tasks.some((t) => lambdaPools.has(poolOf(v, t.task_id)))));
    const taskRunner = usesLambda
      ? new TaskRunnerFunction(this, 'TaskRunner', { chainsConfigFile: inputs.chainsConfigFile, ...(inputs.taskCodeDir ? { taskCodeDir: inputs.taskCodeDir } : {}), stateTable: this.storage.stateTable, bundlingRequired: this.bundlingRequired, ...(this.prefetchCache ? { cache: this.prefetchCache } : {}) })
      : undefined;
    // issue 19 item 5: burst workers for EC2 pools' steps the planner routes to Lambda (prescale:burst)
    const burst = inputs.burst && inputs.workflows.length > 0
      ? new BurstWorkers(this, 'BurstWorkers', { workflows: inputs.workflows, ec2PoolIds: ec2Pools, chainsConfigFile: inputs.chainsConfigFile, stateTable: this.storage.stateTable, bundlingRequired: this.bundlingRequired, reservedConcurrency: inputs.burst.reservedConcurrency, ...(inputs.taskCodeDir ? { taskCodeDir: inputs.taskCodeDir } : {}) })
      : undefined;
    const stateMachines = inputs.workflows.length > 0
      ? new PrescaleStateMachines(this, 'StateMachines', {
        ...(burst ? { burstWorkers: burst.functions } : {}),
        workflows: inputs.workflows,
        queues: new Map([...poolQueues.pools].map(([id, p]) => [id, p.queue])),
        lambdaPools: inputs.lambdaPools,
        ...(taskRunner ? { taskRunner: taskRunner.fn } : {}),
        catalogFile: inputs.chainsConfigFile,
      })
      : undefined;
    for (const v of stateMachines?.variants ?? []) poolQueues.grantTaskResponse(v.machine);
    if (burst && stateMachines) {
      // the controller publishes the burst routes as route#… items of the decision table
      this.controller.fn.addEnvironment('PRESCALE_BURST_ROUTE_TABLE', stateMachines.decisionTable.tableName);
      this.controller.role.addToPolicy(new iam.PolicyStatement({
        sid: 'PublishBurstRoutes', actions: ['dynamodb:PutItem'], resources: [stateMachines.decisionTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['route#*'] } },
      }));
    }
    if (stateMachines && stateMachines.variants.length > 0) this.preExecution(poolQueues, stateMachines, taskRunner, inputs.lambdaPools);
    if (stateMachines && stateMachines.variants.length > 0) {
      new ExecutionStatusEvents(this, 'ExecutionStatus', { variants: stateMachines.variants, stateTable: this.storage.stateTable, alarmTopic: this.observability.topic, bundlingRequired: this.bundlingRequired });
    }
    if (poolQueues.pools.size > 0) {
      // Queue depth per pool is the task backlog the tick reads (src/handlers/pool-backlog.ts).
      const queues: Record<string, { queueName: string; vcpuPerStep: number }> = {};
      for (const p of poolQueues.pools.values()) {
        const vcpus = inputs.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.filter((t) => poolOf(v, t.task_id) === p.poolId).map((t) => t.resource_requirements.vcpu)));
        queues[p.poolId] = { queueName: p.queue.queueName, vcpuPerStep: vcpus.length > 0 ? Math.round((vcpus.reduce((a, b) => a + b, 0) / vcpus.length) * 100) / 100 : 1 };
      }
      this.controller.fn.addEnvironment('PRESCALE_POOL_BACKLOG_QUEUES', this.toJsonString(queues));
      const catalog = new s3assets.Asset(this, 'WorkerCatalog', { path: inputs.chainsConfigFile });
      const bundle = workerBundleAsset(this, 'WorkerBundle', this.bundlingRequired);
      const taskCode = inputs.taskCodeDir ? new s3assets.Asset(this, 'WorkerTaskCode', { path: inputs.taskCodeDir }) : undefined;
      for (const p of poolQueues.pools.values()) {
        catalog.grantRead(p.workerRole);
        bundle.grantRead(p.workerRole);
        taskCode?.grantRead(p.workerRole);
        const cache = this.prefetchCache;
        if (cache) cache.authToken.grantRead(p.workerRole);
        const ud = workerUserData({
          poolId: p.poolId, queueUrl: p.queue.queueUrl, stateTableName: this.storage.stateTable.tableName, catalog, bundle, ...(taskCode ? { taskCode } : {}),
          ...(cache ? { cache: { url: cache.clientUrl, authSecretArn: cache.authToken.secretArn } } : {}),
        });
        const cid = p.queue.node.scope!.node.id;
        new CfnOutput(this, `WorkerUserData${cid}`, { description: `prescale worker user data for pool ${p.poolId} (add it to the pool's launch template, see cdk/README.md)`, value: ud.render() });
        new CfnOutput(this, `WorkerInstanceProfile${cid}`, { description: `instance profile of pool ${p.poolId}'s workers`, value: p.instanceProfile.instanceProfileArn });
        new CfnOutput(this, `PoolQueueUrl${cid}`, { description: `work queue of pool ${p.poolId}`, value: p.queue.queueUrl });
      }
      if (this.prefetchCache) {
        new CfnOutput(this, 'WorkerSecurityGroupId', { description: 'security group for the pools\' launch templates (the cache admits it)', value: this.prefetchCache.workerSecurityGroup.securityGroupId });
        new CfnOutput(this, 'WorkerSubnetIds', { description: 'subnets for the pools\' instances (the cache VPC, with endpoints for SQS, Step Functions, Secrets Manager, S3, DynamoDB)', value: this.prefetchCache.vpc.isolatedSubnets.map((x) => x.subnetId).join(',') });
      }
      // The controller launches the pools' instances with their launch templates, which pass the workers' roles.
      this.controller.role.addToPolicy(new iam.PolicyStatement({
        sid: 'PassWorkerRolesToEc2',
        actions: ['iam:PassRole'],
        resources: [...poolQueues.pools.values()].map((p) => p.workerRole.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }));
    }
    this.engineWidgets(poolQueues, stateMachines);
    if (this.chainApi && stateMachines) this.chainApiOnEngine(this.chainApi, poolQueues, stateMachines);
    if (stateMachines) {
      NagSuppressions.addResourceSuppressions(stateMachines.role, [
        { id: 'AwsSolutions-IAM5', reason: 'Log delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) support no resource-level permissions; CDK adds them for logging ALL events and tracing. Queue, function and table statements name their resources.' },
      ], true);
    }
    if (taskRunner) {
      NagSuppressions.addResourceSuppressions(taskRunner.role, [
        { id: 'AwsSolutions-IAM5', reason: 'The wildcard is the function\'s own log group streams (<log group arn>:*).' },
      ], true);
      NagSuppressions.addResourceSuppressions(taskRunner.fn, [
        { id: 'AwsSolutions-L1', reason: 'Pinned to nodejs22.x, the runtime the project tests on (Node >= 22).' },
      ]);
    }
    for (const p of poolQueues.pools.values()) {
      NagSuppressions.addResourceSuppressions(p.workerRole, [
        { id: 'AwsSolutions-IAM5', reason: 'Read of the catalog, worker bundle and task code assets: CDK\'s grantRead on the asset bucket names the object key prefix with a wildcard (s3:GetObject*, s3:List*).' },
      ], true);
    }
    return { poolQueues, ...(taskRunner ? { taskRunner } : {}), ...(stateMachines ? { stateMachines } : {}) };
  }

  /**
   * Pre-execution (issue 21): the controller's SqsPreparer sends `prepare` messages to the pool queues
   * (or invokes the task runner asynchronously for Lambda pools), naming executions of the catalog's
   * machines (`PRESCALE_STATE_MACHINES`, `PRESCALE_POOL_QUEUE_URLS`, `PRESCALE_LAMBDA_POOLS`); the
   * workers and the task runner read those executions (start document and history) to resolve the
   * predicted step's input.
   */
  private preExecution(poolQueues: PoolQueues, stateMachines: PrescaleStateMachines, taskRunner: TaskRunnerFunction | undefined, lambdaPools: readonly string[]): void {
    const fn = this.controller.fn;
    const machines: Record<string, string> = {};
    for (const v of stateMachines.variants) machines[`${v.compiled.workflow}/${v.compiled.variant}`] = v.machine.stateMachineArn;
    fn.addEnvironment('PRESCALE_STATE_MACHINES', this.toJsonString(machines));
    fn.addEnvironment('PRESCALE_POOL_QUEUE_URLS', this.toJsonString(Object.fromEntries([...poolQueues.pools].map(([id, p]) => [id, p.queue.queueUrl]))));
    for (const p of poolQueues.pools.values()) p.queue.grantSendMessages(this.controller.role);
    if (taskRunner) {
      fn.addEnvironment('PRESCALE_LAMBDA_POOLS', this.toJsonString(Object.fromEntries(lambdaPools.map((id) => [id, taskRunner.fn.functionArn]))));
      taskRunner.fn.grantInvoke(this.controller.role);
    }
    const executions = stateMachines.variants.map((v) => `arn:${this.partition}:states:${this.region}:${this.account}:execution:${v.compiled.name}:*`);
    const readExecutions = new iam.PolicyStatement({ sid: 'ReadExecutionsToPrepare', actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: executions });
    for (const p of poolQueues.pools.values()) p.workerRole.addToPolicy(readExecutions);
    taskRunner?.role.addToPolicy(readExecutions);
  }

  /**
   * The Chain API on Step Functions (src/handlers/chain-api.ts reads PRESCALE_SFN_ROLE_ARN,
   * PRESCALE_POOL_QUEUES, PRESCALE_DECISION_TABLE): it may start, describe, read the history of and stop
   * executions of prescale's machines, create or update `prescale-*` machines for chains compiled at run
   * time, pass the machines' role to Step Functions only, and write variant decisions.
   */
  private chainApiOnEngine(api: ChainApi, poolQueues: PoolQueues, stateMachines: PrescaleStateMachines): void {
    const fn = api.fn;
    fn.addEnvironment('PRESCALE_SFN_ROLE_ARN', stateMachines.role.roleArn);
    fn.addEnvironment('PRESCALE_POOL_QUEUES', this.toJsonString(Object.fromEntries([...poolQueues.pools].map(([id, p]) => [id, p.queue.queueUrl]))));
    fn.addEnvironment('PRESCALE_DECISION_TABLE', stateMachines.decisionTable.tableName);
    if (stateMachines.burstRoutes) fn.addEnvironment('PRESCALE_BURST', 'true'); // catalog names compiled with deployTimeBurst()
    // Catalog chains start on the machines above, found by name under this prefix (DescribeStateMachine), never created.
    fn.addEnvironment('PRESCALE_STATE_MACHINE_ARN_PREFIX', `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:`);
    const machines = `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:prescale-*`;
    const executions = `arn:${this.partition}:states:${this.region}:${this.account}:execution:prescale-*`;
    fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'RunPrescaleMachines',
      actions: ['states:StartExecution', 'states:DescribeStateMachine', 'states:CreateStateMachine', 'states:UpdateStateMachine', 'states:TagResource'],
      resources: [machines],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadAndStopPrescaleExecutions',
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'],
      resources: [executions],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'PassMachineRoleToStepFunctions',
      actions: ['iam:PassRole'],
      resources: [stateMachines.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
    }));
    stateMachines.decisionTable.grant(fn, 'dynamodb:PutItem', 'dynamodb:GetItem');
    NagSuppressions.addResourceSuppressions(fn.role!, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The Chain API starts and follows executions of machines named prescale-* (deployed per catalog variant, or created by the API for chains compiled at run time, whose names carry a definition hash unknown at deploy); execution ARNs are per run.',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:states:.*:(stateMachine|execution):prescale-\\*$/' }],
    }], true);
  }

  /** Dashboard row of the engine: queue depth (the task backlog) and dead letters per pool, executions per machine. */
  private engineWidgets(poolQueues: PoolQueues, stateMachines?: PrescaleStateMachines): void {
    const pools = [...poolQueues.pools.values()];
    if (pools.length === 0) return;
    const minute = Duration.minutes(1);
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Pool queues: steps waiting + taken (task backlog), dead letters',
        left: pools.flatMap((p) => [
          new cloudwatch.MathExpression({
            expression: 'visible + inflight', label: `${p.poolId} backlog (steps)`, period: minute,
            usingMetrics: { visible: p.queue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }), inflight: p.queue.metricApproximateNumberOfMessagesNotVisible({ period: minute, statistic: 'Maximum' }) },
          }),
        ]),
        right: pools.map((p) => p.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum', label: `${p.poolId} dead letters` })),
        width: 12,
      }),
    ];
    const machines = stateMachines?.variants ?? [];
    if (machines.length > 0) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Executions (started, succeeded, failed) per variant',
        left: machines.flatMap((v) => [
          v.machine.metricStarted({ period: Duration.minutes(5), label: `${v.compiled.workflow}/${v.compiled.variant} started` }),
          v.machine.metricSucceeded({ period: Duration.minutes(5), label: `${v.compiled.workflow}/${v.compiled.variant} succeeded` }),
          v.machine.metricFailed({ period: Duration.minutes(5), label: `${v.compiled.workflow}/${v.compiled.variant} failed` }),
        ]),
        width: 12,
      }));
    }
    this.observability.dashboard.addWidgets(...widgets);
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
