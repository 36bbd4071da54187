/**
 * Runs one step message through the executor: builds the input (see stepInput), checks it and the
 * output against the task's JSON Schemas, resumes a prepared state when the cache holds one for this
 * input, and enforces the step's timeout. Shared by the pool worker and a Lambda task runner.
 */
import { MAX_PAYLOAD_BYTES, STEP_ERRORS, stepInput, type StepMessage } from '../../core/engine/index.js';
import type { TaskDefinition } from '../../core/model/task.js';
import type { Clock } from '../../ports/clock.js';
import type { Executor } from '../../ports/executor.js';
import type { StateCache } from '../../ports/state-cache.js';
import { resumePreparedState, type ResumeOutcome } from '../prefetch/prepared-state.js';

/** Validates a document against a JSON Schema (AjvSchemaChecker in src/adapters/schema). */
export interface DocumentSchemaValidator {
  /** undefined when `doc` satisfies `schema`, else the failing field and reason. */
  validate(schema: Readonly<Record<string, unknown>>, doc: unknown): { field: string; reason: string } | undefined;
}

/** The registered task a step message names, or undefined when this worker does not know it (never run code the message names). */
export type TaskResolver = (msg: StepMessage) => Promise<TaskDefinition | undefined>;

/** A step failure with the error name the engine's Retry/Catch match. */
export class StepError extends Error {
  constructor(readonly errorName: string, message: string) {
    super(message);
    this.name = 'StepError';
  }
}

/** What {@link runStepMessage} needs. */
export interface StepRunnerDeps {
  readonly executor: Pick<Executor, 'run'>;
  /** Times the step's limit (`timeoutSec`). */
  readonly clock: Clock;
  readonly schemas?: DocumentSchemaValidator;
  /** Prepared-state cache (Redis / ElastiCache); absent: steps run cold. */
  readonly cache?: StateCache;
  /**
   * Resumes a prepared state instead of reading {@link cache} directly (the in-process workers of
   * `prescale serve` start steps through the prefetch manager, which also counts hits and waste).
   */
  readonly resume?: (executionName: string, task: TaskDefinition, input: unknown) => Promise<ResumeOutcome>;
}

/** Result of a successful step. */
export interface StepSuccess {
  readonly outputJson: string;
  readonly setup: ResumeOutcome;
}

/**
 * Runs `msg`'s step once.
 * @throws StepError with `Prescale.SchemaViolation` (input or output), `Prescale.OutputTooLarge`,
 *   `States.Timeout` (ran past the task's `timeoutSec`, at most `msg.timeoutSec`), or `Prescale.TaskFailed` (the task's own error);
 *   the abort reason when `signal` aborts
 * @param onProgress the step code's `progress(fraction)` reports (issue 22; see progress-reporter.ts)
 */
export async function runStepMessage(deps: StepRunnerDeps, msg: StepMessage, task: TaskDefinition, signal: AbortSignal, onSetup?: (s: ResumeOutcome) => void, onProgress?: (fraction: number) => void): Promise<StepSuccess> {
  const input = stepInput(msg, task.dependencies);
  const badIn = deps.schemas?.validate(task.input_schema, input);
  if (badIn) throw new StepError(STEP_ERRORS.schemaViolation, `step ${task.task_id}: input ${badIn.field}: ${badIn.reason}`);
  const setup = deps.resume ? await deps.resume(msg.executionName, task, input) : await resumePreparedState(deps.cache, msg.executionName, task, input);
  onSetup?.(setup);
  const ctl = new AbortController();
  const onOuter = (): void => ctl.abort(signal.reason);
  signal.addEventListener('abort', onOuter, { once: true });
  // The registered task's own limit when it is below the machine's TimeoutSeconds (whole seconds, at least 2).
  const limitSec = Math.min(msg.timeoutSec, task.timeoutSec > 0 ? task.timeoutSec : msg.timeoutSec);
  const timer = deps.clock.setTimer(limitSec * 1000, () => ctl.abort(new StepError(STEP_ERRORS.timeout, `task ${task.task_id} exceeded ${limitSec} s`)));
  let output: unknown;
  try {
    // Raced with the abort, so a step whose code ignores its signal still frees the worker on a timeout or spot notice.
    output = await Promise.race([
      deps.executor.run(task, input, { signal: ctl.signal, ...(setup.preparedState ? { preparedState: setup.preparedState } : {}), ...(onProgress ? { progress: onProgress } : {}) }),
      new Promise<never>((_res, rej) => ctl.signal.addEventListener('abort', () => rej(ctl.signal.reason instanceof Error ? ctl.signal.reason : new Error(String(ctl.signal.reason))), { once: true })),
    ]);
    // A result that arrives after an abort (spot notice, stop, timeout) is never reported as success.
    if (ctl.signal.aborted) throw ctl.signal.reason instanceof Error ? ctl.signal.reason : new Error(String(ctl.signal.reason));
  } catch (e) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
    if (ctl.signal.aborted && ctl.signal.reason instanceof StepError) throw ctl.signal.reason;
    throw new StepError(STEP_ERRORS.taskFailed, e instanceof Error ? e.message : String(e));
  } finally {
    timer.cancel();
    signal.removeEventListener('abort', onOuter);
  }
  const badOut = deps.schemas?.validate(task.output_schema, output);
  if (badOut) throw new StepError(STEP_ERRORS.schemaViolation, `step ${task.task_id}: output ${badOut.field}: ${badOut.reason}`);
  const outputJson = JSON.stringify(output ?? {});
  const bytes = Buffer.byteLength(outputJson, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) throw new StepError(STEP_ERRORS.outputTooLarge, `step ${task.task_id}: output is ${bytes} bytes, over the engine's ${MAX_PAYLOAD_BYTES}-byte limit`);
  return { outputJson, setup };
}
