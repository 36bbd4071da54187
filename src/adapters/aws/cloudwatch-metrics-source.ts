/**
 * CloudWatch `GetMetricData` as a {@link MetricsSource}: many series per call (at most 500 metric
 * data queries per request, CloudWatch API reference "GetMetricData"), several windows and periods in
 * one request (`fetchMany`, the tick's whole read plan), `NextToken` paging, metric math expressions,
 * period alignment and the `PartialData` / `Forbidden` / `InternalError` status codes.
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
  /** Now, epoch seconds (which periods CloudWatch serves depends on a request's age). @default the system clock */
  readonly nowSec?: () => number;
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

/**
 * Whether CloudWatch returns data at `periodSec` for a request starting `ageSec` before now: periods
 * under 60 s only within 3 hours, then multiples of 60 s up to 15 days, of 300 s up to 63 days, of
 * 3600 s beyond (CloudWatch API reference, "MetricStat.Period": otherwise "no data points in that time
 * range is returned").
 */
export function periodServedAt(periodSec: number, ageSec: number): boolean {
  if (ageSec > 63 * 86_400) return periodSec % 3600 === 0;
  if (ageSec > 15 * 86_400) return periodSec % 300 === 0;
  if (ageSec > 3 * 3600) return periodSec % 60 === 0;
  return true;
}

/** Where one returned series goes: its values over its own query's aligned window. */
interface Target {
  readonly seriesId: string;
  readonly periodSec: number;
  readonly startSec: number;
  readonly values: number[];
}

/** One GetMetricData request's queries and the target of each returned query id. */
interface Batch {
  readonly queries: MetricDataQuery[];
  readonly idOf: Map<string, Target>;
}

/**
 * Reads many series with as few GetMetricData calls as CloudWatch allows: {@link fetchMany} puts every
 * series of every query of a tick (each with its own period) into one request over the union of their
 * windows, and trims each answer to its query's window.
 */
export class CloudWatchMetricsSource implements MetricsSource {
  private readonly maxQueries: number;
  private readonly logger: Logger;
  private readonly nowSec: () => number;

  constructor(private readonly opts: CloudWatchMetricsSourceOptions) {
    this.maxQueries = Math.min(opts.maxQueriesPerCall ?? MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL);
    this.logger = opts.logger ?? silentLogger;
    this.nowSec = opts.nowSec ?? (() => Date.now() / 1000);
  }

  /**
   * @throws InputError for an unknown series id or an invalid period
   * @throws Error when CloudWatch reports `Forbidden` or `InternalError` for a series
   * @throws AwsThrottledError / AwsUnauthorizedError (cloudwatch:GetMetricData)
   */
  async fetch(query: MetricQuery): Promise<MetricSeries[]> {
    return (await this.fetchMany([query]))[0];
  }

  /**
   * Every query in as few requests as possible. `GetMetricData` has one `StartTime`/`EndTime` per
   * request but a `Period` per `MetricDataQuery` (at most 500 per request, 100,800 data points per
   * page, CloudWatch API reference "GetMetricData"), so queries share a request over the union of
   * their aligned windows; each series' answer is trimmed to its own query's window, so every query
   * gets exactly what {@link fetch} would return for it alone. The union costs data points, not money
   * (GetMetricData is billed per metric requested, CloudWatch pricing), e.g. a 60 s query of the last
   * 3 minutes sharing a request with a 7-day 300 s history returns 7 days at 60 s (12,096 points a
   * series, one page for up to 8 series). Separate requests remain only where CloudWatch requires them:
   * a query whose period is not served from the union's start ({@link periodServedAt}, e.g. 60 s beyond
   * 15 days) gets a request of its own; more than 500 queries, or two expression series naming the same
   * metric query id (a series read at two periods names its own ids twice), go to a further request.
   * @throws as {@link fetch}
   */
  async fetchMany(queries: readonly MetricQuery[]): Promise<MetricSeries[][]> {
    for (const q of queries) this.check(q);
    const wins = queries.map((q) => alignWindow(q.startSec, q.endSec, q.periodSec));
    const targets: Target[][] = queries.map((q, i) => q.seriesIds.map((seriesId) => ({
      seriesId, periodSec: q.periodSec, startSec: wins[i].startSec, values: new Array<number>(Math.round((wins[i].endSec - wins[i].startSec) / q.periodSec)).fill(NaN),
    })));
    for (const group of this.requestGroups(queries, wins)) {
      const win = { startSec: Math.min(...group.map((i) => wins[i].startSec)), endSec: Math.max(...group.map((i) => wins[i].endSec)) };
      for (const batch of this.batches(group.flatMap((i) => targets[i]))) await this.readBatch(batch, win);
    }
    return queries.map((q, i) => targets[i].map((t) => {
      const unit = this.opts.series[t.seriesId].unit;
      return { id: t.seriesId, startSec: t.startSec, periodSec: q.periodSec, values: t.values, ...(unit ? { unit } : {}) };
    }));
  }

