/**
 * The task runner Lambda (burst tier): the `lambda:invoke` target of compiled machines' steps on a
 * Lambda pool. Composition root only: the catalog is the bundled chain service configuration
 * (`PRESCALE_CHAINS_CONFIG_FILE`, checked as the Chain API checks it, with its task root policy), so
 * only registered tasks run; events go to the state table (`PRESCALE_STATE_TABLE`); prepared states are
 * read from Redis / ElastiCache when `PRESCALE_REDIS_URL` is set. See src/app/worker/lambda-step.ts.
 */
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { loadChainConfig } from '../adapters/executor/chain-config.js';
import { LocalExecutor } from '../adapters/executor/local-executor.js';
import { RedisStateCache } from '../adapters/redis/redis-state-cache.js';
import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js';
import { LambdaStepError, runLambdaStep, type LambdaStepDeps } from '../app/worker/lambda-step.js';
import { catalogVariants, PrepareHandler, type PrepareRunOutcome } from '../app/worker/prepare-handler.js';
import { SfnWorkflowEngine } from '../adapters/engine/sfn-engine.js';
import { SFNClient } from '@aws-sdk/client-sfn';
import { isPrepareMessage } from '../core/engine/prepare-message.js';
import type { Clock } from '../ports/clock.js';
import { redisUrlWithAuthToken, secretsManagerReader, type SecretReader } from '../adapters/aws/cache-auth.js';
import type { TaskDefinition } from '../core/model/index.js';
import type { Logger } from '../ports/logger.js';
import { systemClock } from '../adapters/clock/system-clock.js';

const logger: Logger = {
  debug() {},
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

let deps: LambdaStepDeps | undefined;
let preparer: PrepareHandler | undefined | null;

/**
 * The cache URL with its AUTH token when `PRESCALE_REDIS_AUTH_SECRET_ARN` is set (read from Secrets
 * Manager once per container), else `PRESCALE_REDIS_URL` as is.
 */
export async function taskRunnerEnv(env: NodeJS.ProcessEnv, read: SecretReader = secretsManagerReader()): Promise<NodeJS.ProcessEnv> {
  const url = env.PRESCALE_REDIS_URL;
  const secret = env.PRESCALE_REDIS_AUTH_SECRET_ARN;
  if (!url || !secret) return env;
  return { ...env, PRESCALE_REDIS_URL: await redisUrlWithAuthToken(url, secret, read) };
}

/** Builds the runner's dependencies from the environment (once per container). */
export function taskRunnerDeps(env: NodeJS.ProcessEnv = process.env): LambdaStepDeps {
  const file = resolve(env.PRESCALE_CHAINS_CONFIG_FILE ?? 'prescale.chains.json');
  const { config, code } = loadChainConfig(file);
  const byKey = new Map<string, TaskDefinition>();
  for (const w of config.workflows) for (const v of w.variants) for (const t of v.tasks) byKey.set(`${w.name}\u0000${v.name}\u0000${t.task_id}`, t);
  const table = env.PRESCALE_STATE_TABLE;
  const redisUrl = env.PRESCALE_REDIS_URL;
  return {
    executor: new LocalExecutor(code),
    schemas: new AjvSchemaChecker(),
    tasks: async (m) => byKey.get(`${m.workflow}\u0000${m.variant}\u0000${m.taskId}`),
    ...(table ? { events: new DynamoDbStateStore(dynamoDbApi(new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5 })), table) } : {}),
    ...(redisUrl ? { cache: new RedisStateCache(redisUrl, { cluster: env.PRESCALE_REDIS_CLUSTER === 'true' }) } : {}),
    clock: systemClock,
    logger,
  };
}

/**
 * The prepare handler of the task runner (issue 21: predicted steps of Lambda pools prepared ahead),
 * or undefined without a cache (`PRESCALE_REDIS_URL`).
 */
export function taskRunnerPreparer(d: LambdaStepDeps, env: NodeJS.ProcessEnv = process.env): PrepareHandler | undefined {
  if (!d.cache) return undefined;
  const { config, code } = loadChainConfig(resolve(env.PRESCALE_CHAINS_CONFIG_FILE ?? 'prescale.chains.json'));
  const engine = new SfnWorkflowEngine({ sfn: new SFNClient({}), roleArn: '' });
  return new PrepareHandler({ executor: new LocalExecutor(code), cache: d.cache, engine, variants: catalogVariants(config.workflows), clock: d.clock, logger: d.logger });
}

/**
 * Runs a `prepare` message (an asynchronous invoke by the controller's preparer). Waits for the
 * step's dependencies while the invocation has time; then throws `Prescale.PrepareNotReady`, so
 * Lambda's asynchronous retries (twice, after about 1 and 2 minutes) try again.
 */
export async function runPrepareEvent(handlerOf: PrepareHandler | undefined, event: unknown, remainingMs: number, clock: Clock): Promise<PrepareRunOutcome> {
  if (!handlerOf) return 'rejected';
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), Math.max(0, remainingMs - 2000));
  try {
    const outcome = await handlerOf.handle(event, ctl.signal, clock.nowSec() + Math.max(0, remainingMs / 1000 - 10));
    if (outcome === 'not-ready') throw new LambdaStepError('Prescale.PrepareNotReady', 'the step\'s dependencies have not finished yet');
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/** Lambda entry: the event is the step message (returns the step's output) or a prepare message. */
export async function handler(event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<unknown> {
  deps ??= taskRunnerDeps(await taskRunnerEnv(process.env));
  const remainingMs = context?.getRemainingTimeInMillis?.() ?? 900_000;
  if (isPrepareMessage(event)) {
    if (preparer === undefined) preparer = taskRunnerPreparer(deps) ?? null;
    return { prepare: await runPrepareEvent(preparer ?? undefined, event, remainingMs, deps.clock) };
  }
  return runLambdaStep(deps, event, remainingMs);
}
