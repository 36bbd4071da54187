/**
 * The engine that runs compiled state machines (Amazon States Language): AWS Step Functions in a
 * deployment, `aws-local-stepfunctions` locally. prescale has no orchestrator of its own.
 */

/** A state machine to deploy: its name and ASL definition (JSON text). */
export interface MachineDefinition {
  readonly name: string;
  readonly definitionJson: string;
}

/** Status of an execution, with Step Functions' names. */
export type EngineExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What {@link WorkflowEngine.describe} returns. */
export interface EngineExecution {
  /** Engine reference (the execution ARN on Step Functions). */
  readonly executionRef: string;
  readonly name: string;
  readonly machineRef: string;
  readonly status: EngineExecutionStatus;
  /** Epoch seconds. */
  readonly startedAtSec: number;
  /** Epoch seconds, once closed. */
  readonly stoppedAtSec?: number;
  /** The start input, parsed. */
  readonly input: unknown;
  /** The output, parsed, when succeeded. */
  readonly output?: unknown;
  /** Error name and cause when failed, aborted or timed out. */
  readonly error?: string;
  readonly cause?: string;
}

/** One history event, normalised across engines. */
export interface EngineHistoryEvent {
  /** Step Functions' event type where one exists (`TaskStateEntered`, `TaskStateExited`, `TaskFailed`, `ExecutionFailed`, …). */
  readonly type: string;
  /** Epoch seconds. */
  readonly atSec: number;
  /** The state the event is about, when it is about one. */
  readonly stateName?: string;
  /** The state's input or output document (parsed), for entered / exited events. */
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** Result of {@link WorkflowEngine.start}. */
export interface StartResult {
  readonly executionRef: string;
  /** False when an execution of that name (and the same input) already existed: nothing was started. */
  readonly started: boolean;
}

/** A start under an existing execution name with another input (Step Functions' ExecutionAlreadyExists). */
export class ExecutionNameConflictError extends Error {
  override readonly name = 'ExecutionNameConflictError';
  constructor(readonly executionName: string) {
    super(`an execution named ${executionName} already exists with another input`);
  }
}

/**
 * A machine that should have been deployed ahead (one of the deploy-time machines of the catalog) does
 * not exist: the deployment and the configuration are out of sync. Never answered by creating it.
 */
export class MachineNotDeployedError extends Error {
  override readonly name = 'MachineNotDeployedError';
  constructor(readonly machineName: string, readonly machineRef: string) {
    super(`state machine ${machineName} is not deployed (${machineRef})`);
  }
}

/** Deploys machines and runs executions. */
export interface WorkflowEngine {
  /**
   * Creates the state machine, or finds it when one of that name exists (names carry a hash of the
   * definition, so an existing name has the same definition).
   * @returns the machine reference (ARN)
   * @throws Error when the engine rejects the definition
   */
  deploy(machine: MachineDefinition): Promise<string>;
  /**
   * Starts an execution named `name` (idempotent: an existing execution of that name and input is
   * returned with `started: false`).
   * @throws ExecutionNameConflictError when that name exists with another input
   */
  start(machineRef: string, name: string, input: unknown): Promise<StartResult>;
  /** @throws Error when the execution is unknown */
  describe(executionRef: string): Promise<EngineExecution>;
  /** Stops a running execution (no-op when closed); its running tasks' tokens become invalid. */
  stop(executionRef: string, error: string, cause: string): Promise<void>;
  /** The execution's events, oldest first. */
  history(executionRef: string): Promise<EngineHistoryEvent[]>;
  /**
   * Records the execution's current variant decision, read by the machine's switch points at each
   * step boundary (DynamoDB item `{ pk: name, variant }` on AWS).
   */
  setVariantDecision(executionName: string, variant: string): Promise<void>;
}

/** The task token was not found or has expired (Step Functions' TaskDoesNotExist / TaskTimedOut / InvalidToken). */
export class TaskTokenInvalidError extends Error {
  override readonly name = 'TaskTokenInvalidError';
}

/** How a worker reports a `.waitForTaskToken` step: Step Functions' task callbacks. */
export interface TaskCallbacks {
  /** @throws TaskTokenInvalidError when the token is unknown, timed out or its execution stopped */
  sendTaskSuccess(taskToken: string, outputJson: string): Promise<void>;
  /** @throws TaskTokenInvalidError as for success */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  /** @throws TaskTokenInvalidError as for success (the worker then abandons the step) */
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}
