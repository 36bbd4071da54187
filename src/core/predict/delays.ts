/**
 * Transition delay statistics per edge and the start-time distribution derived from them.
 * A delay is start-to-start (seconds from the previous step's start to the next step's start); a gap
 * is finish-to-start (seconds from the previous step's end to the next step's start).
 */

/** Bounded sample buffers of one edge's delays (oldest dropped first). */
export interface EdgeDelaySamples {
  /** Start-to-start delays, seconds. */
  startToStartSec: number[];
  /** Finish-to-start gaps, seconds (only when the previous step had finished). */
  finishToStartSec: number[];
}

/** Maximum samples kept per edge and kind; enough for stable p10/p90 and bounded memory. */
export const MAX_DELAY_SAMPLES = 128;

/** Appends a sample, dropping the oldest beyond {@link MAX_DELAY_SAMPLES}. */
export function pushSample(buf: number[], valueSec: number): void {
  buf.push(valueSec);
  if (buf.length > MAX_DELAY_SAMPLES) buf.splice(0, buf.length - MAX_DELAY_SAMPLES);
}

/**
 * Linear-interpolated quantile of `values` (Hyndman & Fan 1996 type 7, the default of R and NumPy).
 * @param q quantile in 0..1
 * @returns NaN for an empty array
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Mean of `values`; NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let t = 0;
  for (const v of values) t += v;
  return t / values.length;
}

/** When a predicted step is expected to start, seconds from now. */
export interface StartInDistribution {
  readonly expectedSec: number;
  /** `p10`, `p50`, `p90` of the delay from now, seconds. */
  readonly quantilesSec: Readonly<Record<string, number>>;
}

/**
 * Distribution of the delay from now until the next step starts.
 *
 * - With the running step's progress `intensity` in (0, 1]: the running step's remaining time is
 *   extrapolated linearly, `elapsed·(1−I)/I`, and the edge's finish-to-start gaps are added.
 * - Otherwise: the start-to-start delays conditioned on not having happened yet (residual life,
 *   `d − elapsed` over samples with `d > elapsed`); when every sample is already overdue the step is
 *   imminent (0).
 * @param samples the edge's delays (may be empty: then 0 is returned)
 * @param elapsedSec seconds since the running step started (0 when unknown)
 * @param intensity progress of the running step 0..1, when reported
 */
export function startInDistribution(samples: EdgeDelaySamples | undefined, elapsedSec: number, intensity?: number): StartInDistribution {
  const e = Math.max(0, elapsedSec);
  let residual: number[];
  if (intensity !== undefined && intensity > 0 && intensity <= 1 && e > 0) {
    const remaining = (e * (1 - intensity)) / intensity;
    const gaps = samples && samples.finishToStartSec.length > 0 ? samples.finishToStartSec : [0];
    residual = gaps.map((g) => remaining + Math.max(0, g));
  } else {
    const d = samples?.startToStartSec ?? [];
    residual = d.filter((x) => x > e).map((x) => x - e);
    if (residual.length === 0) residual = [0];
  }
  return {
    expectedSec: mean(residual),
    quantilesSec: { p10: quantile(residual, 0.1), p50: quantile(residual, 0.5), p90: quantile(residual, 0.9) },
  };
}
