/**
 * Reads metric series from files: a `timestamp,value` CSV (NAB layout) or the JSON printed by
 * `aws cloudwatch get-metric-data`, and regularises them (src/core/signals/regularise.ts).
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { InputError, inputErrorFromZod } from '../../core/model/errors.js';
import type { MetricSeries, RegularisationReport } from '../../core/model/series.js';
import { regularise, type RawPoint } from '../../core/signals/regularise.js';
import { parseTimestampSec } from '../../core/signals/timestamps.js';
import { parseCsv, parseNumberField } from './csv.js';

/** Options of the metric readers. */
export interface MetricReadOptions {
  /** Force the grid step in seconds. @default the median raw step */
  readonly periodSec?: number;
  /**
   * Accept negative values. Counts, bytes and utilisation cannot be negative, so a negative value is
   * taken as a corrupt row. @default false
   */
  readonly allowNegative?: boolean;
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
 * Reads one metric file. JSON (first non-blank character `{`) is read as `get-metric-data` output,
 * anything else as CSV.
 * @param path file path
 * @returns one entry for a CSV (id = base name without extension), one per `MetricDataResults[]`
 *   entry for JSON (id = `<base>:<Id>`), in file order
 * @throws InputError naming file, line or JSON path, the value and the expectation for any bad row
 */
export async function readMetricSeriesFile(path: string, opts: MetricReadOptions = {}): Promise<ReadSeries[]> {
  const text = await readFile(path, 'utf8');
  const base = basename(path, extname(path));
  if (text.trimStart().startsWith('{')) return parseCloudWatchMetricJson(text, path, base, opts);
  return [parseMetricCsv(text, path, base, opts)];
}

/**
 * Parses `timestamp,value` CSV text (header required, case-insensitive) and regularises it.
 * @throws InputError on a missing header, a row without exactly two fields, an unparseable timestamp,
 *   a non-numeric or (unless allowed) negative value, a timestamp going backwards, or no data rows
 */
export function parseMetricCsv(text: string, file: string, id: string, opts: MetricReadOptions = {}): ReadSeries {
  const rows = parseCsv(text, file);
  const header = rows[0];
  if (!header) throw new InputError({ file }, 'an empty file', 'a header timestamp,value and at least one row (empty series)');
  const names = header.fields.map((f) => f.toLowerCase());
  if (names.length !== 2 || names[0] !== 'timestamp' || names[1] !== 'value') {
    throw new InputError({ file, line: header.line, field: 'header' }, header.fields.join(','), 'the header timestamp,value');
  }
  const points: RawPoint[] = [];
  for (let r = 1; r < rows.length; r++) {
    const { line, fields } = rows[r]!;
    if (fields.length !== 2) {
      throw new InputError({ file, line }, fields.join(','), `2 comma-separated fields (timestamp,value), found ${fields.length}`);
    }
    const tSec = parseTimestampSec(fields[0]!);
    if (tSec === undefined) throw new InputError({ file, line, field: 'timestamp' }, fields[0], TIMESTAMP_EXPECTATION);
    const value = parseNumberField(fields[1]!);
    if (value === undefined) throw new InputError({ file, line, field: 'value' }, fields[1], 'a finite number');
    if (value < 0 && !opts.allowNegative) {
      throw new InputError({ file, line, field: 'value' }, value, 'a number >= 0 (pass allowNegative for signed metrics)');
    }
    points.push({ tSec, value, line });
  }
  return regularise(points, { id, file, ...pickGrid(opts) });
}

const MetricDataResultSchema = z.object({
  Id: z.string().min(1),
  Label: z.string().optional(),
  Timestamps: z.array(z.string()),
  Values: z.array(z.number()),
  StatusCode: z.enum(['Complete', 'PartialData', 'InternalError', 'Forbidden']).optional(),
});
const GetMetricDataOutputSchema = z.object({
  MetricDataResults: z.array(MetricDataResultSchema),
  Messages: z.array(z.object({ Code: z.string().optional(), Value: z.string().optional() })).optional(),
  NextToken: z.string().optional(),
});

/**
 * Parses the JSON that `aws cloudwatch get-metric-data` prints (CloudWatch API reference,
 * "GetMetricData": `MetricDataResults[]` with `Id`, `Label`, `Timestamps`, `Values`, `StatusCode`).
 * Results may be in descending time order (the API's default `ScanBy` is `TimestampDescending`); they
 * are sorted ascending before regularising. `PartialData` results are read as they are.
 * @throws InputError naming the JSON path on a schema violation, mismatched `Timestamps`/`Values`
 *   lengths, a bad timestamp, a negative value (unless allowed), an empty result, a result whose
 *   `StatusCode` is `InternalError` or `Forbidden`, or no results at all
 */
export function parseCloudWatchMetricJson(text: string, file: string, base: string, opts: MetricReadOptions = {}): ReadSeries[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file }, (e as Error).message, 'valid JSON (the output of aws cloudwatch get-metric-data)');
  }
  const parsed = GetMetricDataOutputSchema.safeParse(doc);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, doc, file);
  const results = parsed.data.MetricDataResults;
  if (results.length === 0) {
    throw new InputError({ file, field: 'MetricDataResults' }, [], 'at least one metric data result (empty series)');
  }
  return results.map((r, k) => {
    const at = `MetricDataResults[${k}]`;
    if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden') {
      throw new InputError({ file, field: `${at}.StatusCode` }, r.StatusCode, 'Complete or PartialData');
    }
    if (r.Timestamps.length !== r.Values.length) {
      throw new InputError({ file, field: `${at}.Values` }, `${r.Values.length} values`, `one value per timestamp (${r.Timestamps.length})`);
    }
    if (r.Timestamps.length === 0) {
      throw new InputError({ file, field: `${at}.Timestamps` }, [], `at least one data point for Id "${r.Id}" (empty series)`);
    }
    const points = r.Timestamps.map((ts, i) => {
      const tSec = parseTimestampSec(ts);
      if (tSec === undefined) throw new InputError({ file, field: `${at}.Timestamps[${i}]` }, ts, TIMESTAMP_EXPECTATION);
      const value = r.Values[i]!;
      if (value < 0 && !opts.allowNegative) {
        throw new InputError({ file, field: `${at}.Values[${i}]` }, value, 'a number >= 0 (pass allowNegative for signed metrics)');
      }
      return { tSec, value };
    });
    points.sort((a, b) => a.tSec - b.tSec);
    return regularise(points, { id: `${base}:${r.Id}`, file, ...pickGrid(opts) });
  });
}

function pickGrid(opts: MetricReadOptions): { periodSec?: number; maxGapFillPeriods?: number } {
  return {
    ...(opts.periodSec !== undefined ? { periodSec: opts.periodSec } : {}),
    ...(opts.maxGapFillPeriods !== undefined ? { maxGapFillPeriods: opts.maxGapFillPeriods } : {}),
  };
}
