/**
 * The burst worker Lambda (issue 19, item 5): the `lambda:invoke` target of a compiled machine's
 * burst task, taken when the planner routed the step's class (a task type on an EC2 pool) to the
 * Lambda burst tier (core/plan/burst-route.ts, the route item in the stack's decision table). One
 * function per memory size of the routable classes (cdk/lib/burst-workers.ts). Composition root only:
 * the catalog is the bundled chain service configuration (`PRESCALE_CHAINS_CONFIG_FILE`), the same
 * registered step code as the pool worker runs (never code from the caller); events and the
 * idempotency records of finished steps go to the state table (`PRESCALE_STATE_TABLE`); prepared
 * states are read from the cache when `PRESCALE_REDIS_URL` is set. See src/app/worker/burst-step.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { runBurstStep, type BurstStepDeps } from '../app/worker/burst-step.js';
import { taskRunnerDeps, taskRunnerEnv } from './task-runner.js';

let deps: BurstStepDeps | undefined;

/** Builds the worker's dependencies from the environment (once per container). */
export function burstWorkerDeps(env: NodeJS.ProcessEnv = process.env): BurstStepDeps {
  const base = taskRunnerDeps(env);
  const table = env.PRESCALE_STATE_TABLE;
  return { ...base, ...(table ? { results: new DynamoDbStateStore(dynamoDbApi(new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5 })), table) } : {}) };
}

/** Lambda entry: the event is the step message; returns the step's output (the machine takes `$.Payload`). */
export async function handler(event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<unknown> {
  deps ??= burstWorkerDeps(await taskRunnerEnv(process.env));
  return runBurstStep(deps, event, context?.getRemainingTimeInMillis?.() ?? 900_000);
}
