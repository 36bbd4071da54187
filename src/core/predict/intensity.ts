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

/**
 * Smallest fraction whose extrapolation the tick trusts: below it, `elapsed ÷ fraction` multiplies
 * the measurement noise of an early report by more than 20 (a choice, not a measured constant).
 */
export const MIN_TRUSTED_PROGRESS_FRACTION = 0.05;

/**
 * The remaining seconds of a running step from its latest progress report (seed 001 §1 intensity):
 * `remaining = elapsed × (1 − f) ÷ f` after the report (elapsed = report time − start), counted from
 * `nowSec`, clamped to [0, `p95EndSec − nowSec`] (the runtime p95 bounds the end; pass Infinity when
 * the p95 is unknown or already past). Undefined when the report is not trustworthy: `fraction` not
 * finite or outside [{@link MIN_TRUSTED_PROGRESS_FRACTION}, 1], or the report not after the start
 * or after `nowSec`.
 */
export function progressRemainingSec(startedAtSec: number, nowSec: number, p: StepProgress, p95EndSec: number): number | undefined {
  const f = p.fraction;
  if (!Number.isFinite(f) || f < MIN_TRUSTED_PROGRESS_FRACTION || f > 1) return undefined;
  if (!(p.atSec > startedAtSec) || p.atSec > nowSec) return undefined;
  const elapsed = p.atSec - startedAtSec;
  const remaining = p.atSec + (elapsed * (1 - f)) / f - nowSec;
  return Math.min(Math.max(0, remaining), Math.max(0, p95EndSec - nowSec));
}
