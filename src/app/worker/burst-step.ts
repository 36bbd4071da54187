/**
 * One step on the Lambda burst tier (issue 19, item 5): a step of an EC2 pool's class that the
 * planner routed to `burst`, invoked by the compiled machine's burst task (src/core/engine/compile.ts).
 * It runs through {@link runLambdaStep}, the same step runner as the pool worker (registered tasks
 * only, looked up in the bundled catalog, never code from the message), with an idempotency record:
 * the output of a finished step is stored under `<executionName>/<taskId>` (first writer wins), and a
 * retried invocation of a step that already finished (its result was lost on the way back, or the
 * task state timed out after the step finished) returns the stored output without running it again.
 * The machine's checkpoint Choice skips a step whose result is in the execution input, as on the queue.
 */
import { StepMessageSchema } from '../../core/engine/index.js';
import type { StateStore } from '../../ports/state-store.js';
import { VersionConflictError } from '../../ports/state-store.js';
import { runLambdaStep, type LambdaStepDeps } from './lambda-step.js';

/** Table of finished burst steps' outputs in the state store. */
export const BURST_RESULTS_TABLE = 'burst-steps';

/** What {@link runBurstStep} needs: the task runner's deps plus where finished outputs are recorded. */
export interface BurstStepDeps extends LambdaStepDeps {
  /** Finished outputs (idempotency records); absent: a retried step runs again. */
  readonly results?: Pick<StateStore, 'get' | 'put'>;
}

/** A finished burst step's record. */
interface BurstResult {
  readonly output: unknown;
  readonly finishedAtSec: number;
}

/**
 * Runs the step `payload` names unless it already finished.
 * @returns the step's output
 * @throws as {@link runLambdaStep} (named errors the machine's Retry/Catch match)
 */
export async function runBurstStep(deps: BurstStepDeps, payload: unknown, remainingMs: number): Promise<unknown> {
  const parsed = StepMessageSchema.safeParse(payload);
  const key = parsed.success ? `${parsed.data.executionName}/${parsed.data.taskId}` : undefined;
  if (key && deps.results) {
    const done = await deps.results.get<BurstResult>(BURST_RESULTS_TABLE, key);
    if (done) {
      deps.logger.info('burst step already finished: stored output returned', { key });
      return done.value.output;
    }
  }
  const output = await runLambdaStep(deps, payload, remainingMs);
  if (key && deps.results) {
    try {
      await deps.results.put<BurstResult>(BURST_RESULTS_TABLE, key, { output, finishedAtSec: deps.clock.nowSec() }, { ifVersion: 0 });
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
      // a concurrent duplicate finished first: its output is the step's
      const first = await deps.results.get<BurstResult>(BURST_RESULTS_TABLE, key);
      if (first) return first.value.output;
    }
  }
  return output;
}
