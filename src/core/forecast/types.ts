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
 * What a forecaster keeps of one series between `fit`, `update` and `predict` (JSON-safe). The tick
 * reads only these fields; the rest belongs to the forecaster.
 */
export interface FittedSeries {
  readonly seriesId: string;
  readonly periodSec: number;
  /** Epoch seconds of the first period not absorbed yet (the next `update` starts there). */
  readonly nextSec: number;
}

/**
 * A forecaster (statsforecast's `fit / update / predict`): given history, a probabilistic forecast.
 * Implementations are pure and deterministic.
 * - `forecast(request)`: one shot, the same as `predict(fit(request), request.horizon, request.quantiles)`;
 * - `fit(request)`: fits on the request's history (its `horizon` may tune the fit, e.g. the
 *   calibration horizon; its `quantiles` are ignored);
 * - `update(state, values)`: absorbs the periods observed since `state.nextSec`, oldest first
 *   (`NaN` for gaps), without a full refit where the model allows (the incremental model); a
 *   one-shot model slides its history window and refits at the next `predict`;
 * - `predict(state, horizon, quantiles)`: the forecast from the state.
 * @throws InputError when `values` has no finite value or `horizon < 1`
 */
export interface Forecaster<S extends FittedSeries = FittedSeries> {
  readonly name: string;
  forecast(request: ForecastRequest): Forecast;
  fit(request: ForecastRequest): S;
  update(state: S, values: readonly number[]): S;
  predict(state: S, horizon: number, quantiles: readonly number[]): Forecast;
}
