/**
 * The internal model contract shared by every forecasting model file (statsforecast's
 * convention: plain arrays in, mean and spread out). Cleaning, seasonality detection, quantiles,
 * selection and calibration live outside the models (see prepare.ts, seasonality.ts, ensemble.ts).
 */
import { mstl, type Decomposition } from './decompose.js';

/** What a model knows about the series besides its values. */
export interface ModelContext {
  /** Step between values, in seconds. */
  readonly periodSec: number;
  /**
   * Seasonal periods present in the data, in steps, shortest first (e.g. [288, 2016] for 5-minute
   * data with daily and weekly cycles). Empty when no seasonality was detected.
   */
  readonly seasonPeriods: readonly number[];
  /** Epoch seconds of `y[0]` (used by calendar-aware models such as the Prophet-style one). */
  readonly startSec: number;
  /**
   * The MSTL decomposition of exactly this `y` for `seasonPeriods`, when the caller already has it
   * (the ensemble computes it once per fold for all its models). Models compute it when absent.
   */
  readonly decomposition?: Decomposition;
}

/** The decomposition of `y` from the context, or a fresh one. */
export function decompositionOf(y: Float64Array, ctx: ModelContext): Decomposition {
  return ctx.decomposition ?? mstl(y, ctx.seasonPeriods);
}

/** A point forecast with a per-step standard deviation (the model's own, before calibration). */
export interface PointForecast {
  /** Model label including its chosen configuration, e.g. "arima(2,1,1)+mstl(288)". */
  readonly name: string;
  /** Mean per horizon step (length = horizon). */
  readonly mean: Float64Array;
  /** Standard deviation of the forecast error per step (length = horizon), >= 0. */
  readonly sigma: Float64Array;
  /** Fallbacks taken or other remarks. */
  readonly notes: readonly string[];
}

/**
 * One forecasting model. `predict` fits on `y` (finite values only, oldest first) and forecasts
 * `horizon` steps; it must be deterministic and must not throw on any finite input of length >= 1
 * (fall back and say so in `notes` instead).
 */
export interface ForecastModel {
  /** Registry name, e.g. "arima", "ets", "prophet", "mstl", "seasonal-naive". */
  readonly name: string;
  predict(y: Float64Array, horizon: number, ctx: ModelContext): PointForecast;
}

/** Naive (random walk) forecast used as the last-resort fallback: last value, sigma grows with sqrt(h). */
export function naiveFallback(y: Float64Array, horizon: number, note: string): PointForecast {
  const last = y.length > 0 ? y[y.length - 1] : 0;
  let s = 0;
  let n = 0;
  for (let i = 1; i < y.length; i++) {
    s += (y[i] - y[i - 1]) ** 2;
    n++;
  }
  const sd = n > 0 ? Math.sqrt(s / n) : Math.abs(last) * 0.1;
  const mean = new Float64Array(horizon).fill(last);
  const sigma = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) sigma[h] = sd * Math.sqrt(h + 1);
  return { name: 'naive', mean, sigma, notes: [note] };
}
