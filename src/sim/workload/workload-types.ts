/**
 * What the simulated workload reports besides its execution events: counters and distributions for
 * the backtest report, and discrete notes for events.csv.
 */

/** Workload statistics for the report. */
export interface WorkloadStats {
  /** Seconds each start waited since the task became runnable. */
  readonly waitSec: number[];
  tasksSubmitted: number;
  tasksCompleted: number;
  tasksRequeued: number;
  chainsSubmitted: number;
  chainsCompleted: number;
  /** Chains the composer refused (denied or over the spend cap): never submitted. */
  chainsDenied: number;
  /** Tasks dropped by variant switches (not counted in `tasksSubmitted`). */
  tasksCancelled: number;
  readonly makespanSec: number[];
}

/** A discrete workload event for events.csv (kinds: variant-switch, prefetch-hit, prefetch-waste, chain-denied, spot-interruption). */
export interface WorkloadNote {
  /** Epoch seconds. */
  readonly timestamp: number;
  /** Empty when not tied to a pool. */
  readonly pool: string;
  readonly kind: string;
  readonly detail: string;
}
