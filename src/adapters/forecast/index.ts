/**
 * Composition helpers for the forecasting engine: forecasters wired with an ARIMA engine that owns
 * a private, crash-isolated and silenced instance of the `arima` package. Composition roots (the
 * tick's Lambda handler, the CLI, the backtest) should prefer these over the core's default engine,
 * which shares the package's global instance (whose ctsa messages go to stdout).
 */
import { createForecaster, DEFAULT_FORECASTER } from '../../core/forecast/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import { createIsolatedArimaEngine } from './isolated-arima.js';

export { createIsolatedArimaEngine, IsolatedArimaEngine, loadFreshArima } from './isolated-arima.js';
export { forecastFiles, type ForecastFilesOptions } from './pool.js';
export { forecastFile, type FileForecast, type ForecastRow, type ForecastFileOptions } from './forecast-file.js';

/**
 * A forecaster (default: the cross-validated ensemble) with its own isolated ARIMA engine.
 * @throws InputError for an unknown model name
 */
export function createIsolatedForecaster(name: string = DEFAULT_FORECASTER): Forecaster {
  return createForecaster(name, { arimaEngine: createIsolatedArimaEngine() });
}
