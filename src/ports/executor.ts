import type { TaskDefinition } from '../core/model/index.js';

/** Runs task code. The local executor loads modules or commands; the simulator models durations. */
export interface Executor {
  /**
   * Runs one attempt of `task` on `input`, resuming from `preparedState` when given. The task code
   * may report the fraction done (0..1) of a long step through `progress` (issue 22, intensity).
   * @returns the task's output document
   * @throws Error when the attempt fails or `signal` aborts it (timeouts)
   */
  run(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal; preparedState?: Buffer; progress?: (fraction: number) => void }): Promise<unknown>;
  /** Runs the side-effect-free `prepare` phase and returns its serialised state. */
  prepare(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal }): Promise<Buffer>;
}

/**
 * Which code locations may run (the operator's registry and task root, issue 15). The chain service
 * asks it when a chain is created, so a refused location is a 400 before anything is stored; the
 * executor asks it again before every run.
 */
export interface CodeAdmission {
  /** Why `location` (an `executable_code_location` or `prepare` of task `taskId`) may not run; undefined when it may. */
  refusal(location: string, taskId: string): string | undefined;
}
