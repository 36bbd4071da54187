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
import { ARM_DIMENSION, METRIC, SELECTION_DIMENSION, SELECTIONS } from '../../src/handlers/controller-runner.js';

/** Props of {@link PrescaleObservability}. */
export interface PrescaleObservabilityProps {
  readonly fn: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly poolIds: readonly string[];
  /** Email subscribed to the alarm topic. @default none */
  readonly alarmEmail?: string;
  /**
   * The A/B arms of prefetch configurations (`controller.prefetch.abTest.arms[].name`): per-arm widgets
   * over the metrics the controller publishes with the `Arm` dimension. @default none (no A/B widgets)
   */
  readonly arms?: readonly string[];
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
    addLearningWidgets(this.dashboard);
    if (props.arms && props.arms.length > 0) addArmWidgets(this.dashboard, props.arms);
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [this.safetyAlarm], width: 24 }));
  }
}

/**
 * issue 22: the learning loop on the dashboard, from the controller's per-tick changes
 * (src/handlers/controller-runner.ts `emitLearningMetrics`): the next-step model's Brier score
 * (Σ(p − o)² ÷ scored outcomes) per hour with the outcomes scored; per selection (bundle members,
 * single steps) the hit rate of the settled preparations and the setup seconds saved per wasted
 * CPU-second; then the same over the dashboard's time range. The reliability curve per decile is in
 * the scheduled report (report.html, `prescale export-report`).
 */
function addLearningWidgets(dashboard: cloudwatch.Dashboard): void {
  const hour = Duration.hours(1);
  const sel = (name: string, s: string, period: Duration): cloudwatch.Metric => metric(name, 'Sum', { ...SERVICE, [SELECTION_DIMENSION]: s }).with({ period });
  // ids unique within a widget: `i` numbers the expressions of one widget
  const ratio = (num: cloudwatch.Metric, den: cloudwatch.Metric, scale: number, label: string, period: Duration, i: number): cloudwatch.MathExpression => new cloudwatch.MathExpression({
    expression: `IF(d${i} > 0, ${scale === 1 ? '' : `${scale} * `}n${i} / d${i}, 0)`, label, period, usingMetrics: { [`n${i}`]: num, [`d${i}`]: den },
  });
  const brier = (period: Duration, i = 0): cloudwatch.MathExpression => ratio(metric(METRIC.nextStepBrierSum, 'Sum').with({ period }), metric(METRIC.nextStepOutcomes, 'Sum').with({ period }), 1, 'Brier score', period, i);
  const hitRate = (s: string, period: Duration, i: number): cloudwatch.MathExpression => ratio(sel(METRIC.selectionHits, s, period), sel(METRIC.selectionSettled, s, period), 100, `${s} hit rate %`, period, i);
  const perWaste = (s: string, period: Duration, i: number): cloudwatch.MathExpression => ratio(sel(METRIC.selectionSetupSecSaved, s, period), sel(METRIC.selectionWastedCpuSec, s, period), 1, `${s} saved s per wasted CPU-s`, period, i);
  dashboard.addWidgets(new cloudwatch.TextWidget({
    markdown: '### Learning loop\nBrier = Σ(p − o)² ÷ predictions scored by the next-step feedback loop (0 is perfect). Bundles vs single steps: the commanded preparations chosen as members of a frequent-subgraph bundle or as single-step predictions; hit rate = hits ÷ settled; saved ÷ wasted = setup seconds saved per CPU-second spent on preparations never used. Reliability curve per decile: the scheduled report (report.html).',
    width: 24, height: 2,
  }));
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Next-step Brier score (left) and predictions scored (right), per hour', left: [brier(hour)], right: [metric(METRIC.nextStepOutcomes, 'Sum').with({ period: hour, label: 'predictions scored' })], width: 8 }),
    new cloudwatch.GraphWidget({ title: 'Bundles vs single steps: hit rate (%, left) and preparations settled (right), per hour', left: SELECTIONS.map((s, i) => hitRate(s, hour, i)), right: SELECTIONS.map((s) => sel(METRIC.selectionSettled, s, hour).with({ label: `${s} settled` })), width: 8 }),
    new cloudwatch.GraphWidget({ title: 'Bundles vs single steps: setup seconds saved per wasted CPU-second, per hour', left: SELECTIONS.map((s, i) => perWaste(s, hour, i)), width: 8 }),
  );
  const day = Duration.days(1);
  dashboard.addWidgets(new cloudwatch.SingleValueWidget({
    title: 'Learning loop over the time range',
    metrics: [
      brier(day, 0),
      ...SELECTIONS.flatMap((s, i) => [sel(METRIC.selectionSettled, s, day).with({ label: `${s} prepared (settled)` }), sel(METRIC.selectionHits, s, day).with({ label: `${s} hits` }), perWaste(s, day, i + 1)]),
    ],
    setPeriodToTimeRange: true, width: 24, height: 4,
  }));
}

