/**
 * CDK assertions for pre-execution in AWS (issue 21) with the catalog and the prefetch cache: the
 * controller may send prepare messages to the pool queues and invoke the task runner; workers and the
 * task runner read the machines' executions; the cache is reachable only from the workers' and the
 * functions' security groups, with TLS required and an AUTH token generated in Secrets Manager that
 * both read at start; the clients' subnets reach the AWS APIs through VPC endpoints.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREFETCH_CACHE_PORT } from '../../cdk/lib/prefetch-cache.js';
import { statements, synthStack } from './stack-fixture.js';

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.catalog.json');
let s: ReturnType<typeof synthStack>;
beforeAll(() => { s = synthStack({ 'prescale:chainsConfig': CATALOG, 'prescale:prefetchCache': 'true' }); }, 600_000);

type Res = { Properties: Record<string, unknown> };
const resources = (type: string): Array<[string, Res]> => Object.entries(s.template.findResources(type)) as Array<[string, Res]>;
const idOf = (type: string, prefix: string): string => resources(type).find(([id]) => id.startsWith(prefix))![0];
const withAction = (a: string) => statements(s.template).filter((st) => ([] as unknown[]).concat(st.Action).includes(a));

describe('prescale CDK stack: pre-execution', () => {
  it('lets the controller send prepare messages to the pool queues and invoke the task runner, and tells it the machines, queues and Lambda pools', () => {
    const [, ctl] = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('ControllerFunction'))!;
    const env = JSON.stringify((ctl.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
    for (const v of ['PRESCALE_STATE_MACHINES', 'PRESCALE_POOL_QUEUE_URLS', 'PRESCALE_LAMBDA_POOLS']) expect(env).toContain(v);
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: unknown[]; PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
    const controller = policies.filter((p) => JSON.stringify(p.Properties.Roles).includes('ControllerRole')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const sends = controller.filter((st) => ([] as unknown[]).concat(st.Action).includes('sqs:SendMessage'));
    expect(JSON.stringify(sends.map((x) => x.Resource))).toContain('PoolQueuesweb');
    const invokes = controller.filter((st) => ([] as unknown[]).concat(st.Action).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invokes.map((x) => x.Resource))).toContain('TaskRunnerFunction');
  });

  it("lets the workers and the task runner read only the catalog machines' executions", () => {
    const read = statements(s.template).filter((x) => x.Sid === 'ReadExecutionsToPrepare');
    expect(read.length).toBeGreaterThanOrEqual(2);
    for (const st of read) {
      expect(st.Action).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
      const res = JSON.stringify(st.Resource);
      expect(res).toMatch(/execution:prescale-text-stats-spot-[0-9a-f]{16}:\*/);
      expect(res).not.toContain('execution:*');
    }
  });
});

