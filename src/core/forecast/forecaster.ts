/**
 * Turns a {@link ForecastModel} into a {@link Forecaster}: validates the request, cleans gaps,
 * detects seasonality, runs the model and builds quantiles (normal, from the model's sigma).
 */
import type { Forecast } from '../model/forecast.js';
import type { ForecastModel, ModelContext } from './model.js';
import { buildForecast, cleanValues, validateRequest } from './prepare.js';
import { calendarPeriods, detectSeasonality } from './seasonality.js';
import type { ForecastRequest, Forecaster } from './types.js';

/** The cleaned series, its context, and notes gathered while preparing a request. */
export interface PreparedRequest {
  readonly y: Float64Array;
  readonly ctx: ModelContext;
  readonly notes: string[];
}

/**
 * Validates and cleans a request and detects its seasonality.
 * @throws InputError as {@link validateRequest}
 */
export function prepareRequest(req: ForecastRequest): PreparedRequest {
  validateRequest(req);
  const clean = cleanValues(req.values, req.startSec, req.periodSec);
  const notes = [...clean.notes];
  const season = detectSeasonality(clean.y, req.periodSec);
  const { daily } = calendarPeriods(req.periodSec);
  if (daily !== undefined && clean.y.length < 2 * daily) {
    notes.push(`history of ${clean.y.length} steps is shorter than two seasons (${2 * daily}): seasonality not modelled`);
  }
  return { y: clean.y, ctx: { periodSec: req.periodSec, seasonPeriods: season.periods, startSec: clean.startSec }, notes };
}

/** Wraps a model as a {@link Forecaster} with normal quantiles. */
export function modelForecaster(model: ForecastModel): Forecaster {
  return {
    name: model.name,
    forecast(req: ForecastRequest): Forecast {
      const { y, ctx, notes } = prepareRequest(req);
      const pf = model.predict(y, req.horizon, ctx);
      return buildForecast(req, pf.name, pf.mean, pf.sigma, [...notes, ...pf.notes]);
    },
  };
}
