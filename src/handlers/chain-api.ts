/**
 * The Chain Management API in Lambda behind API Gateway (REST, IAM authorisation): a thin adapter
 * that replays each API Gateway proxy event into the same fastify app `prescale serve` runs
 * (`createChainApi`, via fastify's `inject`, so no extra dependency).
 *
 * API Gateway has already authenticated the caller with SigV4; the adapter maps the caller's IAM ARN
 * to one of the chain service's principals (`PRESCALE_IAM_PRINCIPALS`: `{ "<iam arn>": "<token>" }`,
 * a token of the service's `tokens` table), so authorisation, policies and spend caps apply as in
 * `prescale serve`. A caller without a mapping gets the service's 401.
 *
 * Where steps run: with `PRESCALE_SFN_ROLE_ARN` and `PRESCALE_POOL_QUEUES` (`{ "<pool id>": "<SQS queue URL>" }`)
 * the composed variant runs on AWS Step Functions (StartExecution / DescribeExecution through
 * {@link SfnWorkflowEngine}) and its steps on `prescale worker` processes polling those queues;
 * without them, on the embedded local engine inside the function (a development fallback). A catalog
 * chain starts on the machine the stack deployed for its variant (looked up, never created; a missing
 * one fails the execution naming the workflow and variant); only a submitted chain's machine is
 * created at run time (the role may pass only the machines' role, to Step Functions only).
 *
 * Known limit: the execution record is brought up to date by a runner in the function's process; a
 * Step Functions execution keeps running while the container is frozen, and its record catches up
 * on the next invocation of a warm container or on the next cold start (`ChainService.resume`).
 */

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LocalExecutor } from '../adapters/executor/local-executor.js';
import { createEmbeddedEngine } from '../adapters/engine/embedded-engine.js';
import { SfnWorkflowEngine } from '../adapters/engine/sfn-engine.js';
import type { ChainEngine } from '../app/chains/engine.js';
import { DEPLOY_DECISION_TABLE_PLACEHOLDER, deployTimeBurst, deployTimeTargets, type PoolTarget } from '../core/engine/index.js';
import { createChainApi } from '../adapters/http/chain-api.js';
import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js';
import { staticCapacityMonitor } from '../app/chains/capacity-monitor.js';
import { ChainService } from '../app/chains/chain-service.js';
import { loadChainConfig } from '../adapters/executor/chain-config.js';
import { parseIamPrincipals } from './iam-principals.js';
import { silentLogger, type Logger } from '../ports/index.js';
import { poolOf } from '../core/model/index.js';
import { systemClock } from '../adapters/clock/system-clock.js';

export { parseIamPrincipals };

/** The parts of an API Gateway REST proxy event the adapter reads. */
export interface ApiGatewayProxyEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly identity?: { readonly userArn?: string | null; readonly caller?: string | null } };
}

/** An API Gateway proxy result. */
export interface ApiGatewayProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Maps a proxy event to a fastify inject request: the SigV4 `Authorization` header is dropped and,
 * when the caller's ARN is mapped, replaced by the mapped principal's bearer token.
 */
export function toInjectRequest(event: ApiGatewayProxyEvent, tokensByIamArn: Readonly<Record<string, string>>): InjectOptions {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (v !== undefined && k.toLowerCase() !== 'authorization') headers[k.toLowerCase()] = v;
  }
  const arn = event.requestContext?.identity?.userArn ?? undefined;
  // Own keys only: an ARN never reaches Object.prototype's members (issue 15).
  const token = arn && Object.prototype.hasOwnProperty.call(tokensByIamArn, arn) ? tokensByIamArn[arn] : undefined;
  if (typeof token === 'string' && token) headers.authorization = `Bearer ${token}`;
  const query = new URLSearchParams();
  for (const [k, vs] of Object.entries(event.multiValueQueryStringParameters ?? {})) for (const v of vs ?? []) query.append(k, v);
  const qs = query.toString();
  const body = event.body == null ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
  return { method: event.httpMethod as InjectOptions['method'], url: qs ? `${event.path}?${qs}` : event.path, headers, ...(body !== undefined ? { payload: body } : {}) };
}

/** Builds a proxy handler over a fastify app. */
export function createApiGatewayHandler(app: () => Promise<FastifyInstance>, tokensByIamArn: Readonly<Record<string, string>>): (event: ApiGatewayProxyEvent) => Promise<ApiGatewayProxyResult> {
  return async (event) => {
    const res = await (await app()).inject(toInjectRequest(event, tokensByIamArn));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    return { statusCode: res.statusCode, headers, body: res.body };
  };
}

let appPromise: Promise<FastifyInstance> | undefined;