describe('prescale CDK stack: the prefetch cache and its clients', () => {
  it('admits the cache port only from the workers\' and the functions\' security groups', () => {
    const cacheSg = idOf('AWS::EC2::SecurityGroup', 'PrefetchCacheSecurityGroup');
    const workerSg = idOf('AWS::EC2::SecurityGroup', 'PrefetchCacheWorkerSecurityGroup');
    const fnSg = idOf('AWS::EC2::SecurityGroup', 'PrefetchCacheFunctionSecurityGroup');
    const [, sg] = resources('AWS::EC2::SecurityGroup').find(([id]) => id === cacheSg)!;
    expect(sg.Properties.SecurityGroupIngress ?? []).toEqual([]);
    const ingress = resources('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter((p) => JSON.stringify(p.GroupId).includes(cacheSg));
    expect(ingress).toHaveLength(2);
    for (const p of ingress) {
      expect(p).toMatchObject({ IpProtocol: 'tcp', FromPort: PREFETCH_CACHE_PORT, ToPort: PREFETCH_CACHE_PORT });
      expect(p.CidrIp).toBeUndefined();
    }
    expect(ingress.map((p) => JSON.stringify(p.SourceSecurityGroupId)).sort()).toEqual([JSON.stringify({ 'Fn::GetAtt': [fnSg, 'GroupId'] }), JSON.stringify({ 'Fn::GetAtt': [workerSg, 'GroupId'] })].sort());
  });

  it('requires TLS and an AUTH token generated in Secrets Manager', () => {
    const secret = idOf('AWS::SecretsManager::Secret', 'PrefetchCacheAuthToken');
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 } });
    const [, group] = resources('AWS::ElastiCache::ReplicationGroup')[0];
    expect(group.Properties).toMatchObject({ TransitEncryptionEnabled: true, TransitEncryptionMode: 'required', AtRestEncryptionEnabled: true });
    expect(JSON.stringify(group.Properties.AuthToken)).toContain(`{{resolve:secretsmanager:`);
    expect(JSON.stringify(group.Properties.AuthToken)).toContain(secret);
    const reads = withAction('secretsmanager:GetSecretValue').filter((x) => JSON.stringify(x.Resource).includes(secret));
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: unknown[]; PolicyDocument: { Statement: unknown[] } } }>;
    const readers = policies.filter((p) => p.Properties.PolicyDocument.Statement.some((x) => reads.includes(x as Record<string, unknown>))).map((p) => JSON.stringify(p.Properties.Roles));
    expect(readers.some((r) => r.includes('WorkerRole'))).toBe(true);
    expect(readers.some((r) => r.includes('TaskRunnerRole'))).toBe(true);
    expect(readers.some((r) => r.includes('ControllerRole'))).toBe(false);
  });

  it('runs the task runner in the cache VPC with the functions\' group, and gives it the cache URL and the secret', () => {
    const fnSg = idOf('AWS::EC2::SecurityGroup', 'PrefetchCacheFunctionSecurityGroup');
    const [, runner] = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('TaskRunnerFunction'))!;
    const vpc = runner.Properties.VpcConfig as { SecurityGroupIds: unknown[]; SubnetIds: unknown[] };
    expect(vpc.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [fnSg, 'GroupId'] }]);
    expect(JSON.stringify(vpc.SubnetIds)).toContain('PrefetchCacheVpccache');
    const env = (runner.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.PRESCALE_REDIS_URL)).toContain('rediss://');
    expect(env.PRESCALE_REDIS_CLUSTER).toBe('true');
    expect(JSON.stringify(env.PRESCALE_REDIS_AUTH_SECRET_ARN)).toContain('PrefetchCacheAuthToken');
  });

  it('starts the workers with the cache over TLS and its secret, and outputs the subnets and group for their launch template', () => {
    const outputs = s.template.findOutputs('*');
    const ud = JSON.stringify(Object.entries(outputs).find(([id]) => id.startsWith('WorkerUserDataweb'))![1]);
    expect(ud).toContain("--redis-url 'rediss://");
    expect(ud).toContain('--redis-cluster');
    expect(ud).toContain('--redis-auth-secret');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WorkerSecurityGroupId', 'WorkerSubnetIds']));
  });

  it('reaches SQS, Step Functions and Secrets Manager through interface endpoints open to the cache clients only, S3 and DynamoDB through gateways', () => {
    const names = resources('AWS::EC2::VPCEndpoint').map(([, r]) => JSON.stringify(r.Properties.ServiceName));
    for (const svc of ['.sqs', '.states', '.secretsmanager', '.s3', '.dynamodb']) expect(names.some((n) => n.includes(svc))).toBe(true);
    const endpointSg = idOf('AWS::EC2::SecurityGroup', 'PrefetchCacheEndpointSecurityGroup');
    const ingress = resources('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter((p) => JSON.stringify(p.GroupId).includes(endpointSg));
    expect(ingress).toHaveLength(2);
    for (const p of ingress) expect(p).toMatchObject({ FromPort: 443, ToPort: 443 });
  });

  it('keeps cdk-nag AwsSolutions clean', () => {
    expect(s.annotations.findError('*', s.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(s.annotations.findWarning('*', s.Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});

describe('prescale CDK stack: pre-execution on the dashboard', () => {
  it('shows the next-step hit rate, setup seconds saved, prefetch waste and cost per pool', () => {
    const [, dash] = resources('AWS::CloudWatch::Dashboard')[0];
    const body = JSON.stringify(dash.Properties.DashboardBody);
    for (const m of ['PrefetchHitRatePercent', 'PrefetchSetupSecondsSaved', 'PrefetchPrepareRequests', 'PrefetchResumedSteps', 'PoolCostUsdPerHour']) expect(body).toContain(m);
    expect(body).toContain('requests - resumed');
  });
});
