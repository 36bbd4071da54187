/**
 * CDK assertions for the scheduled report writer (issue 21 item 7): a nodejs22.x function on an
 * EventBridge rate rule (hourly by default, `prescale:reportEveryMin`), whose own role may only read
 * the state table and put objects under the reports bucket's `reports/*`; an error alarm on the
 * stack's topic; cdk-nag stays clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readStackInputs } from '../../cdk/lib/props.js';
import { InputError } from '../../src/core/model/errors.js';
import { synthStack } from './stack-fixture.js';

type Res = { Properties: Record<string, unknown> };
let s: ReturnType<typeof synthStack>;
beforeAll(() => { s = synthStack(); }, 600_000);

const resources = (t: ReturnType<typeof synthStack>['template'], type: string): Array<[string, Res]> => Object.entries(t.findResources(type)) as Array<[string, Res]>;
const writerFn = (t: ReturnType<typeof synthStack>['template']) => resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ReportWriterFunction'))!;

describe('prescale CDK stack: scheduled report writer', () => {
  it('runs the report writer on nodejs22.x with the state table, the reports bucket and a 7-day window', () => {
    const [, fn] = writerFn(s.template);
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    expect(fn.Properties.Handler).toBe('index.handler');
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.PRESCALE_STATE_TABLE)).toContain('StorageStateTable');
    expect(JSON.stringify(env.PRESCALE_REPORTS_BUCKET)).toContain('StorageReportsBucket');
    expect(env.PRESCALE_REPORT_WINDOW_SEC).toBe('604800');
  });

  it('invokes it every hour by default and every prescale:reportEveryMin minutes when set', () => {
    const [fnId] = writerFn(s.template);
    const rules = resources(s.template, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(fnId));
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.ScheduleExpression).toBe('rate(1 hour)');
    const other = synthStack({ 'prescale:reportEveryMin': '15' });
    const [id2] = writerFn(other.template);
    const r2 = resources(other.template, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets).includes(id2))!;
    expect(r2[1].Properties.ScheduleExpression).toBe('rate(15 minutes)');
  }, 600_000);

  it('rejects a prescale:reportEveryMin outside 5..1440 with one line naming the key', () => {
    expect(() => readStackInputs((k) => (k === 'prescale:reportEveryMin' ? '2' : undefined))).toThrow(InputError);
    expect(() => readStackInputs((k) => (k === 'prescale:reportEveryMin' ? 'hourly' : undefined))).toThrow(/prescale:reportEveryMin/);
  });

  it("gives its role only reads of the state table and puts under the bucket's reports/ prefix", () => {
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: unknown[]; PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
    const own = policies.filter((p) => JSON.stringify(p.Properties.Roles).includes('ReportWriterRole')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = own.flatMap((st) => ([] as unknown[]).concat(st.Action)).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:PutObject']);
    const put = own.find((st) => st.Sid === 'PutReports')!;
    expect(JSON.stringify(put.Resource)).toMatch(/StorageReportsBucket.*\/reports\/\*/);
    const read = own.find((st) => st.Sid === 'ReadStateTable')!;
    expect(JSON.stringify(read.Resource)).toContain('StorageStateTable');
    expect(JSON.stringify(read.Resource)).not.toContain('*');
    const roles = resources(s.template, 'AWS::IAM::Role').filter(([id]) => id.startsWith('ReportWriterRole'));
    expect(roles).toHaveLength(1);
    expect(roles[0]![1].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('alarms on the stack topic when a run fails', () => {
    const [fnId] = writerFn(s.template);
    const alarms = resources(s.template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('ReportWriterErrorAlarm'));
    expect(alarms).toHaveLength(1);
    const a = alarms[0]![1].Properties;
    expect(a.MetricName).toBe('Errors');
    expect(JSON.stringify(a.Dimensions)).toContain(fnId);
    expect(JSON.stringify(a.AlarmActions)).toContain('ObservabilityAlarmTopic');
  });

  it('keeps cdk-nag AwsSolutions clean with the report writer', () => {
    expect(s.annotations.findError('*', s.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(s.annotations.findWarning('*', s.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});
