/**
 * The pool targets and decision table the deployment compiles the catalog's machines with
 * (cdk/lib/state-machines.ts): placeholders that CloudFormation fills in through
 * `DefinitionSubstitutions`, so the definition, and with it the machine's name (which carries the
 * definition's hash, {@link stateMachineName}), does not depend on deploy-time values. A runtime that
 * compiles a catalog variant with the same placeholders gets the deploy-time machine's name and can
 * look that machine up instead of creating one.
 */
import type { BurstCompileOptions, PoolTarget } from './compile.js';

/** The decision table placeholder of deploy-time machines (substituted with the stack's table name). */
export const DEPLOY_DECISION_TABLE_PLACEHOLDER = '${VariantDecisionTable}';

/** The task runner placeholder of deploy-time machines (substituted with the function's ARN). */
export const DEPLOY_TASK_RUNNER_PLACEHOLDER = '${TaskRunnerArn}';

/** The queue URL placeholder of the i-th EC2 pool (by sorted pool id), without `${…}`. */
export function deployQueuePlaceholder(index: number): string {
  return `PoolQueueUrl${index}`;
}

/**
 * Targets of a deployment's pools as the deploy compiled them: the i-th EC2 pool (ids sorted, UTF-16
 * order as `Array.prototype.sort`) sends to `${PoolQueueUrl<i>}`, a Lambda pool invokes `${TaskRunnerArn}`.
 * @param queuePoolIds every EC2 pool with a work queue (all of them, not only those the catalog uses:
 *   the index counts over the full sorted list)
 * @param lambdaPoolIds the pools the task runner serves (a Lambda pool wins over an EC2 pool of the same id)
 * @returns pool id → placeholder target
 */
export function deployTimeTargets(queuePoolIds: readonly string[], lambdaPoolIds: readonly string[]): Record<string, PoolTarget> {
  const pools: Record<string, PoolTarget> = {};
  [...queuePoolIds].sort().forEach((p, i) => { pools[p] = { kind: 'sqs', queueUrl: `\${${deployQueuePlaceholder(i)}}` }; });
  for (const p of lambdaPoolIds) pools[p] = { kind: 'lambda', functionArn: DEPLOY_TASK_RUNNER_PLACEHOLDER };
  return pools;
}

/** The burst worker placeholder of deploy-time machines for a class of `memoryMiB` (without `${…}`). */
export function deployBurstPlaceholder(memoryMiB: number): string {
  return `BurstWorker${memoryMiB}Arn`;
}

/**
 * The burst tier as the deploy compiles it (issue 19, item 5; `prescale:burst`): a routable step
 * invokes `${BurstWorker<memoryMiB>Arn}`, substituted with the burst worker of that memory
 * (cdk/lib/burst-workers.ts). A runtime that compiles catalog variants for a stack with the burst
 * tier passes this too, so its machine names match the deployed ones.
 */
export function deployTimeBurst(): BurstCompileOptions {
  return { functionArnOf: (mib) => `\${${deployBurstPlaceholder(mib)}}` };
}
