import type { PreExecuteCommand } from '../core/model/index.js';

/**
 * Outcome of one preparation request.
 * - `accepted`: the `prepare` phase was started or queued (a worker or the simulator's prefetch
 *   workers will run it; its state lands in the state cache);
 * - `duplicate`: a preparation with this `commandId` was already accepted (idempotent per id);
 * - `rejected`: it cannot run by design (critical step, unknown step, no prepare phase, no worker);
 * - `failed`: a transient error (queue or invoke call failed); a later tick may try again.
 */
export interface PrepareOutcome {
  readonly commandId: string;
  readonly status: 'accepted' | 'duplicate' | 'rejected' | 'failed';
  /** One line saying why, for `rejected` and `failed`. */
  readonly reason?: string;
}

/**
 * Carries out speculative pre-execution (seed 000 §3: "pre-execute the side-effect-free part of the
 * likely next steps"): the tick's prefetch stage emits {@link PreExecuteCommand}s and hands them to a
 * Preparer instead of to `CloudProvider.apply` (issue 18). Implementations:
 * - the simulator's workload in backtests (prefetch ledger, setup share on prefetch workers);
 * - `LocalPreparer` under `prescale serve` (src/app/prefetch/local-preparer.ts: the step input from
 *   the engine execution, the prepare phase in the prefetch manager's worker threads, state in Redis
 *   or in memory);
 * - in AWS, a `prepare` message to the pool's SQS queue that `prescale worker` runs, storing the state
 *   in ElastiCache (issue 21).
 *
 * Contract: idempotent per `command.id`; never runs a step marked `critical`; never throws for a
 * request it cannot serve (answers `rejected`/`failed` instead); errors of the transport itself may
 * reject the promise.
 */
export interface Preparer {
  /** Requests the `prepare` phase of one predicted step. */
  prepare(command: PreExecuteCommand): Promise<PrepareOutcome>;
}
