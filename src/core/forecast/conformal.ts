/**
 * Conformal-style interval calibration (split conformal prediction on rolling-origin residuals;
 * Vovk, Gammerman & Shafer 2005; for forecasting, Stankeviciute et al. 2021, "Conformal time-series
 * forecasting"). Cross-validation errors are normalised by the model's own sigma at the same step,
 * so one factor per level rescales the whole horizon's spread; with few residuals the factor is
 * shrunk toward the normal quantile (a prior worth `priorWeight` residuals).
 */
import { normalQuantile, quantileOf } from './stats.js';

/** Calibration factors learned from normalised absolute CV errors. */
export interface Calibration {
  /** Normalised absolute errors |e| / sigma used (finite only). */
  readonly scores: Float64Array;
  /** Weight of the normal prior in residual units. */
  readonly priorWeight: number;
}

/**
 * Builds a calibration from CV errors and the sigmas the model gave for them (same length).
 * Pairs with a non-finite error or a sigma <= 0 are skipped.
 */
export function calibrationFrom(errors: ArrayLike<number>, sigmas: ArrayLike<number>, priorWeight = 12): Calibration {
  const s: number[] = [];
  for (let i = 0; i < errors.length; i++) {
    if (Number.isFinite(errors[i]) && sigmas[i] > 0) s.push(Math.abs(errors[i]) / sigmas[i]);
  }
  return { scores: Float64Array.from(s), priorWeight };
}

/**
 * Multiplier of sigma for a central interval of `level` (e.g. 0.8): the conformal quantile
 * (rank ⌈(N+1)·level⌉ of N scores) blended with the normal quantile z_{(1+level)/2} as
 * (N·c + w·z) / (N + w).
 */
export function calibratedMultiplier(cal: Calibration, level: number): number {
  const z = normalQuantile((1 + level) / 2);
  const N = cal.scores.length;
  if (N === 0) return z;
  const p = Math.min(1, Math.ceil((N + 1) * level) / N);
  const c = quantileOf(cal.scores, p);
  return (N * c + cal.priorWeight * z) / (N + cal.priorWeight);
}

/** Offset from the mean for quantile `q` at a step with sigma `sigma`. */
export function calibratedOffset(cal: Calibration, q: number, sigma: number): number {
  if (q === 0.5) return 0;
  const level = Math.abs(2 * q - 1);
  return Math.sign(q - 0.5) * calibratedMultiplier(cal, level) * sigma;
}
