/**
 * Reads the JSON the AWS CLI prints for CloudWatch metric queries:
 * - `aws cloudwatch get-metric-data` (API reference "GetMetricData"): `MetricDataResults[]` with
 *   `Id`, `Label`, `Timestamps`, `Values`, `StatusCode`, plus `Messages`; results may be in descending
 *   time order (the API's default `ScanBy` is `TimestampDescending`);
 * - `aws cloudwatch get-metric-statistics` (API reference "GetMetricStatistics"): `Label` and
 *   `Datapoints[]` with `Timestamp`, one value per requested statistic (`Average`, `Sum`, `Maximum`,
 *   `Minimum`, `SampleCount`) and `Unit`; datapoints come in no particular order.
 * Points are sorted by time before regularising.
 */
import { z } from 'zod';
import { InputError, inputErrorFromZod } from '../../core/model/errors.js';
import { regularise, type RawPoint } from '../../core/signals/regularise.js';
import { parseTimestampSec } from '../../core/signals/timestamps.js';
import { negativeExpectation, pickGrid, timestampExpectation, type MetricReadOptions, type ReadSeries } from './metric-options.js';

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

/** Statistics `get-metric-statistics` may return, in the order one is picked when none is asked for. */
export const STATISTICS = ['Average', 'Sum', 'Maximum', 'Minimum', 'SampleCount'] as const;
/** A CloudWatch statistic name. */
export type Statistic = (typeof STATISTICS)[number];

const DatapointSchema = z.object({
  Timestamp: z.string(),
  Average: z.number().optional(),
  Sum: z.number().optional(),
  Maximum: z.number().optional(),
  Minimum: z.number().optional(),
  SampleCount: z.number().optional(),
  Unit: z.string().optional(),
});
const GetMetricStatisticsOutputSchema = z.object({ Label: z.string().optional(), Datapoints: z.array(DatapointSchema) });

/** Options of {@link parseCloudWatchJson}. */
export interface CloudWatchJsonOptions extends MetricReadOptions {
  /** `get-metric-statistics`: the statistic to read. @default the first of {@link STATISTICS} present */
  readonly statistic?: Statistic;
}


/**
 * Parses either CLI output (told apart by `MetricDataResults` vs `Datapoints`).
 * @param base series id base: ids are `<base>:<Id>` (get-metric-data) or `<base>` (get-metric-statistics)
 * @throws InputError naming the file and JSON path on invalid JSON, a schema violation, mismatched
 *   `Timestamps`/`Values` lengths, a bad timestamp, a negative value (unless allowed), an empty
 *   result, a `StatusCode` of `InternalError` or `Forbidden`, a `NextToken` (pages missing), or a
 *   datapoint missing the statistic
 */
export function parseCloudWatchJson(text: string, file: string, base: string, opts: CloudWatchJsonOptions = {}): ReadSeries[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file }, (e as Error).message, 'valid JSON (the output of aws cloudwatch get-metric-data or get-metric-statistics)');
  }
  if (doc !== null && typeof doc === 'object' && 'Datapoints' in doc) return [parseStatistics(doc, file, base, opts)];
  const parsed = GetMetricDataOutputSchema.safeParse(doc);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, doc, file);
  if (parsed.data.NextToken !== undefined) {
    // The CLI follows NextToken itself unless told not to; a token left in the output means missing pages.
    throw new InputError({ file, field: 'NextToken' }, parsed.data.NextToken, 'a complete result: run the CLI without --max-items / --no-paginate so it fetches every page');
  }
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
    const points = r.Timestamps.map((ts, i) => point(ts, r.Values[i]!, file, `${at}.Timestamps[${i}]`, `${at}.Values[${i}]`, opts));
    return regularise(sortByTime(points), { id: `${base}:${r.Id}`, file, ...pickGrid(opts) });
  });
}

function parseStatistics(doc: unknown, file: string, base: string, opts: CloudWatchJsonOptions): ReadSeries {
  const parsed = GetMetricStatisticsOutputSchema.safeParse(doc);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, doc, file);
  const dps = parsed.data.Datapoints;
  if (dps.length === 0) throw new InputError({ file, field: 'Datapoints' }, [], 'at least one datapoint (empty series)');
  const stat = opts.statistic ?? STATISTICS.find((s) => dps[0]![s] !== undefined);
  if (stat === undefined) {
    throw new InputError({ file, field: 'Datapoints[0]' }, dps[0], `a statistic (${STATISTICS.join(', ')})`);
  }
  const points = dps.map((d, i) => {
    const value = d[stat];
    if (value === undefined) throw new InputError({ file, field: `Datapoints[${i}].${stat}` }, undefined, `a number (the ${stat} statistic)`);
    return point(d.Timestamp, value, file, `Datapoints[${i}].Timestamp`, `Datapoints[${i}].${stat}`, opts);
  });
  const unit = dps[0]!.Unit;
  return regularise(sortByTime(points), { id: base, file, ...pickGrid(opts), ...(unit !== undefined ? { unit } : {}) });
}

function point(ts: string, value: number, file: string, tField: string, vField: string, opts: MetricReadOptions): RawPoint {
  const tSec = parseTimestampSec(ts);
  if (tSec === undefined) throw new InputError({ file, field: tField }, ts, timestampExpectation(ts));
  if (value < 0 && !opts.allowNegative) throw new InputError({ file, field: vField }, value, negativeExpectation(opts));
  return { tSec, value };
}

function sortByTime(points: RawPoint[]): RawPoint[] {
  return points.sort((a, b) => a.tSec - b.tSec);
}
