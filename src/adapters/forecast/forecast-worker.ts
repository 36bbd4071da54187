/**
 * Piscina worker: forecasts one file per task with an ARIMA engine private to this thread.
 */
import { forecastFile, type FileForecast, type ForecastFileOptions } from './forecast-file.js';
import { createIsolatedArimaEngine, type IsolatedArimaEngine } from './isolated-arima.js';

let engine: IsolatedArimaEngine | undefined;

/** Task input. */
export interface ForecastTask extends ForecastFileOptions {
  readonly file: string;
}

/** Piscina entry point. */
export default async function run(task: ForecastTask): Promise<FileForecast> {
  engine ??= createIsolatedArimaEngine();
  return forecastFile(task.file, task, engine);
}
