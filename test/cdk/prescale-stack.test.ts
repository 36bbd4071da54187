import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/model/index.js';
import { statements, synthStack } from './stack-fixture.js';

let base: ReturnType<typeof synthStack>;
beforeAll(() => { base = synthStack(); });

const asList = (x: unknown): unknown[] => (Array.isArray(x) ? x : [x]);
const actionsOf = (s: Record<string, unknown>): string[] => asList(s.Action) as string[];

describe('prescale CDK stack: IAM', () => {
  it('allows launches only with the prescale owner tag in the request', () => {
    const launch = statements(base.template).find((s) => s.Sid === 'LaunchWithOwnerTagOnly')!;
    expect(actionsOf(launch).sort()).toEqual(['ec2:CreateFleet', 'ec2:RunInstances']);
    expect(launch.Condition).toEqual({ StringEquals: { 'aws:RequestTag/prescale:owner': 'prescale' } });
    const tag = statements(base.template).find((s) => s.Sid === 'TagOnlyWhileLaunching')!;
    expect(tag.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': ['CreateFleet', 'RunInstances'], 'aws:RequestTag/prescale:owner': 'prescale' } });
  });

  it('allows terminations only of instances carrying the owner tag, and nowhere else', () => {
    const all = statements(base.template);
    const terminate = all.filter((s) => actionsOf(s).includes('ec2:TerminateInstances'));
    expect(terminate).toHaveLength(1);
    expect(terminate[0].Condition).toEqual({ StringEquals: { 'ec2:ResourceTag/prescale:owner': 'prescale' } });
    for (const s of all) {
      expect(actionsOf(s).some((a) => a === '*' || a === 'ec2:*')).toBe(false);
      if (actionsOf(s).includes('ec2:CreateTags')) expect(s.Condition).toBeDefined();
    }
  });

  it('scopes Auto Scaling changes to the configured groups', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cdk-'));
    const file = join(dir, 'asg.json');
    writeFileSync(file, JSON.stringify({ controller: { pools: [{ kind: 'ec2', id: 'web', markets: ['on-demand'] }] }, aws: { autoScalingGroups: { web: { name: 'web-asg', warmPoolMinSize: 2 } } } }));
    const s = statements(synthStack({ 'prescale:config': file, 'prescale:chainApi': 'false' }).template).find((x) => x.Sid === 'ScaleConfiguredAutoScalingGroups')!;
    expect(actionsOf(s)).toContain('autoscaling:PutWarmPool');
    expect(JSON.stringify(s.Resource)).toContain('autoScalingGroupName/web-asg');
  });

  it('gives the controller its own role without managed policies', () => {
    const roles = base.template.findResources('AWS::IAM::Role', { Properties: { Description: 'prescale controller: one tick per minute' } });
    const [role] = Object.values(roles) as Array<{ Properties: Record<string, unknown> }>;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('prescale CDK stack: schedule and function', () => {
  it('invokes the controller every minute with the scheduled time and no retries', () => {
    base.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: base.Match.objectLike({
        Input: base.Match.stringLikeRegexp('"scheduledTime":"<aws.scheduler.scheduled-time>"'),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  it('takes the rate from context and requires the configuration tick period to match it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cdk-'));
    const file = join(dir, 'five.json');
    writeFileSync(file, JSON.stringify({ controller: { tickSec: 300, pools: [{ kind: 'elasticache', id: 'cache' }] } }));
    synthStack({ 'prescale:config': file, 'prescale:scheduleRateMinutes': '5' }).template
      .hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    expect(() => synthStack({ 'prescale:scheduleRateMinutes': '5' })).toThrow(/controller\.tickSec: got 60, expected 300/);
  });

  it('runs one tick at a time in forecast-only mode by default, and takes the mode from context', () => {
    base.template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Architectures: ['arm64'],
      Environment: { Variables: base.Match.objectLike({ PRESCALE_MODE: 'forecast-only', PRESCALE_CONFIG_FILE: 'prescale.config.json' }) },
    });
    synthStack({ 'prescale:mode': 'active' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: base.Match.objectLike({ PRESCALE_MODE: 'active' }) },
    });
  });

  it('fails synth on a bad configuration or mode, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cdk-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ controller: { pools: [{ kind: 'ec2', id: 'web' }] } }));
    expect(() => synthStack({ 'prescale:config': file })).toThrow(/aws\.launchTemplates\.web/);
    expect(() => synthStack({ 'prescale:mode': 'yolo' })).toThrow(InputError);
  });

  it('runs the smoke test as a deploy trigger after the tables and queue exist', () => {
    const triggers = base.template.findResources('Custom::Trigger');
    expect(Object.keys(triggers)).toHaveLength(1);
    const [t] = Object.values(triggers) as Array<{ DependsOn?: string[] }>;
    expect((t.DependsOn ?? []).some((d) => d.startsWith('StorageStateTable'))).toBe(true);
    expect((t.DependsOn ?? []).some((d) => d.startsWith('SpotEventsQueue'))).toBe(true);
  });
});
