/**
 * Intensity of running steps (seed 001 §1: a signal's payload carries "a degree of completion"): a
 * worker's `progress` event says which fraction of a long step is done; a linear extrapolation of the
 * elapsed time gives the step's expected end, which the tick uses in place of the runtime p95 when it
 * is earlier.
 */

/** A step's latest progress report. */
export interface StepProgress {
  /** Fraction done, 0 < fraction ≤ 1. */
  readonly fraction: number;
  /** When it was reported, epoch seconds. */
  readonly atSec: number;
}

/**
 * Expected end of a step started at `startedAtSec` from its latest progress report: `start + elapsed ÷
 * fraction` (linear extrapolation). Undefined when the report is unusable (fraction ≤ 0 or > 1, or
 * not after the start).
 */
export function endFromProgress(startedAtSec: number, p: StepProgress): number | undefined {
  if (!(p.fraction > 0 && p.fraction <= 1) || !(p.atSec > startedAtSec)) return undefined;
  return startedAtSec + (p.atSec - startedAtSec) / p.fraction;
}

/**
 * The expected end of a running step: `scheduledEndSec` (from its runtime quantiles; Infinity when
 * unknown), brought earlier to the progress extrapolation when that is earlier, never before
 * `nowSec + 1` (the step is still running).
 */
export function expectedEndWithProgress(startedAtSec: number, scheduledEndSec: number, nowSec: number, p: StepProgress | undefined): number {
  if (!p) return scheduledEndSec;
  const e = endFromProgress(startedAtSec, p);
  if (e === undefined || e >= scheduledEndSec) return scheduledEndSec;
  return Math.max(e, nowSec + 1);
}
