/**
 * Rolling-origin evaluation (Tashman 2000, "Out-of-sample tests of forecasting accuracy"): forecast
 * from several origins at the end of a series and score against what happened. MASE follows
 * Hyndman & Koehler 2006 ("Another look at measures of forecast accuracy"), scaled by the in-sample
 * MAE of the seasonal naive forecast.
 */
import { forecastQuantile } from '../model/forecast.js';
import type { ForecastRequest, Forecaster } from './types.js';

/**
 * In-sample mean absolute error of the seasonal naive forecast with season `m` (naive when the
 * series is shorter than m + 1), ignoring non-finite pairs. Returns NaN when nothing can be scored.
 */
export function seasonalNaiveMae(train: ArrayLike<number>, m: number): number {
  const lag = train.length > m ? m : 1;
  let s = 0;
  let c = 0;
  for (let t = lag; t < train.length; t++) {
    const d = train[t] - train[t - lag];
    if (Number.isFinite(d)) {
      s += Math.abs(d);
      c++;
    }
  }
  return c > 0 ? s / c : NaN;
}

/** MASE of `forecast` against `actual` with scale `scale` (finite pairs only; NaN when none). */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Number.isFinite(actual[i]) && Number.isFinite(forecast[i])) {
      s += Math.abs(actual[i] - forecast[i]);
      c++;
    }
  }
  if (c === 0) return NaN;
  return scale > 0 ? s / c / scale : s / c === 0 ? 0 : Infinity;
}

/** Protocol of {@link rollingOriginEvaluate}. */
export interface RollingOriginProtocol {
  /** Steps forecast from each origin (also the spacing between origins). */
  readonly horizon: number;
  /** Number of origins, the last one `horizon` steps before the end. */
  readonly origins: number;
  /** Most recent steps used for training before each origin. */
  readonly maxTrainSteps: number;
  /** Season for the MASE scale, in steps (one day of steps in the benchmark). */
  readonly seasonSteps: number;
  /** Central interval level scored for coverage, e.g. 0.8. */
  readonly level: number;
  /** Further central levels scored (e.g. [0.95]), reported in `coverageByLevel`. @default [] */
  readonly extraLevels?: readonly number[];
}

/** Scores of one forecaster on one series. */
export interface RollingOriginScore {
  /** MASE averaged over origins. */
  readonly mase: number;
  /** Share of held-out finite values inside the central `level` interval. */
  readonly coverage: number;
  /** Coverage of every scored level, keyed by the level as a string ("0.8", "0.95"). */
  readonly coverageByLevel: Readonly<Record<string, number>>;
  /** Models named by the forecasts, per origin. */
  readonly models: readonly string[];
}

/**
 * Evaluates `forecaster` on `values` from `protocol.origins` origins spaced by the horizon at the
 * end of the series.
 * @throws InputError from the forecaster on bad input
 */
export function rollingOriginEvaluate(
  forecaster: Forecaster,
  series: { readonly id: string; readonly values: readonly number[]; readonly startSec: number; readonly periodSec: number },
  protocol: RollingOriginProtocol,
): RollingOriginScore {
  const { horizon: H, origins, maxTrainSteps, seasonSteps, level } = protocol;
  const n = series.values.length;
  const levels = [level, ...(protocol.extraLevels ?? [])];
  const bounds = levels.map((l) => [(1 - l) / 2, 1 - (1 - l) / 2] as const);
  const quantiles = [...new Set([...bounds.flat(), 0.5])].sort((a, b) => a - b);
  let maseSum = 0;
  let maseN = 0;
  const inside = levels.map(() => 0);
  let total = 0;
  const models: string[] = [];
  for (let k = origins; k >= 1; k--) {
    const origin = n - k * H;
    const from = Math.max(0, origin - maxTrainSteps);
    const train = series.values.slice(from, origin);
    const actual = series.values.slice(origin, origin + H);
    const req: ForecastRequest = {
      seriesId: series.id,
      values: train,
      startSec: series.startSec + from * series.periodSec,
      periodSec: series.periodSec,
      horizon: H,
      quantiles,
    };
    const f = forecaster.forecast(req);
    models.push(f.model);
    const score = mase(actual, f.mean, seasonalNaiveMae(train, seasonSteps));
    if (Number.isFinite(score)) {
      maseSum += score;
      maseN++;
    }
    for (let h = 0; h < H; h++) {
      if (!Number.isFinite(actual[h])) continue;
      total++;
      bounds.forEach(([lo, hi], j) => {
        if (actual[h] >= forecastQuantile(f, lo, h) && actual[h] <= forecastQuantile(f, hi, h)) inside[j]++;
      });
    }
  }
  const coverageByLevel: Record<string, number> = {};
  levels.forEach((l, j) => (coverageByLevel[String(l)] = total > 0 ? inside[j] / total : NaN));
  return { mase: maseN > 0 ? maseSum / maseN : NaN, coverage: coverageByLevel[String(level)], coverageByLevel, models };
}
