/**
 * The scheduled report writer (src/handlers/report-writer.ts): a function that reads the state table
 * and writes report.md / report.json / report.html (and the CSVs) to the reports bucket under
 * `reports/latest/` and `reports/<YYYY-MM-DD>/`, run by an EventBridge schedule rule. Its role may only
 * read the state table (GetItem, Query) and put objects under `reports/*`; failed runs are retried
 * (Lambda asynchronous invocation) and raise an alarm on the stack's topic.
 */
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
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { REPORTS_PREFIX } from '../../src/handlers/report-writer.js';
import { esmBundling, prescaleFunctionBase } from './controller-function.js';

/** Props of {@link ReportWriter}. */
export interface ReportWriterProps {
  readonly stateTable: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  /** Minutes between reports. */
  readonly everyMinutes: number;
  /** Window each report covers, seconds (`PRESCALE_REPORT_WINDOW_SEC`). */
  readonly windowSec: number;
  readonly alarmTopic?: sns.ITopic;
  /** Skip fingerprinting the repository when bundling is skipped. */
  readonly bundlingRequired: boolean;
}

/** See module documentation. */
export class ReportWriter extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly rule: events.Rule;
  readonly errorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReportWriterProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'prescale scheduled report: state table to the reports bucket' });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }));
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadStateTable', actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [props.stateTable.tableArn] }));
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'PutReports', actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(`${REPORTS_PREFIX}*`)] }));
    const timeoutSec = 300;
    this.fn = new NodejsFunction(this, 'Function', {
      ...prescaleFunctionBase('src/handlers/report-writer.ts'),
      description: `prescale: report of the last ${props.windowSec} s to the reports bucket every ${props.everyMinutes} minute(s)`,
      timeout: Duration.seconds(timeoutSec),
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        PRESCALE_STATE_TABLE: props.stateTable.tableName,
        PRESCALE_REPORTS_BUCKET: props.bucket.bucketName,
        PRESCALE_REPORT_WINDOW_SEC: String(props.windowSec),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: esmBundling(),
      ...(props.bundlingRequired ? {} : { assetHash: 'bundling-skipped-report-writer' }),
    });
    this.rule = new events.Rule(this, 'Schedule', {
      description: `prescale: scheduled report every ${props.everyMinutes} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(props.everyMinutes)),
      // a run that cannot start within the period is superseded by the next one
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(Math.min(props.everyMinutes, 60 * 24)) })],
    });
    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      alarmDescription: 'prescale: the scheduled report could not be written (see the report writer\'s log: "report writer failed: …").',
      metric: this.fn.metricErrors({ period: Duration.minutes(Math.min(60, props.everyMinutes)), statistic: 'Sum' }),
      threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) this.errorAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    NagSuppressions.addResourceSuppressions(this.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The wildcards are the function\'s own log group streams (<log group arn>:*) and the report key prefix of the reports bucket (reports/*).',
      appliesTo: [{ regex: '/^Resource::.*:\\*$/' }, { regex: '/^Resource::.*\\/reports\\/\\*$/' }],
    }], true);
    NagSuppressions.addResourceSuppressions(this.fn, [{ id: 'AwsSolutions-L1', reason: 'Pinned to nodejs22.x, the runtime the project tests on (Node >= 22).' }]);
  }
}
