/**
 * Builders of metric inputs for tests: `timestamp,value` CSV text, `aws cloudwatch get-metric-data`
 * JSON, and regular MetricSeries.
 */
import type { MetricSeries } from '../../src/core/model/series.js';

/** CSV text with the header `timestamp,value` and one row per pair (timestamps written as given). */
export function metricCsv(rows: ReadonlyArray<readonly [string | number, string | number]>): string {
  return ['timestamp,value', ...rows.map(([t, v]) => `${t},${v}`)].join('\n') + '\n';
}

/**
 * A regular series of `values` every `periodSec` from `startSec`.
 * @default periodSec 60, startSec 1_700_000_040 (a multiple of 60)
 */
export function regularSeries(values: readonly number[], opts: { id?: string; periodSec?: number; startSec?: number } = {}): MetricSeries {
  return { id: opts.id ?? 'test', periodSec: opts.periodSec ?? 60, startSec: opts.startSec ?? 1_700_000_040, values: [...values] };
}

/** One result of `get-metric-data`. Timestamps are ISO strings with `+00:00`, as the AWS CLI prints them. */
export interface TestMetricDataResult {
  readonly id: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly statusCode?: string;
  /** Write newest first, the API's default `ScanBy: TimestampDescending`. @default true */
  readonly descending?: boolean;
}

/** The JSON text `aws cloudwatch get-metric-data` prints for `results`. */
export function getMetricDataJson(results: readonly TestMetricDataResult[]): string {
  return JSON.stringify(
    {
      MetricDataResults: results.map((r) => {
        const pts = [...r.points].sort((a, b) => ((r.descending ?? true) ? b[0] - a[0] : a[0] - b[0]));
        return {
          Id: r.id,
          Label: r.id.toUpperCase(),
          Timestamps: pts.map(([t]) => new Date(t * 1000).toISOString().replace('.000Z', '+00:00')),
          Values: pts.map(([, v]) => v),
          StatusCode: r.statusCode ?? 'Complete',
        };
      }),
      Messages: [],
    },
    null,
    2,
  );
}
