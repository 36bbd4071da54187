/**
 * The dashboard and alarms. Alarms notify an encrypted SNS topic (and an email when given):
 * - SafetyLimitBreaches ≥ 1 in a minute: a safety limit stopped the controller acting;
 * - controller errors in 3 of 5 minutes (bad configuration, missing permission, bug);
 * - no invocation for 5 minutes (the schedule stopped);
 * - AWS throttled 5 ticks in 15 minutes;
 * - spot events landing in the dead-letter queue.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from '../../src/handlers/controller-runner.js';

/** Props of {@link PrescaleObservability}. */
export interface PrescaleObservabilityProps {
  readonly fn: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly poolIds: readonly string[];
  /** Email subscribed to the alarm topic. @default none */
  readonly alarmEmail?: string;
}

const NS = 'Prescale';
const SERVICE = { service: 'prescale-controller' };

/** A controller metric (Powertools adds the `service` dimension). */
function metric(name: string, statistic: string, dims: Record<string, string> = SERVICE): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: NS, metricName: name, dimensionsMap: dims, statistic, period: Duration.minutes(1) });
}

/** See module documentation. */
export class PrescaleObservability extends Construct {
  readonly topic: sns.Topic;
  readonly safetyAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PrescaleObservabilityProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'prescale alarms',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    if (props.alarmEmail) this.topic.addSubscription(new subs.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (id: string, description: string, m: cloudwatch.IMetric, threshold: number, evaluationPeriods: number, datapoints: number, missing: cloudwatch.TreatMissingData, op = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmDescription: description, metric: m, threshold, evaluationPeriods, datapointsToAlarm: datapoints,
        comparisonOperator: op, treatMissingData: missing,
      });
      a.addAlarmAction(notify);
      return a;
    };
    this.safetyAlarm = alarm('SafetyLimitAlarm', 'prescale: a safety limit (max instances, spend per hour or change per tick) was breached; the controller stopped acting on it.',
      metric(METRIC.safety, 'Maximum'), 1, 1, 1, cloudwatch.TreatMissingData.NOT_BREACHING);
    const errors = props.fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' });
    alarm('ErrorsAlarm', 'prescale: the controller tick failed in 3 of the last 5 minutes (configuration, permission or code error; see its logs).',
      errors, 1, 5, 3, cloudwatch.TreatMissingData.NOT_BREACHING);
    const invocations = props.fn.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' });
    alarm('NoTicksAlarm', 'prescale: no controller invocation for 5 minutes (schedule disabled or failing).',
      invocations, 1, 1, 1, cloudwatch.TreatMissingData.BREACHING, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
    alarm('ThrottledAlarm', 'prescale: AWS throttled 5 ticks in 15 minutes; the controller is backing off.',
      metric(METRIC.throttled, 'Sum').with({ period: Duration.minutes(15) }), 5, 1, 1, cloudwatch.TreatMissingData.NOT_BREACHING);
    alarm('DeadLetterAlarm', 'prescale: spot event messages could not be processed and are in the dead-letter queue.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 1, 1, 1, cloudwatch.TreatMissingData.NOT_BREACHING);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: undefined, defaultInterval: Duration.hours(6) });
    const perPool = (name: string): cloudwatch.IMetric[] => props.poolIds.map((p) => metric(name, 'Average', { ...SERVICE, pool: p }).with({ label: `${p} ${name}` }));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Planned vs actual capacity (vCPU units)', left: [...perPool(METRIC.plannedUnits), ...perPool(METRIC.actualUnits)], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Cost (USD per hour)', left: [metric(METRIC.cost, 'Average')], width: 12 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Forecast error (sMAPE %) and prediction hit rate (%)', left: [metric(METRIC.forecastError, 'Average')], right: [metric(METRIC.hitRate, 'Average')], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Commands', left: [metric(METRIC.applied, 'Sum'), metric(METRIC.failed, 'Sum'), metric(METRIC.safety, 'Sum'), metric(METRIC.throttled, 'Sum')], width: 12 }),
    );
    // pre-execution in AWS (issue 21): hit rate, setup seconds saved, waste (prepared, never resumed), cost per pool
    const hour = Duration.hours(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Next-step hit rate (%) and prepared steps resumed / run cold',
        left: [metric(METRIC.hitRate, 'Average').with({ label: 'next-step hit rate %' })],
        right: [metric(METRIC.resumedSteps, 'Sum').with({ period: hour, label: 'resumed' }), metric(METRIC.coldSteps, 'Sum').with({ period: hour, label: 'ran cold' })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Setup seconds saved and prefetch waste (prepare requests not resumed), per hour',
        left: [metric(METRIC.setupSecSaved, 'Sum').with({ period: hour, label: 'setup seconds saved' })],
        right: [new cloudwatch.MathExpression({
          expression: 'MAX([0, requests - resumed])', label: 'wasted preparations', period: hour,
          usingMetrics: { requests: metric(METRIC.prepareRequests, 'Sum').with({ period: hour }), resumed: metric(METRIC.resumedSteps, 'Sum').with({ period: hour }) },
        })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: 'Cost per pool (USD per hour)', left: perPool(METRIC.poolCost), stacked: true, width: 24 }));
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [this.safetyAlarm], width: 24 }));
  }
}
