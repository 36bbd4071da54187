import type { TaskDefinition } from '../core/model/index.js';

/** Runs task code. The local executor loads modules or commands; the simulator models durations. */
export interface Executor {
  /**
   * Runs one attempt of `task` on `input`, resuming from `preparedState` when given.
   * @returns the task's output document
   * @throws Error when the attempt fails or `signal` aborts it (timeouts)
   */
  run(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal; preparedState?: Buffer }): Promise<unknown>;
  /** Runs the side-effect-free `prepare` phase and returns its serialised state. */
  prepare(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal }): Promise<Buffer>;
}
