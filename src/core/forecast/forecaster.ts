/**
 * Turns a {@link ForecastModel} into a {@link Forecaster}: validates the request, cleans gaps,
 * detects seasonality, runs the model and builds quantiles (normal, from the model's sigma).
 */
import { InputError } from '../model/errors.js';
import type { Forecast } from '../model/forecast.js';
import type { ForecastModel, ModelContext } from './model.js';
import { buildForecast, cleanValues, validateRequest } from './prepare.js';
import { calendarPeriods, detectSeasonality } from './seasonality.js';
import type { FittedSeries, ForecastRequest, Forecaster } from './types.js';

/** The cleaned series, its context, and notes gathered while preparing a request. */
export interface PreparedRequest {
  readonly y: Float64Array;
  readonly ctx: ModelContext;
  readonly notes: string[];
}

/**
 * Most recent values any forecaster reads (three weeks of 1-minute steps); older ones are ignored
 * so that the cost of a forecast is bounded whatever history the caller passes.
 */
export const MAX_HISTORY_STEPS = 30_240;

/**
 * Validates and cleans a request (keeping at most {@link MAX_HISTORY_STEPS} recent values) and
 * detects its seasonality.
 * @throws InputError as {@link validateRequest}
 */
export function prepareRequest(req: ForecastRequest): PreparedRequest {
  validateRequest(req);
  const cut = Math.max(0, req.values.length - MAX_HISTORY_STEPS);
  const values = cut > 0 ? req.values.slice(cut) : req.values;
  if (!values.some((v) => Number.isFinite(v))) throw new InputError({ file: req.seriesId, field: 'values' }, `the last ${values.length} values, none finite`, 'at least one finite value among the recent values');
  const clean = cleanValues(values, req.startSec + cut * req.periodSec, req.periodSec);
  const notes = cut > 0 ? [`used the last ${values.length} of ${req.values.length} values`, ...clean.notes] : [...clean.notes];
  const season = detectSeasonality(clean.y, req.periodSec);
  const { daily } = calendarPeriods(req.periodSec);
  if (daily !== undefined && clean.y.length < 2 * daily) {
    notes.push(`history of ${clean.y.length} steps is shorter than two seasons (${2 * daily}): seasonality not modelled`);
  }
  return { y: clean.y, ctx: { periodSec: req.periodSec, seasonPeriods: season.periods, startSec: clean.startSec }, notes };
}

/** The fitted state of a one-shot model: its history window (refitted at every `predict`). */
export interface RefitState extends FittedSeries {
  readonly request: ForecastRequest;
}

/**
 * Gives a one-shot `forecast` the `fit / update / predict` of {@link Forecaster}: `fit` keeps the
 * request's history, `update` appends the new periods and drops as many of the oldest (the window
 * keeps its length), `predict` forecasts from the window (a full refit).
 */
export function refittingForecaster(name: string, forecast: (request: ForecastRequest) => Forecast): Forecaster<RefitState> {
  const stateOf = (request: ForecastRequest): RefitState => ({
    seriesId: request.seriesId, periodSec: request.periodSec, nextSec: request.startSec + request.values.length * request.periodSec, request,
  });
  return {
    name,
    forecast,
    fit: stateOf,
    update(state: RefitState, values: readonly number[]): RefitState {
      if (values.length === 0) return state;
      const r = state.request;
      const keep = Math.max(0, r.values.length - values.length);
      const all = [...r.values.slice(r.values.length - keep), ...values];
      return stateOf({ ...r, values: all, startSec: state.nextSec + values.length * r.periodSec - all.length * r.periodSec });
    },
    predict: (state: RefitState, horizon: number, quantiles: readonly number[]): Forecast => forecast({ ...state.request, horizon, quantiles }),
  };
}

/** Wraps a model as a {@link Forecaster} with normal quantiles. */
export function modelForecaster(model: ForecastModel): Forecaster {
  return refittingForecaster(model.name, (req: ForecastRequest): Forecast => {
    const { y, ctx, notes } = prepareRequest(req);
    const pf = model.predict(y, req.horizon, ctx);
    return buildForecast(req, pf.name, pf.mean, pf.sigma, [...notes, ...pf.notes]);
  });
}
