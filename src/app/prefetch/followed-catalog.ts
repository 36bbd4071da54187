/**
 * The task catalog of serve's learning loop (src/app/prefetch/serve-learning.ts): the configured
 * workflows, plus the DAG of every followed engine execution whose workflow is not in the catalog
 * (chains submitted from registered tasks, `workflow: "submitted"`, composed per request). Such an
 * execution is learned under a workflow key of its own principal ({@link followedWorkflowKey}), so
 * one principal's submitted chains never shape the predictions, bundles or preparations of
 * another's (the catalog's workflows are the operator's, shared by design); its steps are looked up
 * by execution (the variant key is the execution name), as each submission may bind other tasks.
 */
import type { DagStep } from '../../core/compose/types.js';
import type { TaskDefinition } from '../../core/model/index.js';
import { TaskCatalog } from '../../core/tick/chain-book.js';

/** Prefix of the workflow keys of executions outside the catalog (a NUL: not in a name an operator writes). */
const FOLLOWED_PREFIX = '\u0000followed\u0000';

/** The learning loop's workflow key of a non-catalog execution of `principalId` named `workflow`. */
export function followedWorkflowKey(principalId: string, workflow: string): string {
  return `${FOLLOWED_PREFIX}${principalId}\u0000${workflow}`;
}

/** See the module comment. */
export class FollowedTaskCatalog extends TaskCatalog {
  private readonly steps = new Map<string, Map<string, { def: TaskDefinition; poolId: string }>>();

  /** Registers (or replaces, after a variant switch) the steps of execution `executionName`. */
  follow(executionName: string, steps: readonly DagStep[]): void {
    this.steps.set(executionName, new Map(steps.map((s) => [s.taskId, { def: s.task, poolId: s.poolId }])));
  }

  /** Forgets an execution's steps (it ended and its preparer forgot it). */
  forget(executionName: string): void {
    this.steps.delete(executionName);
  }

  /** The executions whose steps are registered. */
  followed(): IterableIterator<string> {
    return this.steps.keys();
  }

  override get(workflow: string, variant: string | undefined, taskId: string): { def: TaskDefinition; poolId: string } | undefined {
    if (workflow.startsWith(FOLLOWED_PREFIX)) return variant === undefined ? undefined : this.steps.get(variant)?.get(taskId);
    return super.get(workflow, variant, taskId);
  }
}
