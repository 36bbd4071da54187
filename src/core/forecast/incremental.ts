/**
 * Incremental forecasting for the tick: a fitted model (MSTL seasonal profiles + exponential
 * smoothing state on the seasonally adjusted series + conformal calibration) that absorbs new
 * points in O(new points) and is refitted from its bounded window of recent values on a schedule.
 * The fitted model is plain JSON, so a Lambda can persist it between invocations.
 */
import { InputError } from '../model/errors.js';
import type { Forecast } from '../model/forecast.js';
import { calibrationFrom, calibratedOffset } from './conformal.js';
import { mstl } from './decompose.js';
import { buildForecast, cleanValues, validateRequest } from './prepare.js';
import { detectSeasonality } from './seasonality.js';
import { etsForecast, etsUpdate, type EtsState } from './models/ets.js';
import { etsLabel, fitBestEts } from './models/ets-model.js';
import type { FittedSeries, ForecastRequest, Forecaster } from './types.js';

/** A fitted incremental model (JSON-safe; `JSON.parse(JSON.stringify(m))` round-trips it). */
export interface FittedModel {
  readonly version: 1;
  readonly seriesId: string;
  readonly periodSec: number;
  /** Epoch seconds of absolute index 0 (seasonal phase of index i is i % period). */
  readonly anchorSec: number;
  /** Absolute index of the next value to arrive. */
  readonly nextIndex: number;
  /** Recent raw values (oldest first), at most `windowSteps`, ending at `nextIndex - 1`. */
  readonly window: number[];
  readonly windowSteps: number;
  /** Seasonal periods (steps) and their profiles by phase. */
  readonly periods: number[];
  readonly profiles: number[][];
  /** Exponential smoothing state on the seasonally adjusted series. */
  readonly ets: EtsState;
  /** Normalised absolute CV errors for interval calibration. */
  readonly calibrationScores: number[];
  /** Points absorbed since the last full fit, and the refit period. */
  readonly stepsSinceRefit: number;
  readonly refitEverySteps: number;
  readonly notes: string[];
}

/** Options of {@link fitIncremental}. */
export interface IncrementalOptions {
  /** Window of recent values kept for refits. @default 4032 (14 days of 5-minute steps) */
  readonly windowSteps?: number;
  /** Full refit after this many new points. @default 288 (a day of 5-minute steps) */
  readonly refitEverySteps?: number;
  /** Horizon the calibration is learned for. @default 12 */
  readonly calibrationHorizon?: number;
}

function seasonalSum(periods: readonly number[], profiles: readonly (readonly number[])[], i: number): number {
  let s = 0;
  for (let k = 0; k < periods.length; k++) s += profiles[k][i % periods[k]];
  return s;
}

/**
 * Fits an incremental model on a request's values (its `horizon` sets the calibration horizon
 * unless given; `quantiles` are ignored).
 * @throws InputError as {@link validateRequest}
 */
export function fitIncremental(req: ForecastRequest, options: IncrementalOptions = {}): FittedModel {
  validateRequest(req);
  const windowSteps = options.windowSteps ?? 4032;
  const refitEverySteps = options.refitEverySteps ?? 288;
  const H = options.calibrationHorizon ?? req.horizon;
  const clean = cleanValues(req.values, req.startSec, req.periodSec);
  const y = clean.y.length > windowSteps ? clean.y.subarray(clean.y.length - windowSteps) : clean.y;
  const yStart = req.values.length - y.length; // absolute index of y[0] (anchor = request start)
  const season = detectSeasonality(y, req.periodSec);
  // Decompose with phases relative to absolute index 0: rotate the profile after fitting on y.
  const dec = mstl(y, season.periods);
  const profiles = dec.profiles.map((p, k) => {
    const m = dec.periods[k];
    const out = new Array<number>(m);
    for (let ph = 0; ph < m; ph++) out[(yStart + ph) % m] = p[ph];
    return out;
  });
  const ets = fitBestEts(dec.adjusted, 0);
  // Calibration: rolling-origin one-fit CV with the fitted parameters (refiltered, not refitted).
  const errors: number[] = [];
  const sigmas: number[] = [];
  const K = 4;
  for (let k = K; k >= 1; k--) {
    const o = y.length - k * H;
    if (o < 20) continue;
    const st = etsReplay(ets, dec.adjusted.subarray(0, o));
    const f = etsForecast(st, H);
    for (let h = 0; h < H; h++) {
      errors.push(dec.adjusted[o + h] - f.mean[h]);
      sigmas.push(f.sigma[h]);
    }
  }
  const cal = calibrationFrom(errors, sigmas);
  return {
    version: 1,
    seriesId: req.seriesId,
    periodSec: req.periodSec,
    anchorSec: req.startSec,
    nextIndex: req.values.length,
    window: Array.from(y),
    windowSteps,
    periods: [...dec.periods],
    profiles,
    ets,
    calibrationScores: Array.from(cal.scores),
    stepsSinceRefit: 0,
    refitEverySteps,
    notes: [...clean.notes],
  };
}

/** Re-runs the ETS filter with fixed parameters over `x` from the initial state of a fit. */
function etsReplay(fit: EtsState, x: ArrayLike<number>): EtsState {
  const start: EtsState = { ...fit, level: x[0], trend: 0, season: [], n: 0 };
  return etsUpdate(start, x);
}

