/**
 * One step of the Lambda burst tier: the payload of a compiled machine's `lambda:invoke` task (a step
 * message without a task token) runs through the same step runner as the pool worker
 * ({@link runStepMessage}): registered tasks only (looked up in the catalog, never from the message),
 * input/output schemas, prepared-state resume, the step's timeout capped by the invocation's remaining
 * time. It writes a `started` and a `finished`/`failed` event to the execution-events log. A failure is
 * thrown as an error whose `name` is the engine error name (`Prescale.TaskFailed`, …): Lambda reports it
 * as the invocation's `errorType`, which the machine's Retry/Catch match.
 */
import { STEP_ERRORS, StepMessageSchema, type StepMessage } from '../../core/engine/index.js';
import type { ExecutionEvent } from '../../core/model/events.js';
import { taskTypeOf, type TaskDefinition } from '../../core/model/task.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StateStore } from '../../ports/state-store.js';
import type { ResumeOutcome } from '../prefetch/prepared-state.js';
import { EXECUTION_EVENTS_LOG } from './pool-worker.js';
import { runStepMessage, StepError, type StepRunnerDeps, type TaskResolver } from './step-runner.js';
import { progressReporter } from './progress-reporter.js';

/** What {@link runLambdaStep} needs. */
export interface LambdaStepDeps extends StepRunnerDeps {
  readonly tasks: TaskResolver;
  /** Where step events go; absent: no events. */
  readonly events?: Pick<StateStore, 'append'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A step failure as Lambda reports it (`errorType` = `name`). */
export class LambdaStepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Runs the step `payload` names.
 * @param remainingMs the invocation's remaining time (context.getRemainingTimeInMillis()); the step is
 *   aborted 2 s before it so the failure is still reported
 * @returns the step's output (the machine's `ResultSelector` takes it from `$.Payload`)
 * @throws LambdaStepError named `Prescale.SchemaViolation` (bad payload or schema), `Prescale.NotRunnable`
 *   (no registered task), `States.Timeout`, `Prescale.OutputTooLarge` or `Prescale.TaskFailed`
 */
export async function runLambdaStep(deps: LambdaStepDeps, payload: unknown, remainingMs: number): Promise<unknown> {
  const parsed = StepMessageSchema.safeParse(payload);
  if (!parsed.success) throw new LambdaStepError(STEP_ERRORS.schemaViolation, `task runner payload: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const msg = parsed.data;
  const task = await deps.tasks(msg);
  if (!task) throw new LambdaStepError(STEP_ERRORS.notRunnable, `no registered task ${msg.workflow}/${msg.variant}/${msg.taskId} in the task runner's catalog`);
  const startSec = deps.clock.nowSec();
  await event(deps, msg, task, 'started', startSec, {});
  const ctl = new AbortController();
  const timer = deps.clock.setTimer(Math.max(0, remainingMs - 2000), () => ctl.abort(new StepError(STEP_ERRORS.timeout, `step ${task.task_id}: the Lambda invocation is about to time out`)));
  let setup: ResumeOutcome | undefined;
  // issue 22 (intensity): the step code's progress(fraction) reports, as rate-limited `progress` events
  const progress = progressReporter((f, at) => event(deps, msg, task, 'progress', at, { intensity: f }), deps.clock, deps.logger, msg.taskId);
  try {
    const res = await runStepMessage(deps, msg, task, ctl.signal, (s) => { setup = s; }, deps.events ? progress.report : undefined);
    await progress.close();
    await event(deps, msg, task, 'finished', deps.clock.nowSec(), { runtimeSec: deps.clock.nowSec() - startSec, setup: res.setup });
    return JSON.parse(res.outputJson) as unknown;
  } catch (e) {
    const name = e instanceof StepError ? e.errorName : STEP_ERRORS.taskFailed;
    const message = e instanceof Error ? e.message : String(e);
    await progress.close();
    await event(deps, msg, task, 'failed', deps.clock.nowSec(), { runtimeSec: deps.clock.nowSec() - startSec, ...(setup ? { setup } : {}), error: name });
    throw new LambdaStepError(name, message);
  } finally {
    timer.cancel();
  }
}

async function event(deps: LambdaStepDeps, msg: StepMessage, task: TaskDefinition, kind: ExecutionEvent['kind'], atSec: number, extra: { runtimeSec?: number; setup?: ResumeOutcome; error?: string; intensity?: number }): Promise<void> {
  if (!deps.events) return;
  const ev: ExecutionEvent = {
    chainId: msg.chainId, workflow: msg.workflow, variant: msg.variant, taskId: msg.taskId, taskType: taskTypeOf(task), kind, atSec,
    vcpu: task.resource_requirements.vcpu, memoryGiB: task.resource_requirements.memoryGiB, executionName: msg.executionName, poolId: msg.poolId,
    ...(msg.principal ? { principal: msg.principal } : {}),
    ...(extra.runtimeSec !== undefined ? { runtimeSec: extra.runtimeSec } : {}),
    ...(extra.setup ? { setupOutcome: extra.setup.outcome, setupSavedSec: extra.setup.savedSetupSec } : {}),
    ...(extra.error ? { error: extra.error } : {}),
    ...(extra.intensity !== undefined ? { intensity: extra.intensity } : {}),
  };
  try {
    await deps.events.append(EXECUTION_EVENTS_LOG, [ev]);
  } catch (e) {
    deps.logger.warn('could not write a step event', { taskId: msg.taskId, kind, error: (e as Error).message });
  }
}
