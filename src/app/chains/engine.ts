/**
 * Where the chain service's executions run: a {@link WorkflowEngine} (AWS Step Functions in a
 * deployment, `aws-local-stepfunctions` in `prescale serve` and the embedded default) and the pool
 * targets the compiler binds steps to. prescale does not orchestrate steps itself (issue 20): the
 * chain service compiles the composed variant to ASL, starts it, and reads its status back.
 */
import type { Workflow } from '../../core/model/index.js';
import type { PoolTarget } from '../../core/engine/index.js';
import type { WorkflowEngine } from '../../ports/workflow-engine.js';

/** What the chain service needs of an engine deployment. */
export interface ChainEngine {
  readonly engine: WorkflowEngine;
  /** Where each pool's steps go: an SQS queue (`prescale worker` takes them) or a Lambda task runner. */
  readonly targets: Readonly<Record<string, PoolTarget>>;
  /**
   * Capacity units the workers of a pool use now, when the deployment knows it (the in-process
   * workers of the embedded engine); undefined: unknown (a step counts as waiting for capacity only
   * when the pool has fewer available units than it needs).
   */
  unitsInUse?(poolId: string): number | undefined;
  /**
   * Tells in-process workers which registered workflow an execution's step messages belong to (they
   * run only tasks of a chain the service admitted); a no-op for remote workers, which resolve tasks
   * from their own `--config`.
   */
  register?(executionName: string, workflow: Workflow): void;
  /** Stops what the deployment runs in this process (workers, local executions); idempotent. */
  close?(): Promise<void>;
}