  private check(query: MetricQuery): void {
    if (!isValidPeriod(query.periodSec)) throw new InputError({ field: 'periodSec' }, query.periodSec, '1, 5, 10, 20, 30 or a multiple of 60 seconds');
    for (const id of query.seriesIds) {
      if (!(id in this.opts.series)) throw new InputError({ field: 'seriesIds' }, id, `one of the configured series (${Object.keys(this.opts.series).sort().join(', ')})`);
    }
  }

  /** Query indices grouped so that every period of a group is served from the group's earliest start. */
  private requestGroups(queries: readonly MetricQuery[], wins: ReadonlyArray<{ startSec: number }>): number[][] {
    const now = this.nowSec();
    const groups: number[][] = [];
    // a query CloudWatch would not serve even alone loses nothing by sharing
    const servedFrom = (j: number, startSec: number): boolean => periodServedAt(queries[j].periodSec, now - startSec) || !periodServedAt(queries[j].periodSec, now - wins[j].startSec);
    queries.forEach((q, i) => {
      if (q.seriesIds.length === 0) return;
      const fits = (g: number[]): boolean => {
        const start = Math.min(wins[i].startSec, ...g.map((j) => wins[j].startSec));
        return [...g, i].every((j) => servedFrom(j, start));
      };
      const g = groups.find(fits);
      if (g) g.push(i);
      else groups.push([i]);
    });
    return groups;
  }

  /** Groups series into requests of at most `maxQueries` queries; an expression stays with its metrics. */
  private batches(targets: readonly Target[]): Batch[] {
    const out: Batch[] = [];
    let cur: Batch = { queries: [], idOf: new Map() };
    let refsInBatch = new Set<string>();
    targets.forEach((target, index) => {
      const qs = this.queriesFor(target.seriesId, `ps_${index}`, target.periodSec);
      if (qs.length > this.maxQueries) throw new InputError({ field: target.seriesId }, qs.length, `at most ${this.maxQueries} queries per series`);
      const refs = qs.slice(0, -1).map((q) => q.Id!);
      const clash = refs.some((r) => refsInBatch.has(r));
      if (cur.queries.length + qs.length > this.maxQueries || clash) {
        out.push(cur);
        cur = { queries: [], idOf: new Map() };
        refsInBatch = new Set();
      }
      for (const r of refs) refsInBatch.add(r);
      cur.queries.push(...qs);
      cur.idOf.set(`ps_${index}`, target);
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

  private async readBatch(batch: Batch, win: { startSec: number; endSec: number }): Promise<void> {
    let nextToken: string | undefined;
    do {
      const res = await readCall('cloudwatch:GetMetricData', () => this.opts.api.getMetricData({
        MetricDataQueries: batch.queries,
        StartTime: new Date(win.startSec * 1000),
        EndTime: new Date(win.endSec * 1000),
        ScanBy: 'TimestampAscending',
        NextToken: nextToken,
      }));
      for (const r of res.MetricDataResults ?? []) this.merge(r, batch.idOf);
      nextToken = res.NextToken;
    } while (nextToken);
  }

  private merge(r: MetricDataResult, idOf: Map<string, Target>): void {
    const target = idOf.get(r.Id ?? '');
    if (target === undefined) return;
    const { seriesId, startSec, periodSec, values: out } = target;
    if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
      const msg = (r.Messages ?? []).map((m) => `${m.Code}: ${m.Value}`).join('; ');
      throw new Error(`CloudWatch returned ${r.StatusCode} for series ${seriesId}${msg ? ` (${msg})` : ''}`);
    }
    if (r.StatusCode === 'PartialData') this.logger.debug('GetMetricData partial data; following NextToken', { seriesId });
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
