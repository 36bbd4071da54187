import type { MetricSeries } from '../core/model/index.js';

/** A request for metric history: the series to read over `[startSec, endSec)` at `periodSec`. */
export interface MetricQuery {
  readonly seriesIds: readonly string[];
  readonly startSec: number;
  readonly endSec: number;
  readonly periodSec: number;
}

/**
 * Where metric series come from: CloudWatch `GetMetricData` in AWS, files for a backtest,
 * the simulator's own history during a simulated run.
 */
export interface MetricsSource {
  /**
   * Reads the requested series, regularised to `periodSec`; gaps are `NaN`.
   * @throws Error when a series id is unknown to the source
   */
  fetch(query: MetricQuery): Promise<MetricSeries[]>;
}
