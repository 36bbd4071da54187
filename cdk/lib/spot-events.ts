/**
 * Spot interruption warnings and rebalance recommendations: EventBridge rules (source `aws.ec2`)
 * deliver them to an encrypted SQS queue the tick drains (SqsEventSource); messages it cannot parse
 * move to a dead-letter queue after 5 receives.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { REBALANCE_DETAIL_TYPE, SPOT_INTERRUPTION_DETAIL_TYPE } from '../../src/adapters/aws/sqs-event-source.js';

/** See module documentation. */
export class SpotEvents extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the spot events queue.' },
    ]);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // a notice is useless after its two minutes; keep a little longer for a delayed tick
      retentionPeriod: Duration.minutes(15),
      visibilityTimeout: Duration.seconds(30),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    const target = new targets.SqsQueue(this.queue);
    new events.Rule(this, 'SpotInterruptionRule', {
      description: 'prescale: EC2 Spot Instance interruption warnings to the tick queue',
      eventPattern: { source: ['aws.ec2'], detailType: [SPOT_INTERRUPTION_DETAIL_TYPE] },
      targets: [target],
    });
    new events.Rule(this, 'RebalanceRule', {
      description: 'prescale: EC2 instance rebalance recommendations to the tick queue',
      eventPattern: { source: ['aws.ec2'], detailType: [REBALANCE_DETAIL_TYPE] },
      targets: [target],
    });
  }
}
