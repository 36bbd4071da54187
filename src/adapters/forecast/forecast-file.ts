/**
 * Forecasts the series in one metric file: reads it with `readMetricSeriesFile`, runs the named
 * forecaster on each series and returns plain rows (structured-clone safe, so worker threads can
 * return them).
 */
import { readMetricSeriesFile } from '../files/metric-file.js';
import { createForecaster, DEFAULT_FORECASTER } from '../../core/forecast/index.js';
import type { ArimaEngine } from '../../core/forecast/arima-engine.js';
import { InputError } from '../../core/model/errors.js';
import { forecastQuantile } from '../../core/model/forecast.js';

/**
 * Fewest points a series must hold to be forecast: 24, two full cycles of a 12-step season. With
 * fewer, no seasonal model can be fitted and an interval is computed from a handful of residuals
 * (our bound; a one-point series used to "forecast" with intervals made from one point).
 */
export const MIN_FORECAST_POINTS = 24;

/**
 * Checks a regularised series can be forecast: a regular step (at least two distinct timestamps,
 * and at most half of the grid made of gaps) and at least {@link MIN_FORECAST_POINTS} points.
 * @throws InputError naming the file
 */
export function assertForecastable(file: string, series: { readonly id: string; readonly values: ArrayLike<number> }, report: { readonly pointsRead: number; readonly duplicatesMerged: number; readonly gapPeriods: number; readonly periodSec: number } | undefined): void {
  const n = series.values.length;
  if (n === 0) throw new InputError({ file }, 'no values', 'at least one timestamp,value row');
  if (report && report.pointsRead - report.duplicatesMerged < 2) {
    throw new InputError({ file, field: 'timestamp' }, report.pointsRead > 1 ? `${report.pointsRead} rows, all with one timestamp` : `${report.pointsRead} row`, 'a series with a regular step: at least two distinct timestamps');
  }
  if (report && report.gapPeriods * 2 > n) {
    throw new InputError({ file, field: 'timestamp' }, `${report.gapPeriods} of ${n} periods of ${report.periodSec} s empty`, 'a series with a regular step (at most half of its periods missing)');
  }
  const filled = n - (report?.gapPeriods ?? 0);
  if (filled < MIN_FORECAST_POINTS) throw new InputError({ file }, `${filled} points in series ${series.id}`, `at least ${MIN_FORECAST_POINTS} points (two cycles of a 12-step season)`);
}

/** One forecast step of one series, as the CLI prints it. */
export interface ForecastRow {
  readonly series: string;
  /** 1..H */
  readonly step: number;
  /** Epoch seconds of the forecast period's start. */
  readonly timestampSec: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly model: string;
}

/** What forecasting one file gave: rows, or the error message (InputError when `inputError`). */
export type FileForecast =
  | { readonly file: string; readonly ok: true; readonly rows: ForecastRow[]; readonly notes: Array<{ series: string; notes: string[] }> }
  | { readonly file: string; readonly ok: false; readonly message: string; readonly inputError: boolean };

/** Job options. */
export interface ForecastFileOptions {
  /** Steps to forecast (integer >= 1). */
  readonly horizon: number;
  /** Central interval level in percent, e.g. 80 (lo = (100-level)/200 quantile). */
  readonly levelPct: number;
  /** Forecaster name. @default DEFAULT_FORECASTER */
  readonly model?: string;
}

/**
 * Reads and forecasts one file; never throws (errors are returned so good files still print).
 */
export async function forecastFile(file: string, opts: ForecastFileOptions, engine?: ArimaEngine): Promise<FileForecast> {
  try {
    const read = await readMetricSeriesFile(file);
    const forecaster = createForecaster(opts.model ?? DEFAULT_FORECASTER, { arimaEngine: engine });
    const lo = (1 - opts.levelPct / 100) / 2;
    const hi = 1 - lo;
    const rows: ForecastRow[] = [];
    const notes: Array<{ series: string; notes: string[] }> = [];
    for (const { series, report } of read) assertForecastable(file, series, report);
    for (const { series } of read) {
      const f = forecaster.forecast({
        seriesId: series.id,
        values: series.values,
        startSec: series.startSec,
        periodSec: series.periodSec,
        horizon: opts.horizon,
        quantiles: [lo, 0.5, hi],
      });
      for (let h = 0; h < opts.horizon; h++) {
        rows.push({
          series: series.id,
          step: h + 1,
          timestampSec: f.originSec + (h + 1) * f.periodSec,
          mean: f.mean[h],
          lo: forecastQuantile(f, lo, h),
          hi: forecastQuantile(f, hi, h),
          model: f.model,
        });
      }
      notes.push({ series: series.id, notes: [...(f.notes ?? [])] });
    }
    return { file, ok: true, rows, notes };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { file, ok: false, message, inputError: err instanceof InputError || (err as NodeJS.ErrnoException)?.code === 'ENOENT' || (err as NodeJS.ErrnoException)?.code === 'EISDIR' };
  }
}
