/**
 * CloudWatch `GetMetricData` as a {@link MetricsSource}: many series per call (at most 500 metric
 * data queries per request, CloudWatch API reference "GetMetricData"), `NextToken` paging, metric
 * math expressions, period alignment and the `PartialData` / `Forbidden` / `InternalError` status codes.
 */
import { z } from 'zod';
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { InputError, inputErrorFromZod, type MetricSeries } from '../../core/model/index.js';
import type { Logger, MetricQuery, MetricsSource } from '../../ports/index.js';
import { silentLogger } from '../../ports/index.js';
import { readCall } from './errors.js';
import type { CloudWatchApi } from './sdk.js';

/** GetMetricData accepts at most 500 `MetricDataQueries` per request (CloudWatch quotas). */
export const MAX_QUERIES_PER_CALL = 500;

/** A CloudWatch metric with a statistic. */
export const MetricStatDefSchema = z.object({
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.record(z.string(), z.string()).default({}),
  /** Statistic or extended statistic: Average, Sum, Maximum, p90, ... */
  stat: z.string().min(1).default('Average'),
  unit: z.string().optional(),
});
/** A CloudWatch metric with a statistic. */
export type MetricStatDef = z.infer<typeof MetricStatDefSchema>;

const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

/**
 * How one prescale series id is read: a metric with a statistic, or a metric math expression over
 * metrics named by `metrics` (their keys are the ids the expression uses, e.g. `m1 + m2`).
 */
export const SeriesDefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('metric') }).extend(MetricStatDefSchema.shape),
  z.object({
    kind: z.literal('expression'),
    expression: z.string().min(1),
    metrics: z.record(z.string().regex(QUERY_ID, 'a CloudWatch query id: lower-case letter, then letters, digits or _'), MetricStatDefSchema).default({}),
    unit: z.string().optional(),
  }),
]);
/** How one series is read from CloudWatch. */
export type SeriesDef = z.infer<typeof SeriesDefSchema>;

/** Series definitions keyed by prescale series id (the file `prescale export-metrics --series` reads). */
export const SeriesDefsSchema = z.record(z.string().min(1), SeriesDefSchema);
/** Series definitions keyed by series id. */
export type SeriesDefs = z.infer<typeof SeriesDefsSchema>;

/**
 * Parses series definitions, rejecting ids that clash with the generated `ps_<n>` query ids.
 * @throws InputError naming the field when the definitions are malformed
 */
export function parseSeriesDefs(raw: unknown, file?: string): SeriesDefs {
  const parsed = SeriesDefsSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, raw, file);
  for (const [id, def] of Object.entries(parsed.data)) {
    if (def.kind !== 'expression') continue;
    for (const ref of Object.keys(def.metrics)) {
      if (ref.startsWith('ps_')) throw new InputError({ file, field: `${id}.metrics.${ref}` }, ref, 'a query id not starting with "ps_" (reserved)');
    }
  }
  return parsed.data;
}

/** Options of {@link CloudWatchMetricsSource}. */
export interface CloudWatchMetricsSourceOptions {
  readonly api: CloudWatchApi;
  readonly series: SeriesDefs;
  readonly logger?: Logger;
  /** Queries per request, at most 500. @default 500 */
  readonly maxQueriesPerCall?: number;
}

/** Aligns `[startSec, endSec)` outward to multiples of `periodSec` (CloudWatch aligns to the period too). */
export function alignWindow(startSec: number, endSec: number, periodSec: number): { startSec: number; endSec: number } {
  const s = Math.floor(startSec / periodSec) * periodSec;
  const e = Math.ceil(endSec / periodSec) * periodSec;
  return { startSec: s, endSec: Math.max(e, s + periodSec) };
}

/**
 * Valid CloudWatch periods: 1, 5, 10, 20, 30 (high resolution) or any multiple of 60 seconds
 * (CloudWatch "MetricStat.Period").
 */
export function isValidPeriod(periodSec: number): boolean {
  return Number.isInteger(periodSec) && ([1, 5, 10, 20, 30].includes(periodSec) || (periodSec >= 60 && periodSec % 60 === 0));
}

/** Reads many series with as few GetMetricData calls as the 500-query limit allows. */
export class CloudWatchMetricsSource implements MetricsSource {
  private readonly maxQueries: number;
  private readonly logger: Logger;