/**
 * issue 22: the A/B test of prefetch configurations on the dashboard, from the per-arm metrics of
 * src/handlers/prefetch-meter.ts. One graph per figure with a line per arm (hourly): hit rate
 * (hits ÷ settled preparations), setup seconds saved, wasted CPU-seconds and USD, step latency
 * (p50/p95 of step runtimes) and the Brier score of the preparations (Σ(p − o)² ÷ settled); then one
 * single-value widget per arm with the same figures over the dashboard's time range.
 */
function addArmWidgets(dashboard: cloudwatch.Dashboard, arms: readonly string[]): void {
  const hour = Duration.hours(1);
  const m = (name: string, arm: string, statistic: string, label?: string): cloudwatch.Metric =>
    metric(name, statistic, { ...SERVICE, [ARM_DIMENSION]: arm }).with({ period: hour, ...(label ? { label } : {}) });
  const ratio = (num: string, den: string, scale: number, arm: string, i: number, label: string, period: Duration = hour): cloudwatch.MathExpression => new cloudwatch.MathExpression({
    expression: `IF(d${i} > 0, ${scale === 1 ? '' : `${scale} * `}n${i} / d${i}, 0)`, label, period,
    usingMetrics: { [`n${i}`]: m(num, arm, 'Sum').with({ period }), [`d${i}`]: m(den, arm, 'Sum').with({ period }) },
  });
  dashboard.addWidgets(new cloudwatch.TextWidget({
    markdown: `### A/B test of prefetch configurations (arms: ${arms.join(', ')})\nPer arm: hit rate = resumed ÷ settled preparations; waste = preparations not resumed (setup seconds × vCPU); Brier = Σ(p − o)² ÷ settled. The significance test against the control is in \`prescale export-report --ab\`.`,
    width: 24, height: 2,
  }));
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'A/B: hit rate per arm (%, per hour)', left: arms.map((a, i) => ratio(METRIC.preparationHits, METRIC.settledPreparations, 100, a, i, `${a} hit rate %`)), width: 8 }),
    new cloudwatch.GraphWidget({ title: 'A/B: setup seconds saved per arm (per hour)', left: arms.map((a) => m(METRIC.setupSecSaved, a, 'Sum', `${a} saved s`)), width: 8 }),
    new cloudwatch.GraphWidget({
      title: 'A/B: wasted CPU-seconds (left) and USD (right) per arm (per hour)',
      left: arms.map((a) => m(METRIC.wastedCpuSec, a, 'Sum', `${a} wasted CPU-s`)), right: arms.map((a) => m(METRIC.wastedUsd, a, 'Sum', `${a} wasted USD`)), width: 8,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'A/B: step latency per arm (p50 and p95 of step runtimes, s)', left: arms.flatMap((a) => [m(METRIC.stepLatency, a, 'p50', `${a} p50 s`), m(METRIC.stepLatency, a, 'p95', `${a} p95 s`)]), width: 12 }),
    new cloudwatch.GraphWidget({ title: 'A/B: Brier score of the preparations per arm (per hour; 0 is perfect)', left: arms.map((a, i) => ratio(METRIC.brierSum, METRIC.settledPreparations, 1, a, i, `${a} Brier`)), width: 12 }),
  );
  const perArm = arms.map((a) => new cloudwatch.SingleValueWidget({
    title: `A/B arm ${a}`,
    metrics: [
      ratio(METRIC.preparationHits, METRIC.settledPreparations, 100, a, 0, 'hit rate %', Duration.days(1)),
      m(METRIC.setupSecSaved, a, 'Sum', 'setup s saved').with({ period: Duration.days(1) }),
      m(METRIC.wastedCpuSec, a, 'Sum', 'wasted CPU-s').with({ period: Duration.days(1) }),
      m(METRIC.wastedUsd, a, 'Sum', 'wasted USD').with({ period: Duration.days(1) }),
      m(METRIC.stepLatency, a, 'p95', 'step p95 s').with({ period: Duration.days(1) }),
      ratio(METRIC.brierSum, METRIC.settledPreparations, 1, a, 1, 'Brier', Duration.days(1)),
    ],
    setPeriodToTimeRange: true, width: 12, height: 4,
  }));
  for (let i = 0; i < perArm.length; i += 2) dashboard.addWidgets(...perArm.slice(i, i + 2));
}
