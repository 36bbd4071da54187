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
import { runLambdaStep, type LambdaStepDeps } from '../app/worker/lambda-step.js';
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

/** Lambda entry: the event is the step message; returns the step's output. */
export async function handler(event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<unknown> {
  deps ??= taskRunnerDeps();
  return runLambdaStep(deps, event, context?.getRemainingTimeInMillis?.() ?? 900_000);
}
