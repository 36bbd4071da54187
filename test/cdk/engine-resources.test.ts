/**
 * CDK assertions for the engine side of the stack (issue 21): one Step Functions Standard machine per
 * catalog variant compiled at synth, their role, a work queue + dead-letter queue + alarm per EC2 pool,
 * the workers' role / instance profile and user data, the Lambda task runner; cdk-nag stays clean and
 * cfn-lint finds no errors in the template with them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aslErrors } from '../../src/adapters/engine/asl-validation.js';
import { statements, synthStack } from './stack-fixture.js';

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.catalog.json');
let s: ReturnType<typeof synthStack>;
beforeAll(() => { s = synthStack({ 'prescale:chainsConfig': CATALOG }); }, 120_000);

type Res = { Properties: Record<string, unknown> };
const resources = (type: string): Res[] => Object.values(s.template.findResources(type)) as Res[];

describe('prescale CDK stack: state machines from the catalog', () => {
  it('creates one Standard state machine per variant, named by the compiler, with pool targets substituted by CloudFormation', () => {
    const machines = resources('AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(2);
    const names = machines.map((m) => m.Properties.StateMachineName as string).sort();
    expect(names[0]).toMatch(/^prescale-text-stats-burst-[0-9a-f]{16}$/);
    expect(names[1]).toMatch(/^prescale-text-stats-spot-[0-9a-f]{16}$/);
    for (const m of machines) {
      expect(m.Properties.StateMachineType).toBe('STANDARD');
      expect(m.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(m.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
      const def = JSON.parse(m.Properties.DefinitionString as string) as Record<string, unknown>;
      expect(aslErrors(def)).toEqual([]);
      const subs = m.Properties.DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(subs)).toEqual(expect.arrayContaining(['VariantDecisionTable', 'PoolQueueUrl0']));
    }
    const spot = machines.find((m) => (m.Properties.StateMachineName as string).includes('-spot-'))!;
    expect(spot.Properties.DefinitionString).toContain('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
    expect(spot.Properties.DefinitionString).toContain('${PoolQueueUrl0}');
    const burst = machines.find((m) => (m.Properties.StateMachineName as string).includes('-burst-'))!;
    expect(burst.Properties.DefinitionString).toContain('arn:aws:states:::lambda:invoke');
    expect(JSON.stringify(burst.Properties.DefinitionSubstitutions)).toContain('TaskRunner');
  });

  it('gives the machines a role that sends to the pool queues, invokes the task runner and reads variant decisions', () => {
    const all = statements(s.template);
    const actions = (a: string) => all.filter((st) => ([] as unknown[]).concat(st.Action).includes(a));
    expect(JSON.stringify(actions('sqs:SendMessage').map((x) => x.Resource))).toContain('PoolQueuesweb');
    expect(JSON.stringify(actions('lambda:InvokeFunction').map((x) => x.Resource))).toContain('TaskRunnerFunction');
    expect(JSON.stringify(actions('dynamodb:GetItem').map((x) => x.Resource))).toContain('StateMachinesVariantDecisions');
    s.template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], SSESpecification: { SSEEnabled: true } });
  });

  it('fails synth naming the variant when a task is bound to a pool with no queue and no task runner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cdk-'));
    const file = join(dir, 'chains.json');
    // the catalog's "burst" variant, with the Lambda pools set to none: its pool has no target
    writeFileSync(file, JSON.stringify(JSON.parse(spawnSync('cat', [CATALOG], { encoding: 'utf8' }).stdout)));
    expect(() => synthStack({ 'prescale:chainsConfig': file, 'prescale:lambdaPools': 'other' })).toThrow(/workflows\[0\]\.variants\[1\].*burst/);
  });
});

describe('prescale CDK stack: pool queues and workers', () => {
  it('creates an encrypted work queue per EC2 pool with a dead-letter queue, and alarms on the dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true, ReceiveMessageWaitTimeSeconds: 20, VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: s.Match.objectLike({ 'Fn::GetAtt': s.Match.arrayWith([s.Match.stringLikeRegexp('PoolQueuesweb.*DeadLetterQueue')]) }), maxReceiveCount: 100 },
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.Match.stringLikeRegexp('PoolQueuesweb.*DeadLetterQueue'), 'QueueName'] } }],
      AlarmActions: [s.Match.objectLike({ Ref: s.Match.stringLikeRegexp('ObservabilityAlarmTopic') })],
    });
  });

  it("lets the workers' role only take its pool's messages, report task results of the machines and append to the events log", () => {
    const roles = Object.entries(s.template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('PoolQueuesweb'));
    expect(roles).toHaveLength(1);
    expect(JSON.stringify(roles[0]![1])).toContain('ec2.amazonaws.com');
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify((p as Res).Properties.Roles).includes('PoolQueuesweb'));
    const st = policies.flatMap((p) => ((p as Res).Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
    const take = st.find((x) => x.Sid === 'TakeOwnPoolSteps')!;
    expect(take.Action).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes']);
    expect(JSON.stringify(take.Resource)).toMatch(/PoolQueuesweb.*Queue/);
    expect(JSON.stringify(take.Resource)).not.toContain('DeadLetter');
    const events = st.find((x) => x.Sid === 'AppendExecutionEvents')!;
    expect(events.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['c#execution-events', 'l#execution-events'] } });
    const results = st.filter((x) => ([] as unknown[]).concat(x.Action).includes('states:SendTaskSuccess'));
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(([] as unknown[]).concat(r.Action).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess']);
      expect(JSON.stringify(r.Resource)).toContain('StateMachinesMachine');
    }
    const all = JSON.stringify(st.map((x) => x.Action));
    for (const a of ['sqs:SendMessage', 'sqs:PurgeQueue', 'states:StartExecution', 'dynamodb:Query', 'dynamodb:DeleteItem']) expect(all).not.toContain(a);
    s.template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
  });

  it('outputs user data that installs Node 22 (AL2023 nodejs22), fetches the worker bundle asset and starts `prescale worker --pool ID --queue-url …` as a systemd unit', () => {
    const outputs = s.template.findOutputs('*');
    const ud = Object.entries(outputs).find(([id]) => id.startsWith('WorkerUserDataweb'))![1] as { Value: unknown };
    const text = JSON.stringify(ud.Value);
    expect(text).toContain('prescale-worker.service');
    expect(text).toContain('systemctl enable --now prescale-worker.service');
    expect(text).toMatch(/prescale-worker.mjs worker --pool 'web' --queue-url '",\{"Ref":"PoolQueuesweb[0-9A-Za-z]*Queue[0-9A-F]+"\}/);
    expect(text).toContain('--state-table');
    expect(text).toContain('dnf install -y nodejs22');
    expect(text).toContain('/opt/prescale/prescale-worker.mjs worker');
    expect(text).not.toContain('npm install');
    expect(text).toContain('aws s3 cp');
    const pass = statements(s.template).find((x) => x.Sid === 'PassWorkerRolesToEc2')!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });
});

describe('prescale CDK stack: queue depth as the task backlog', () => {
  it("passes each EC2 pool's queue name and vCPU per step to the controller", () => {
    const fn = Object.entries(s.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('ControllerFunction'))![1] as Res;
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const v = JSON.stringify(env.PRESCALE_POOL_BACKLOG_QUEUES);
    expect(v).toContain('web');
    expect(v).toMatch(/PoolQueuesweb[0-9A-Za-z]*Queue[0-9A-F]+/);
    expect(v).toContain('QueueName');
    expect(v).toContain('vcpuPerStep');
  });
});

describe('prescale CDK stack: Chain API on the engine', () => {
  it('gives the Chain API the machines role, the pool queues and the decision table, and scopes its Step Functions rights to prescale machines', () => {
    const fn = Object.entries(s.template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('ChainApiFunction'))![1] as Res;
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.PRESCALE_SFN_ROLE_ARN)).toContain('StateMachinesRole');
    expect(JSON.stringify(env.PRESCALE_POOL_QUEUES)).toMatch(/web.*PoolQueuesweb[0-9A-Za-z]*Queue/);
    expect(JSON.stringify(env.PRESCALE_DECISION_TABLE)).toContain('StateMachinesVariantDecisions');
    expect(JSON.stringify(env.PRESCALE_STATE_MACHINE_ARN_PREFIX)).toMatch(/:states:us-east-1:123456789012:stateMachine:"/);
    const st = statements(s.template);
    const pass = st.find((x) => x.Sid === 'PassMachineRoleToStepFunctions')!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } });
    expect(JSON.stringify(pass.Resource)).toContain('StateMachinesRole');
    expect(JSON.stringify(st.find((x) => x.Sid === 'RunPrescaleMachines')!.Resource)).toContain(':stateMachine:prescale-*');
    expect(JSON.stringify(st.find((x) => x.Sid === 'ReadAndStopPrescaleExecutions')!.Resource)).toContain(':execution:prescale-*');
  });
});

describe('prescale CDK stack: engine dashboard', () => {
  it('shows each pool queue depth (visible + in flight) with its dead letters, and executions per variant', () => {
    const body = JSON.stringify(resources('AWS::CloudWatch::Dashboard')[0]!.Properties.DashboardBody);
    expect(body).toContain('visible + inflight');
    expect(body).toContain('ApproximateNumberOfMessagesNotVisible');
    expect(body).toContain('web backlog (steps)');
    expect(body).toContain('ExecutionsFailed');
    expect(body).toContain('text-stats/spot succeeded');
  });
});

describe('prescale CDK stack: execution status events', () => {
  it("routes the machines' execution status changes to a function that appends to the events log, with retries and an alarmed dead-letter queue", () => {
    const rules = resources('AWS::Events::Rule').filter((r) => (JSON.stringify(r.Properties.EventPattern) ?? '').includes('aws.states'));
    expect(rules).toHaveLength(1);
    const pattern = rules[0]!.Properties.EventPattern as { source: string[]; 'detail-type': string[]; detail: { stateMachineArn: unknown[] } };
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(pattern.detail.stateMachineArn).toHaveLength(2);
    const target = (rules[0]!.Properties.Targets as Array<Record<string, unknown>>)[0]!;
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 20 });
    expect(JSON.stringify(target.DeadLetterConfig)).toContain('ExecutionStatusDeadLetterQueue');
    expect(JSON.stringify(target.Arn)).toContain('ExecutionStatusFunction');
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.Match.stringLikeRegexp('ExecutionStatusDeadLetterQueue'), 'QueueName'] } }] });
    s.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Environment: { Variables: s.Match.objectLike({ PRESCALE_MACHINES_FILE: 'machines.json' }) } });
  });
});

describe('prescale CDK stack: task runner', () => {
  it('bundles the task runner on nodejs22.x with its own role that writes only its logs and the events log', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 900,
      Environment: { Variables: s.Match.objectLike({ PRESCALE_CHAINS_CONFIG_FILE: 'prescale.chains.json' }) },
    });
    const base = synthStack();
    base.template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(Object.keys(base.template.findResources('AWS::Lambda::Function')).some((k) => k.startsWith('TaskRunner'))).toBe(false);
  });

  it('checks prescale:taskCodeDir, the task code copied into the task runner bundle', () => {
    expect(() => synthStack({ 'prescale:chainsConfig': CATALOG, 'prescale:taskCodeDir': 'no/such/dir' })).toThrow(/prescale:taskCodeDir/);
    expect(synthStack({ 'prescale:chainsConfig': CATALOG, 'prescale:taskCodeDir': 'test/fixtures/tasks' }).stack.taskRunner).toBeDefined();
  });

  it('keeps cdk-nag AwsSolutions clean with the engine resources', () => {
    expect(s.annotations.findError('*', s.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(s.annotations.findWarning('*', s.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});

const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const noLint = probe.error || probe.status !== 0 ? `cfn-lint not found (pip install cfn-lint): ${probe.error?.message ?? probe.stderr}` : undefined;
if (noLint && process.env.CI === 'true') throw new Error(`cfn-lint is required on CI: ${noLint}`);
if (noLint) console.warn(`skipping the engine template cfn-lint check: ${noLint}`);

describe.skipIf(!!noLint)('engine template', () => {
  // W3005 / W3045 / W3010 are about what aws-cdk-lib itself generates (see test/cdk/cfn-lint.test.ts on main)
  it('has no cfn-lint errors or warnings with the catalog and the prefetch cache', () => {
    const withCache = synthStack({ 'prescale:chainsConfig': CATALOG, 'prescale:prefetchCache': 'true' });
    const file = join(mkdtempSync(join(tmpdir(), 'prescale-cfn-')), 'template.json');
    writeFileSync(file, JSON.stringify(withCache.template.toJSON(), null, 1));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', 'W3005', 'W3045', 'W3010', '--', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr, 'cfn-lint findings').toBe('');
    expect(r.status! & 6).toBe(0);
  }, 240_000);
});
