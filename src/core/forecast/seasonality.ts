/**
 * Seasonality detection from the data (not from configuration): which calendar cycles (daily,
 * weekly) a metric series shows.
 */
import { movingAverage } from './decompose.js';

/** Detected seasonality of one series. */
export interface Seasonality {
  /** Seasonal periods present, in steps, ascending (e.g. [288] or [48, 336]); empty for none. */
  readonly periods: readonly number[];
  /** Autocorrelation of the detrended series at each candidate period tested, keyed by "daily"/"weekly". */
  readonly acf: Readonly<Record<string, number>>;
}

/** Minimum autocorrelation at the seasonal lag to call a cycle present. */
export const SEASONAL_ACF_THRESHOLD = 0.2;

/** Autocorrelation of `x` at `lag` (biased estimator, as R's `acf`). */
export function acfAt(x: ArrayLike<number>, lag: number): number {
  const n = x.length;
  if (lag >= n) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    den += d * d;
    if (i + lag < n) num += d * (x[i + lag] - m);
  }
  return den > 0 ? num / den : 0;
}

/**
 * Candidate calendar periods for a step: one day and one week of steps, when a day is a whole
 * number (>= 2) of steps.
 */
export function calendarPeriods(periodSec: number): { daily?: number; weekly?: number } {
  const day = 86_400 / periodSec;
  if (!Number.isInteger(day) || day < 2) return {};
  return { daily: day, weekly: day * 7 };
}

/**
 * Detects daily and weekly cycles: a cycle of `m` steps is present when the series holds at least
 * two full cycles and the autocorrelation at lag `m` of the series detrended by an `m`-wide moving
 * average is at least {@link SEASONAL_ACF_THRESHOLD}. The weekly test runs on the series with the
 * daily profile removed so it measures what a week adds beyond a day.
 * @param y finite values, oldest first
 * @param periodSec step in seconds
 */
export function detectSeasonality(y: ArrayLike<number>, periodSec: number): Seasonality {
  const { daily, weekly } = calendarPeriods(periodSec);
  const acf: Record<string, number> = {};
  const periods: number[] = [];
  const n = y.length;
  if (daily === undefined) return { periods, acf };
  if (n >= 2 * daily) {
    const r = acfAt(detrend(y, daily), daily);
    acf.daily = r;
    if (r >= SEASONAL_ACF_THRESHOLD) periods.push(daily);
  }
  if (weekly !== undefined && n >= 2 * weekly) {
    let x: ArrayLike<number> = y;
    if (periods.length > 0) x = removeProfile(y, daily);
    const r = acfAt(detrend(x, weekly), weekly);
    acf.weekly = r;
    if (r >= SEASONAL_ACF_THRESHOLD) periods.push(weekly);
  }
  return { periods, acf };
}

function detrend(y: ArrayLike<number>, m: number): Float64Array {
  const tr = movingAverage(y, m);
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] - tr[i];
  return out;
}

function removeProfile(y: ArrayLike<number>, m: number): Float64Array {
  const det = detrend(y, m);
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  for (let i = 0; i < y.length; i++) {
    sum[i % m] += det[i];
    cnt[i % m]++;
  }
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] - sum[i % m] / cnt[i % m];
  return out;
}
