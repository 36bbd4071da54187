/**
 * EventBridge "Step Functions Execution Status Change" events of the stack's state machines → a small
 * function (src/handlers/execution-status.ts) that appends them to the execution-events log the tick
 * reads. The machines' steps (variant, task ids, pools, sizes) are written at synth to `machines.json`
 * and bundled with the function. Failed deliveries are retried by EventBridge for up to two hours,
 * then go to an encrypted dead-letter queue with an alarm.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { taskTypeOf } from '../../src/core/model/index.js';
import type { MachineSteps } from '../../src/app/history/execution-status.js';
import { EXECUTION_LOG } from '../../src/handlers/aws-ports.js';
import { esmBundling, prescaleFunctionBase } from './controller-function.js';
import type { DeployedVariant } from './state-machines.js';

/** EventBridge detail type of Step Functions execution status changes. */
export const EXECUTION_STATUS_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** Props of {@link ExecutionStatusEvents}. */
export interface ExecutionStatusEventsProps {
  readonly variants: readonly DeployedVariant[];
  readonly stateTable: dynamodb.ITable;
  readonly alarmTopic?: sns.ITopic;
  /** Skip fingerprinting the repository when bundling is skipped. */
  readonly bundlingRequired: boolean;
}

/** The machine table the handler reads, by state machine name. */
export function machineTable(variants: readonly DeployedVariant[]): Record<string, MachineSteps> {
  const out: Record<string, MachineSteps> = {};
  for (const { compiled, tasks } of variants) {
    out[compiled.name] = {
      workflow: compiled.workflow, variant: compiled.variant,
      steps: Object.values(compiled.steps).map((s) => {
        const t = tasks[s.taskId]!;
        return { taskId: s.taskId, taskType: taskTypeOf(t), poolId: s.poolId, vcpu: t.resource_requirements.vcpu, memoryGiB: t.resource_requirements.memoryGiB };
      }),
    };
  }
  return out;
}

/** See module documentation. */
export class ExecutionStatusEvents extends Construct {
  readonly fn: NodejsFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExecutionStatusEventsProps) {
    super(scope, id);
    const dir = mkdtempSync(join(tmpdir(), 'prescale-machines-'));
    const machinesFile = join(dir, 'machines.json');
    writeFileSync(machinesFile, JSON.stringify(machineTable(props.variants)));
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'prescale execution status events to the events log' });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'AppendExecutionEvents',
      actions: ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      resources: [props.stateTable.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`c#${EXECUTION_LOG}`, `l#${EXECUTION_LOG}`] } },
    }));
    this.fn = new NodejsFunction(this, 'Function', {
      ...prescaleFunctionBase('src/handlers/execution-status.ts'),
      memorySize: 256,
      description: 'prescale: Step Functions execution status changes to the execution-events log',
      timeout: Duration.seconds(30),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { PRESCALE_STATE_TABLE: props.stateTable.tableName, PRESCALE_MACHINES_FILE: 'machines.json', NODE_OPTIONS: '--enable-source-maps' },
      bundling: esmBundling((out) => [`cp "${machinesFile}" "${out}/machines.json"`]),
      ...(props.bundlingRequired ? {} : { assetHash: 'bundling-skipped-execution-status' }),
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'prescale: status changes of the stack\'s state machines to the execution-events log',
      eventPattern: { source: ['aws.states'], detailType: [EXECUTION_STATUS_DETAIL_TYPE], detail: { stateMachineArn: props.variants.map((v) => v.machine.stateMachineArn) } },
      targets: [new targets.LambdaFunction(this.fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 20, maxEventAge: Duration.hours(2) })],
    });
    const alarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'prescale: Step Functions status events could not be written to the execution-events log (see the dead-letter queue).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the EventBridge target.' }]);
    NagSuppressions.addResourceSuppressions(role, [{ id: 'AwsSolutions-IAM5', reason: 'The wildcard is the function\'s own log group streams (<log group arn>:*).' }], true);
    NagSuppressions.addResourceSuppressions(this.fn, [{ id: 'AwsSolutions-L1', reason: 'Pinned to nodejs22.x, the runtime the project tests on (Node >= 22).' }]);
  }
}
