import { afterEach, describe, expect, it } from 'vitest';
import { createChainApi } from '../../src/adapters/http/chain-api.js';
import { SfnWorkflowEngine } from '../../src/adapters/engine/sfn-engine.js';
import { createApiGatewayHandler, lambdaChainEngine, parseIamPrincipals, toInjectRequest, type ApiGatewayProxyEvent } from '../../src/handlers/chain-api.js';
import { baseConfig, buildService, recordRef } from '../fixtures/tasks/service.js';
import { resolve } from 'node:path';
import { loadChainConfig } from '../../src/adapters/executor/chain-config.js';
import { assembleDag } from '../../src/core/compose/index.js';
import { compileVariant } from '../../src/core/engine/index.js';
import { poolOf } from '../../src/core/model/index.js';
import { synthStack } from '../cdk/stack-fixture.js';

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.catalog.json');

const ALICE_ARN = 'arn:aws:iam::123456789012:role/alice';
const event = (over: Partial<ApiGatewayProxyEvent>): ApiGatewayProxyEvent => ({
  httpMethod: 'GET', path: '/chains/x', headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIA…', 'Content-Type': 'application/json' },
  requestContext: { identity: { userArn: ALICE_ARN } }, ...over,
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => { await close?.(); close = undefined; });

describe('Chain API behind API Gateway (IAM auth)', () => {
  it('replaces the SigV4 header by the mapped principal token and keeps query and body', () => {
    const req = toInjectRequest(event({ httpMethod: 'POST', path: '/chains', body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true, multiValueQueryStringParameters: { x: ['1', '2'] } }), { [ALICE_ARN]: 'alice-token-0001' });
    expect(req).toMatchObject({ method: 'POST', url: '/chains?x=1&x=2', headers: { authorization: 'Bearer alice-token-0001', 'content-type': 'application/json' } });
    expect(String(req.payload)).toBe('{"a":1}');
    expect(toInjectRequest(event({}), {}).headers).not.toHaveProperty('authorization');
  });

  it('creates a chain for a mapped IAM caller and answers 401 for an unmapped one, through the real service', async () => {
    const { service, store } = buildService(baseConfig());
    const app = createChainApi(service);
    close = async () => { await app.close(); await service.close(); await store.close(); };
    const handler = createApiGatewayHandler(async () => app, { [ALICE_ARN]: 'alice-token-0001' });
    const body = JSON.stringify({ chain_id: 'c-1', name: 'one-step', pool: 'od', tasks: [recordRef('a')] });
    const created = await handler(event({ httpMethod: 'POST', path: '/chains', body }));
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ chain_id: 'c-1' });
    const got = await handler(event({ path: '/chains/c-1' }));
    expect(got.statusCode).toBe(200);
    const stranger = await handler(event({ path: '/chains/c-1', requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/mallory' } } }));
    expect(stranger.statusCode).toBe(401);
  });

  it('gives the Lambda the same protections as serve: caller code, deep or prototype-key bodies, prototype-name tokens', async () => {
    const { service, store } = buildService(baseConfig());
    const app = createChainApi(service);
    close = async () => { await app.close(); await service.close(); await store.close(); };
    const handler = createApiGatewayHandler(async () => app, { [ALICE_ARN]: 'alice-token-0001', 'arn:aws:iam::123456789012:role/proto': 'constructor' });
    const post = (body: string, arn = ALICE_ARN) => handler(event({ httpMethod: 'POST', path: '/chains', body, requestContext: { identity: { userArn: arn } } }));
    const code = await post(JSON.stringify({ tasks: [{ task_id: 'x', executable_code_location: 'command:id' }] }));
    expect([code.statusCode, JSON.parse(code.body).field]).toEqual([400, 'tasks[0].executable_code_location']);
    const deep = await post(`{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    expect([deep.statusCode, JSON.parse(deep.body).field]).toEqual([400, 'body']);
    expect(JSON.parse(deep.body).reason).toMatch(/maxJsonDepth/);
    const proto = await post('{"workflow":"x","__proto__":{"admin":true}}');
    expect([proto.statusCode, JSON.parse(proto.body).field]).toEqual([400, 'body.__proto__']);
    expect((await post('{"tasks":[]}', 'arn:aws:iam::123456789012:role/proto')).statusCode).toBe(401);
    expect(await store.list('chains')).toEqual([]);
  });

  it('rejects a malformed principal mapping with InputError', () => {
    expect(parseIamPrincipals(undefined)).toEqual({});
    expect(() => parseIamPrincipals('[1]')).toThrow(/PRESCALE_IAM_PRINCIPALS/);
    expect(() => parseIamPrincipals('{')).toThrow(/valid JSON/);
  });
});

describe('the Lambda chain API engine', () => {
  const embedded = () => ({ engine: {} as never, targets: {} });
  it('runs on Step Functions with the pools queues when PRESCALE_SFN_ROLE_ARN and PRESCALE_POOL_QUEUES are set', () => {
    const e = lambdaChainEngine({
      PRESCALE_SFN_ROLE_ARN: 'arn:aws:iam::123456789012:role/prescale-sfn',
      PRESCALE_POOL_QUEUES: JSON.stringify({ od: 'https://sqs.us-east-1.amazonaws.com/123456789012/prescale-pool-od' }),
      AWS_REGION: 'us-east-1',
    }, embedded);
    expect(e.engine).toBeInstanceOf(SfnWorkflowEngine);
    expect(e.targets).toEqual({ od: { kind: 'sqs', queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/prescale-pool-od' } });
  });

  it('gives catalog chains the stack\'s placeholder targets, so each catalog variant compiles to the name of its deploy-time machine', () => {
    const { stack } = synthStack({ 'prescale:chainsConfig': CATALOG });
    const { config } = loadChainConfig(CATALOG, resolve(__dirname, '../fixtures/tasks'));
    const catalogPools = config.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => poolOf(v, t.task_id))));
    const e = lambdaChainEngine({
      PRESCALE_SFN_ROLE_ARN: 'arn:aws-cn:iam::123456789012:role/prescale-sfn',
      PRESCALE_POOL_QUEUES: JSON.stringify({ web: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/prescale-pool-web' }),
      PRESCALE_DECISION_TABLE: 'decisions',
      AWS_REGION: 'cn-north-1',
    }, embedded, { catalogPools });
    expect(e.decisionTable).toBe('decisions');
    expect(e.catalogMachines?.targets).toEqual({ web: { kind: 'sqs', queueUrl: '${PoolQueueUrl0}' }, burst: { kind: 'lambda', functionArn: '${TaskRunnerArn}' } });
    const names = config.workflows.flatMap((w) => w.variants.map((v) => compileVariant(assembleDag(w.name, v), { pools: e.catalogMachines!.targets, decisionTable: e.catalogMachines!.decisionTable }).name));
    expect(names.sort()).toEqual(stack.stateMachines!.variants.map((v) => v.compiled.name).sort());
    // without PRESCALE_STATE_MACHINE_ARN_PREFIX the prefix comes from the role's partition and account and AWS_REGION
    expect((e.engine as unknown as { opts: { machineArnPrefix?: string } }).opts.machineArnPrefix).toBe('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:');
  });

  it('falls back to the embedded engine without a role, and names PRESCALE_POOL_QUEUES when it is not an object of URLs', () => {
    const fallback = embedded();
    expect(lambdaChainEngine({}, () => fallback)).toBe(fallback);
    for (const bad of ['not json', '[]', '{"od": 3}']) {
      expect(() => lambdaChainEngine({ PRESCALE_SFN_ROLE_ARN: 'arn:aws:iam::1:role/r', PRESCALE_POOL_QUEUES: bad }, embedded)).toThrow(/PRESCALE_POOL_QUEUES/);
    }
  });
});
