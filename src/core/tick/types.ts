/**
 * Shapes the tick's pure stages share (core/tick): inputs that are configuration, not state.
 */

/** A metric that counts vCPU of a pool's queued and running tasks (a custom CloudWatch metric). */
export interface TaskBacklogSignal {
  readonly seriesId: string;
  readonly poolId: string;
}