/** Builds the chain service from the bundled configuration and the DynamoDB state table. */
async function buildApp(logger: Logger = silentLogger): Promise<FastifyInstance> {
  const file = process.env.PRESCALE_CHAINS_CONFIG_FILE ?? 'prescale.chains.json';
  // The same start-time checks and task root as `prescale serve`; code lives in the bundle (LAMBDA_TASK_ROOT).
  const { config, code } = loadChainConfig(file, process.env.LAMBDA_TASK_ROOT ?? process.cwd());
  const store = new DynamoDbStateStore(dynamoDbApi(new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5 })), process.env.PRESCALE_STATE_TABLE ?? '');
  const monitor = staticCapacityMonitor(config);
  const clock = systemClock;
  const schemas = new AjvSchemaChecker();
  const catalogPools = config.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => poolOf(v, t.task_id))));
  const engine = lambdaChainEngine(process.env, () => createEmbeddedEngine({ config, executor: new LocalExecutor(code), store, schemas, clock, logger }), { catalogPools });
  const service = new ChainService({
    store,
    engine,
    code,
    clock,
    monitor,
    schemas,
    config,
    newId: () => randomUUID(),
    logger,
  }, (signal) => monitor.signal(signal));
  await service.resume();
  service.watch();
  return createChainApi(service, { limits: config.limits });
}

const proxy = createApiGatewayHandler(() => (appPromise ??= buildApp().catch((err: unknown) => { appPromise = undefined; throw err; })), parseIamPrincipals(process.env.PRESCALE_IAM_PRINCIPALS));

/** The Lambda entry point (`cdk/lib/chain-api.ts`). */
export async function handler(event: ApiGatewayProxyEvent): Promise<ApiGatewayProxyResult> {
  return proxy(event);
}

/** Options of {@link lambdaChainEngine}. */
export interface LambdaChainEngineOptions {
  /**
   * Every pool the catalog's variants use: those without a queue in `PRESCALE_POOL_QUEUES` are the
   * task runner's (Lambda) pools, as the stack compiled them (its synth rejects any other pool).
   */
  readonly catalogPools?: readonly string[];
  /** SDK clients (tests point them at moto). @default clients with adaptive retries from the environment */
  readonly sfn?: SFNClient;
  readonly dynamodb?: DynamoDBClient;
}

/**
 * The engine of the Lambda chain API: Step Functions with the pools' queues from the environment,
 * else the embedded local engine. On Step Functions, catalog chains run on the machines the stack
 * deployed per catalog variant (cdk/lib/state-machines.ts): the runner compiles them with the stack's
 * placeholder targets (`deployTimeTargets`) and finds the machine by name under
 * `PRESCALE_STATE_MACHINE_ARN_PREFIX` (else one derived from `PRESCALE_SFN_ROLE_ARN`'s partition and
 * account and `AWS_REGION`); a missing one fails the execution with an error naming the workflow and
 * variant. Only submitted chains get machines created, with the real queue URLs.
 * @throws InputError-like Error naming `PRESCALE_POOL_QUEUES` when it is not a JSON object of strings
 */
export function lambdaChainEngine(env: NodeJS.ProcessEnv, embedded: () => ChainEngine, opts: LambdaChainEngineOptions = {}): ChainEngine {
  const roleArn = env.PRESCALE_SFN_ROLE_ARN;
  if (!roleArn) return embedded();
  let queues: unknown;
  try {
    queues = JSON.parse(env.PRESCALE_POOL_QUEUES ?? '{}');
  } catch {
    queues = undefined;
  }
  if (!queues || typeof queues !== 'object' || Array.isArray(queues) || Object.values(queues).some((v) => typeof v !== 'string')) {
    throw new Error(`PRESCALE_POOL_QUEUES: expected a JSON object { "<pool id>": "<SQS queue URL>" }, got ${String(env.PRESCALE_POOL_QUEUES)}`);
  }
  const targets: Record<string, PoolTarget> = {};
  for (const [poolId, queueUrl] of Object.entries(queues as Record<string, string>)) targets[poolId] = { kind: 'sqs', queueUrl };
  const decisionTable = env.PRESCALE_DECISION_TABLE || undefined;
  const machineArnPrefix = env.PRESCALE_STATE_MACHINE_ARN_PREFIX || derivedMachineArnPrefix(roleArn, env.AWS_REGION);
  const engine = new SfnWorkflowEngine({
    sfn: opts.sfn ?? new SFNClient({ retryMode: 'adaptive', maxAttempts: 5 }),
    dynamodb: opts.dynamodb ?? new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5 }),
    roleArn,
    ...(decisionTable ? { decisionTable } : {}),
    ...(machineArnPrefix ? { machineArnPrefix } : {}),
  });
  const queuePools = Object.keys(targets);
  const lambdaPools = [...new Set(opts.catalogPools ?? [])].filter((p) => !Object.prototype.hasOwnProperty.call(targets, p));
  return {
    engine,
    targets,
    ...(decisionTable ? { decisionTable } : {}),
    catalogMachines: {
      targets: deployTimeTargets(queuePools, lambdaPools),
      decisionTable: DEPLOY_DECISION_TABLE_PLACEHOLDER,
      // the stack compiled its machines with the burst route Choice (prescale:burst)
      ...(env.PRESCALE_BURST === 'true' ? { burst: deployTimeBurst() } : {}),
      find: (name) => engine.find(name),
    },
  };
}

/** `arn:<partition>:states:<region>:<account>:stateMachine:` from an IAM role ARN and a region; undefined when either is missing. */
function derivedMachineArnPrefix(roleArn: string, region: string | undefined): string | undefined {
  const [arn, partition, service, , account] = roleArn.split(':');
  if (arn !== 'arn' || service !== 'iam' || !partition || !account || !region) return undefined;
  return `arn:${partition}:states:${region}:${account}:stateMachine:`;
}
