/**
 * Where the chain service's executions run: a {@link WorkflowEngine} (AWS Step Functions in a
 * deployment, `aws-local-stepfunctions` in `prescale serve` and the embedded default) and the pool
 * targets the compiler binds steps to. prescale does not orchestrate steps itself (issue 20): the
 * chain service compiles the composed variant to ASL, starts it, and reads its status back.
 */
import type { Workflow } from '../../core/model/index.js';
import type { BurstCompileOptions, PoolTarget } from '../../core/engine/index.js';
import type { WorkflowEngine } from '../../ports/workflow-engine.js';

/** The catalog's deploy-time machines (see {@link ChainEngine.catalogMachines}). */
export interface CatalogMachines {
  /** Pool targets the deploy compiled with (placeholders, `deployTimeTargets`), by pool id. */
  readonly targets: Readonly<Record<string, PoolTarget>>;
  /** Decision table the deploy compiled with (`DEPLOY_DECISION_TABLE_PLACEHOLDER`). */
  readonly decisionTable: string;
  /** The burst tier the deploy compiled with (`deployTimeBurst`, issue 19 item 5); absent: none. */
  readonly burst?: BurstCompileOptions;
  /**
   * The reference (ARN) of the deployed machine of that name; looks only, never creates.
   * @throws MachineNotDeployedError when no such machine exists
   */
  find(machineName: string): Promise<string>;
}

/** What the chain service needs of an engine deployment. */
export interface ChainEngine {
  readonly engine: WorkflowEngine;
  /** Where each pool's steps go: an SQS queue (`prescale worker` takes them) or a Lambda task runner. */
  readonly targets: Readonly<Record<string, PoolTarget>>;
  /**
   * Decision table the machines compiled at run time read at their switch points (the one the
   * engine's `setVariantDecision` writes). @default DEFAULT_DECISION_TABLE
   */
  readonly decisionTable?: string;
  /**
   * The catalog's deploy-time machines, when the deployment created them (the CDK stack: one Step
   * Functions machine per catalog variant). Catalog chains then compile from the catalog workflow with
   * these placeholder targets, which gives the deploy-time definition and name, and the runner looks the
   * machine up instead of creating it; only submitted chains get machines created at run time.
   * Absent: every machine is deployed by the runner (`prescale serve`, the embedded engine).
   */
  readonly catalogMachines?: CatalogMachines;
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
