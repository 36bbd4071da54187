/**
 * The forecast stage's reads: fetches each series' history when it is due for a refit and, in
 * incremental mode, the periods completed since its last update, and hands them to the pure
 * forecast memory (core/tick/forecast.ts), which fits, updates and predicts through the Forecaster.
 */
import type { Forecast } from '../../core/model/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import type { ForecastCache, ForecastShape } from '../../core/tick/forecast.js';
import type { MetricsSource } from '../../ports/metrics-source.js';

/** What {@link runForecasts} needs besides the cache. */
export interface ForecastRun extends ForecastShape {
  /** Series forecast (sorted). */
  readonly seriesIds: readonly string[];
  /** Series due for a refit (ForecastCache.due). */
  readonly due: readonly string[];
  /** History read for a refit, seconds. */
  readonly historySec: number;
  /** True: incremental mode (update and predict every tick). */
  readonly incremental: boolean;
}

/**
 * Reads what the due series and (incremental mode) the others need, one query per window, and
 * returns the forecasts made this tick.
 */
export async function runForecasts(metrics: MetricsSource, forecaster: Forecaster, cache: ForecastCache, run: ForecastRun): Promise<Forecast[]> {
  if (run.seriesIds.length === 0) return [];
  const { nowSec, periodSec } = run;
  const endSec = Math.floor(nowSec / periodSec) * periodSec;
  const startSec = Math.floor((nowSec - run.historySec) / periodSec) * periodSec;
  if (!run.incremental) {
    if (run.due.length === 0) return [];
    return cache.refit(await metrics.fetch({ seriesIds: run.due, startSec, endSec, periodSec }), forecaster, run);
  }
  if (run.due.length > 0) cache.fit(await metrics.fetch({ seriesIds: run.due, startSec, endSec, periodSec }), forecaster, run);
  const windows = cache.updateWindows(run.seriesIds, new Set(run.due), endSec);
  for (const [from, ids] of windows) cache.absorb(await metrics.fetch({ seriesIds: ids, startSec: from, endSec, periodSec }), forecaster);
  return cache.predict([...run.due, ...windows.flatMap(([, ids]) => ids)], forecaster, run);
}
