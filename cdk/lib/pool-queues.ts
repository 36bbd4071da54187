/**
 * One SQS work queue per EC2 pool (the `sqs:sendMessage.waitForTaskToken` target of the pool's steps),
 * each with a dead-letter queue and a CloudWatch alarm on it, and per pool a workers' IAM role and
 * instance profile for the pool's launch template: receive / delete / change visibility on that pool's
 * queue only, report task results to Step Functions (added by {@link PoolQueues.grantTaskResponse}) and
 * append to the execution-events log of the state table.
 *
 * A worker deletes a step's message when it starts the step (from then on the engine owns the step:
 * heartbeats and Retry), and returns a message it cannot fit now with visibility 0; the receive count
 * therefore grows with every bounce, so the dead-letter threshold is high ({@link POOL_QUEUE_MAX_RECEIVES}).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EXECUTION_LOG as EXECUTION_EVENTS_LOG } from '../../src/handlers/aws-ports.js';

/** Receives of one message before it moves to the dead-letter queue (bounces of busy workers count). */
export const POOL_QUEUE_MAX_RECEIVES = 100;

/** Props of {@link PoolQueues}. */
export interface PoolQueuesProps {
  /** EC2 pool ids (controller.pools of kind ec2). */
  readonly poolIds: readonly string[];
  /** The state table whose `execution-events` log the workers append to. */
  readonly stateTable: dynamodb.ITable;
  /** Topic the dead-letter alarms notify. @default none (alarm state only) */
  readonly alarmTopic?: sns.ITopic;
}

/** One pool's queue, dead-letter queue, alarm and workers' role. */
export interface PoolQueue {
  readonly poolId: string;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly workerRole: iam.Role;
  readonly instanceProfile: iam.InstanceProfile;
}

/** A construct-id-safe form of a pool id. */
function idOf(poolId: string): string {
  return poolId.replace(/[^A-Za-z0-9]/g, '') || 'Pool';
}

/** See module documentation. */
export class PoolQueues extends Construct {
  /** By pool id. */
  readonly pools: ReadonlyMap<string, PoolQueue>;

  constructor(scope: Construct, id: string, props: PoolQueuesProps) {
    super(scope, id);
    const pools = new Map<string, PoolQueue>();
    const used = new Set<string>();
    for (const poolId of props.poolIds) {
      let cid = idOf(poolId);
      for (let n = 2; used.has(cid); n++) cid = `${idOf(poolId)}${n}`;
      used.add(cid);
      const scopeOf = new Construct(this, cid);
      const deadLetterQueue = new sqs.Queue(scopeOf, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const queue = new sqs.Queue(scopeOf, 'Queue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // the worker deletes a message as it starts the step; a crash before that redelivers after a minute
        visibilityTimeout: Duration.seconds(60),
        retentionPeriod: Duration.days(4),
        receiveMessageWaitTime: Duration.seconds(20),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: POOL_QUEUE_MAX_RECEIVES },
      });
      const deadLetterAlarm = new cloudwatch.Alarm(scopeOf, 'DeadLetterAlarm', {
        alarmDescription: `prescale: step messages of pool ${poolId} reached its dead-letter queue (no worker took them in ${POOL_QUEUE_MAX_RECEIVES} receives); their executions retry on heartbeat timeout or fail.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmTopic) deadLetterAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      const workerRole = new iam.Role(scopeOf, 'WorkerRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        description: `prescale worker on pool ${poolId}: its queue, task results, the events log`,
      });
      workerRole.addToPolicy(new iam.PolicyStatement({
        sid: 'TakeOwnPoolSteps',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [queue.queueArn],
      }));
      workerRole.addToPolicy(new iam.PolicyStatement({
        sid: 'AppendExecutionEvents',
        actions: ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        resources: [props.stateTable.tableArn],
        // only the execution-events log: its sequence counter (pk "c#<log>") and entries (pk "l#<log>"), see DynamoDbStateStore
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`c#${EXECUTION_EVENTS_LOG}`, `l#${EXECUTION_EVENTS_LOG}`] } },
      }));
      const instanceProfile = new iam.InstanceProfile(scopeOf, 'InstanceProfile', { role: workerRole });
      pools.set(poolId, { poolId, queue, deadLetterQueue, deadLetterAlarm, workerRole, instanceProfile });
    }
    this.pools = pools;
  }

  /** Lets every pool's workers report task results (SendTaskSuccess / Failure / Heartbeat) of `machine`. */
  grantTaskResponse(machine: { grantTaskResponse(g: iam.IGrantable): iam.Grant }): void {
    for (const p of this.pools.values()) machine.grantTaskResponse(p.workerRole);
  }
}