  constructor(private readonly opts: CloudWatchMetricsSourceOptions) {
    this.maxQueries = Math.min(opts.maxQueriesPerCall ?? MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL);
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * @throws InputError for an unknown series id or an invalid period
   * @throws Error when CloudWatch reports `Forbidden` or `InternalError` for a series
   * @throws AwsThrottledError / AwsUnauthorizedError (cloudwatch:GetMetricData)
   */
  async fetch(query: MetricQuery): Promise<MetricSeries[]> {
    if (!isValidPeriod(query.periodSec)) throw new InputError({ field: 'periodSec' }, query.periodSec, '1, 5, 10, 20, 30 or a multiple of 60 seconds');
    for (const id of query.seriesIds) {
      if (!(id in this.opts.series)) throw new InputError({ field: 'seriesIds' }, id, `one of the configured series (${Object.keys(this.opts.series).sort().join(', ')})`);
    }
    const win = alignWindow(query.startSec, query.endSec, query.periodSec);
    const n = Math.round((win.endSec - win.startSec) / query.periodSec);
    const values = new Map<string, number[]>(query.seriesIds.map((id) => [id, new Array<number>(n).fill(NaN)]));
    for (const batch of this.batches(query.seriesIds, query.periodSec)) {
      await this.readBatch(batch, win, query.periodSec, values);
    }
    return query.seriesIds.map((id) => {
      const def = this.opts.series[id];
      const unit = def.unit;
      return { id, startSec: win.startSec, periodSec: query.periodSec, values: values.get(id)!, ...(unit ? { unit } : {}) };
    });
  }

  /** Groups series into requests of at most `maxQueries` queries; an expression stays with its metrics. */
  private batches(ids: readonly string[], periodSec: number): Array<{ queries: MetricDataQuery[]; idOf: Map<string, string> }> {
    const out: Array<{ queries: MetricDataQuery[]; idOf: Map<string, string> }> = [];
    let cur = { queries: [] as MetricDataQuery[], idOf: new Map<string, string>() };
    let refsInBatch = new Set<string>();
    ids.forEach((seriesId, index) => {
      const qs = this.queriesFor(seriesId, `ps_${index}`, periodSec);
      if (qs.length > this.maxQueries) throw new InputError({ field: seriesId }, qs.length, `at most ${this.maxQueries} queries per series`);
      const refs = qs.slice(0, -1).map((q) => q.Id!);
      const clash = refs.some((r) => refsInBatch.has(r));
      if (cur.queries.length + qs.length > this.maxQueries || clash) {
        out.push(cur);
        cur = { queries: [], idOf: new Map() };
        refsInBatch = new Set();
      }
      for (const r of refs) refsInBatch.add(r);
      cur.queries.push(...qs);
      cur.idOf.set(`ps_${index}`, seriesId);
    });
    if (cur.queries.length > 0) out.push(cur);
    return out;
  }

  private queriesFor(seriesId: string, queryId: string, periodSec: number): MetricDataQuery[] {
    const def = this.opts.series[seriesId];
    if (def.kind === 'metric') return [{ Id: queryId, Label: seriesId, MetricStat: metricStat(def, periodSec), ReturnData: true }];
    const refs: MetricDataQuery[] = Object.entries(def.metrics).map(([id, m]) => ({ Id: id, MetricStat: metricStat(m, periodSec), ReturnData: false }));
    return [...refs, { Id: queryId, Label: seriesId, Expression: def.expression, Period: periodSec, ReturnData: true }];
  }

  private async readBatch(
    batch: { queries: MetricDataQuery[]; idOf: Map<string, string> },
    win: { startSec: number; endSec: number },
    periodSec: number,
    values: Map<string, number[]>,
  ): Promise<void> {
    let nextToken: string | undefined;
    do {
      const res = await readCall('cloudwatch:GetMetricData', () => this.opts.api.getMetricData({
        MetricDataQueries: batch.queries,
        StartTime: new Date(win.startSec * 1000),
        EndTime: new Date(win.endSec * 1000),
        ScanBy: 'TimestampAscending',
        NextToken: nextToken,
      }));
      for (const r of res.MetricDataResults ?? []) this.merge(r, batch.idOf, win.startSec, periodSec, values);
      nextToken = res.NextToken;
    } while (nextToken);
  }

  private merge(r: MetricDataResult, idOf: Map<string, string>, startSec: number, periodSec: number, values: Map<string, number[]>): void {
    const seriesId = idOf.get(r.Id ?? '');
    if (seriesId === undefined) return;
    if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
      const msg = (r.Messages ?? []).map((m) => `${m.Code}: ${m.Value}`).join('; ');
      throw new Error(`CloudWatch returned ${r.StatusCode} for series ${seriesId}${msg ? ` (${msg})` : ''}`);
    }
    if (r.StatusCode === 'PartialData') this.logger.debug('GetMetricData partial data; following NextToken', { seriesId });
    const out = values.get(seriesId)!;
    const ts = r.Timestamps ?? [];
    const vs = r.Values ?? [];
    for (let i = 0; i < ts.length && i < vs.length; i++) {
      const idx = Math.floor((ts[i].getTime() / 1000 - startSec) / periodSec);
      if (idx >= 0 && idx < out.length) out[idx] = vs[i];
    }
  }
}

function metricStat(m: MetricStatDef, periodSec: number): NonNullable<MetricDataQuery['MetricStat']> {
  return {
    Metric: {
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b)).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: periodSec,
    Stat: m.stat,
    ...(m.unit ? { Unit: m.unit as NonNullable<MetricDataQuery['MetricStat']>['Unit'] } : {}),
  };
}