/**
 * Absorbs `values` (the periods right after the model's last one; NaN for gaps). Costs
 * O(values.length) unless the refit schedule is due, in which case the model is refitted from its
 * window (bounded by `windowSteps`).
 */
export function updateIncremental(model: FittedModel, values: readonly number[]): FittedModel {
  const window = [...model.window];
  const adjusted: number[] = [];
  let last = window.length > 0 ? window[window.length - 1] : NaN;
  for (let j = 0; j < values.length; j++) {
    const v = Number.isFinite(values[j]) ? values[j] : last;
    window.push(v);
    last = v;
    adjusted.push(v - seasonalSum(model.periods, model.profiles, model.nextIndex + j));
  }
  const trimmed = window.length > model.windowSteps ? window.slice(window.length - model.windowSteps) : window;
  const nextIndex = model.nextIndex + values.length;
  const stepsSinceRefit = model.stepsSinceRefit + values.length;
  if (stepsSinceRefit >= model.refitEverySteps) {
    const startIdx = nextIndex - trimmed.length;
    const refit = fitIncremental(
      { seriesId: model.seriesId, values: trimmed, startSec: model.anchorSec + startIdx * model.periodSec, periodSec: model.periodSec, horizon: 12, quantiles: [] },
      { windowSteps: model.windowSteps, refitEverySteps: model.refitEverySteps },
    );
    // Re-anchor the refit to the original anchor so phases stay absolute.
    const profiles = refit.profiles.map((p, k) => {
      const m = refit.periods[k];
      const out = new Array<number>(m);
      for (let ph = 0; ph < m; ph++) out[(startIdx + ph) % m] = p[ph];
      return out;
    });
    return { ...refit, anchorSec: model.anchorSec, nextIndex, profiles, notes: [`refitted after ${stepsSinceRefit} new steps`] };
  }
  return { ...model, window: trimmed, nextIndex, ets: etsUpdate(model.ets, adjusted), stepsSinceRefit, notes: [] };
}

/**
 * Forecasts `horizon` steps after the model's last period.
 * @throws InputError when horizon < 1 or a quantile is outside (0, 1)
 */
export function forecastIncremental(model: FittedModel, horizon: number, quantiles: readonly number[], nonNegative = true): Forecast {
  if (!Number.isInteger(horizon) || horizon < 1) throw new InputError({ file: model.seriesId, field: 'horizon' }, horizon, 'an integer >= 1');
  const { mean, sigma } = etsForecast(model.ets, horizon);
  for (let h = 0; h < horizon; h++) mean[h] += seasonalSum(model.periods, model.profiles, model.nextIndex + h);
  const startSec = model.anchorSec + (model.nextIndex - model.window.length) * model.periodSec;
  const req: ForecastRequest = { seriesId: model.seriesId, values: model.window, startSec, periodSec: model.periodSec, horizon, quantiles, nonNegative };
  const cal = { scores: Float64Array.from(model.calibrationScores), priorWeight: 12 };
  const name = `incremental:mstl(${model.periods.join(',')})+${etsLabel(model.ets)}`;
  return buildForecast(req, name, mean, sigma, model.notes, (q, h) => calibratedOffset(cal, q, sigma[h]));
}

/** The incremental model as a {@link Forecaster}'s fitted state. */
export interface IncrementalState extends FittedSeries {
  readonly model: FittedModel;
}

/** Options of {@link createIncrementalForecaster}. */
export interface IncrementalForecasterOptions {
  /** @default fitIncremental's */
  readonly windowSteps?: number;
  /** Full refit inside `update` after this many new points. @default fitIncremental's (288) */
  readonly refitEverySteps?: number;
  /** The calibration horizon is the request's horizon, at most this many steps. @default 12 */
  readonly maxCalibrationHorizon?: number;
}

/**
 * The incremental model (MSTL profiles + ETS state + conformal calibration) behind the
 * {@link Forecaster} interface: `fit` is {@link fitIncremental}, `update` {@link updateIncremental}
 * (O(new periods)), `predict` {@link forecastIncremental}.
 */
export function createIncrementalForecaster(options: IncrementalForecasterOptions = {}): Forecaster<IncrementalState> {
  const wrap = (model: FittedModel): IncrementalState => ({
    seriesId: model.seriesId, periodSec: model.periodSec, nextSec: model.anchorSec + model.nextIndex * model.periodSec, model,
  });
  const fit = (req: ForecastRequest): IncrementalState => wrap(fitIncremental(req, {
    ...(options.windowSteps !== undefined ? { windowSteps: options.windowSteps } : {}),
    ...(options.refitEverySteps !== undefined ? { refitEverySteps: options.refitEverySteps } : {}),
    calibrationHorizon: Math.min(req.horizon, options.maxCalibrationHorizon ?? 12),
  }));
  const predict = (state: IncrementalState, horizon: number, quantiles: readonly number[]): Forecast => forecastIncremental(state.model, horizon, quantiles);
  return {
    name: 'incremental',
    forecast: (req) => predict(fit(req), req.horizon, req.quantiles),
    fit,
    update: (state, values) => wrap(updateIncremental(state.model, values)),
    predict,
  };
}
