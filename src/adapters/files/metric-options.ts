/**
 * Options and result types shared by the metric file readers (metric-file.ts, cloudwatch-json.ts).
 */
import type { MetricSeries, RegularisationReport } from '../../core/model/series.js';

/** Options of the metric readers. */
export interface MetricReadOptions {
  /** Force the grid step in seconds. @default the median raw step */
  readonly periodSec?: number;
  /**
   * Accept negative values. Counts, bytes and utilisation cannot be negative, so a negative value is
   * taken as a corrupt row. @default false
   */
  readonly allowNegative?: boolean;
  /**
   * What the negative-value error suggests, e.g. "signed metrics need --allow-negative" where the
   * command has that flag. @default none (a backtest's demand cannot be negative)
   */
  readonly negativeHint?: string;
  /** Longest gap (periods) filled by interpolation. @default 3 (see DEFAULT_MAX_GAP_FILL_PERIODS) */
  readonly maxGapFillPeriods?: number;
}

/** A regularised series with the report of what regularisation did. */
export interface ReadSeries {
  readonly series: MetricSeries;
  readonly report: RegularisationReport;
}

/** The expectation quoted when a timestamp does not parse. */
export const TIMESTAMP_EXPECTATION =
  'epoch seconds, ISO 8601 (2014-07-01T00:00:00Z) or YYYY-MM-DD HH:MM:SS (UTC)';

/**
 * The expectation for an unparseable timestamp `text`, with a hint when it looks like epoch
 * milliseconds (13 or more digits).
 */
export function timestampExpectation(text: string): string {
  return /^\d{13,}(\.\d+)?$/.test(text.trim()) ? `${TIMESTAMP_EXPECTATION}; this looks like epoch milliseconds (divide by 1000)` : TIMESTAMP_EXPECTATION;
}

/** The expectation quoted for a negative value, with the command's hint when it has one. */
export function negativeExpectation(opts: MetricReadOptions): string {
  return opts.negativeHint ? `a number >= 0 (${opts.negativeHint})` : 'a number >= 0 (demand cannot be negative: fix or drop the row)';
}

/** The grid options of `opts` that regularise takes. */
export function pickGrid(opts: MetricReadOptions): { periodSec?: number; maxGapFillPeriods?: number } {
  return {
    ...(opts.periodSec !== undefined ? { periodSec: opts.periodSec } : {}),
    ...(opts.maxGapFillPeriods !== undefined ? { maxGapFillPeriods: opts.maxGapFillPeriods } : {}),
  };
}
