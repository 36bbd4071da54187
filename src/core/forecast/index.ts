/**
 * The forecasting engine's entry points. `createForecaster()` gives the best model (the
 * cross-validated ensemble); named models are available for comparison and tests.
 */
import type { ArimaEngine } from './arima-engine.js';
import { modelForecaster } from './forecaster.js';
import type { ForecastModel } from './model.js';
import { createArimaModel } from './models/arima.js';
import { seasonalNaiveModel } from './models/seasonal-naive.js';
import { createEtsModel } from './models/ets-model.js';
import { createMstlModel } from './models/mstl-model.js';
import { createProphetModel } from './models/prophet.js';
import { createRobustLevelModel } from './models/robust-level.js';
import { createEnsembleForecaster } from './ensemble.js';
import type { Forecaster } from './types.js';
import { InputError } from '../model/errors.js';

export type { FittedSeries, ForecastRequest, Forecaster } from './types.js';
export { detectSeasonality, type Seasonality } from './seasonality.js';
export type { ArimaEngine, ArimaOrder, ArimaResult } from './arima-engine.js';
export { PackageArimaEngine } from './arima-engine.js';
export { fitIncremental, updateIncremental, forecastIncremental, createIncrementalForecaster, type FittedModel, type IncrementalOptions, type IncrementalState, type IncrementalForecasterOptions } from './incremental.js';
export { rollingOriginEvaluate, mase, seasonalNaiveMae, type RollingOriginProtocol, type RollingOriginScore } from './evaluate.js';

/** Options shared by every forecaster the factory makes. */
export interface ForecasterOptions {
  /** ARIMA engine (inject an isolated one from src/adapters/forecast). @default the package's shared instance */
  readonly arimaEngine?: ArimaEngine;
}

/** Names accepted by {@link createForecaster}. */
export const FORECASTER_NAMES = ['seasonal-naive', 'arima', 'ets', 'mstl', 'prophet', 'robust', 'select', 'ensemble'] as const;

/** The default model name. */
export const DEFAULT_FORECASTER = 'ensemble';

/** Models the ensemble and the selector cross-validate, in order (the first is the short-history fallback). */
export const ENSEMBLE_MEMBERS = ['ets', 'arima', 'mstl', 'prophet', 'robust'] as const;

/** Builds the named single model. */
export function createModel(name: string, options: ForecasterOptions = {}): ForecastModel {
  switch (name) {
    case 'seasonal-naive':
      return seasonalNaiveModel;
    case 'arima':
      return createArimaModel({ engine: options.arimaEngine });
    case 'ets':
      return createEtsModel();
    case 'mstl':
      return createMstlModel();
    case 'prophet':
      return createProphetModel();
    case 'robust':
      return createRobustLevelModel();
    default:
      throw new InputError({ field: 'model' }, name, `one of ${FORECASTER_NAMES.join(', ')}`);
  }
}

/**
 * Creates a forecaster by name.
 * @param name one of {@link FORECASTER_NAMES}; default {@link DEFAULT_FORECASTER} (the best model)
 * @throws InputError for an unknown name
 */
export function createForecaster(name: string = DEFAULT_FORECASTER, options: ForecasterOptions = {}): Forecaster {
  if (name === 'ensemble' || name === 'select') {
    const models = ENSEMBLE_MEMBERS.map((m) => createModel(m, options));
    return createEnsembleForecaster({ models, mode: name, name });
  }
  return modelForecaster(createModel(name, options));
}
