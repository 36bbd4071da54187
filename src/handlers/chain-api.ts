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
 * Known limit: executions run in the function's process; a long execution continues on the next
 * invocation of a warm container or is resumed on the next cold start (`ChainService.resume`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { LocalExecutor } from '../adapters/executor/local-executor.js';
import { RetryingExecutor } from '../adapters/executor/retrying-executor.js';
import { createChainApi } from '../adapters/http/chain-api.js';
import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js';
import { staticCapacityMonitor } from '../app/chains/capacity-monitor.js';
import { ChainService } from '../app/chains/chain-service.js';
import { loadChainConfig } from '../adapters/executor/chain-config.js';
import { parseIamPrincipals } from './iam-principals.js';
import { createRandom } from '../core/rng.js';
import { silentLogger, type Logger } from '../ports/index.js';

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
  const service = new ChainService({
    store,
    executor: new RetryingExecutor(new LocalExecutor(code), { random: createRandom(0) }),
    code,
    clock: { nowSec: () => Date.now() / 1000 },
    monitor,
    schemas: new AjvSchemaChecker(),
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
