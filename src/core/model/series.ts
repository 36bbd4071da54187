/**
 * Metric series: regular time series read from CloudWatch or files.
 */

/**
 * A regular metric series. `values[i]` is the value of the period starting at
 * `startSec + i * periodSec` (epoch seconds). Missing periods are `NaN`.
 */
export interface MetricSeries {
  /** Stable identifier, e.g. the file's base name or a CloudWatch query id. */
  readonly id: string;
  /** Epoch seconds of the first period's start. */
  readonly startSec: number;
  /** Step between consecutive values, in seconds (> 0). */
  readonly periodSec: number;
  /** One value per period; `NaN` marks a gap that was not filled. */
  readonly values: readonly number[];
  /** Free-form unit as read (e.g. "Percent", "Count"); informative only. */
  readonly unit?: string;
}

/** What regularisation did to a raw series, so the CLI can report it. */
export interface RegularisationReport {
  /** Raw points read. */
  readonly pointsRead: number;
  /** Points that fell in an already-filled period and were merged (by mean). */
  readonly duplicatesMerged: number;
  /** Periods with no raw point. */
  readonly gapPeriods: number;
  /** Gap periods filled by linear interpolation (short gaps). */
  readonly gapsFilled: number;
  /** The step chosen (median raw step unless forced), in seconds. */
  readonly periodSec: number;
}

/** Epoch seconds of the period at index `i` of `s`. */
export function seriesTimeSec(s: MetricSeries, i: number): number {
  return s.startSec + i * s.periodSec;
}
