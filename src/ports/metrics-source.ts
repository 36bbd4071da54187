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
  /**
   * Reads several queries at once (windows and periods may differ), with the answer `fetch` would give
   * to each, in the order asked. A source whose backend can carry many windows in one request
   * implements it (CloudWatch: one `GetMetricData` with a `MetricDataQuery` per series and period);
   * the tick calls it once per tick with its whole read plan. Absent: the caller calls `fetch` per query.
   * @throws Error as `fetch` does
   */
  fetchMany?(queries: readonly MetricQuery[]): Promise<MetricSeries[][]>;
}
