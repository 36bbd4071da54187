/**
 * The forecasting contract the tick uses. Models live one per file in this folder
 * (statsforecast's convention: plain arrays in, `mean` and quantiles out).
 */
import type { Forecast } from '../model/forecast.js';

/** One forecasting request on a regular series. */
export interface ForecastRequest {
  readonly seriesId: string;
  /** Observed values, oldest first, one per `periodSec`; `NaN` for gaps. */
  readonly values: readonly number[];
  /** Epoch seconds of `values[0]`'s period. */
  readonly startSec: number;
  readonly periodSec: number;
  /** Steps to forecast (>= 1). */
  readonly horizon: number;
  /** Quantile levels in (0, 1) the result must contain. */
  readonly quantiles: readonly number[];
  /** True when values are counts or utilisations that cannot be negative (the default). */
  readonly nonNegative?: boolean;
}

/**
 * A forecaster: given history, a probabilistic forecast. Implementations are pure and deterministic.
 * @throws InputError when `values` has no finite value or `horizon < 1`
 */
export interface Forecaster {
  readonly name: string;
  forecast(request: ForecastRequest): Forecast;
}
