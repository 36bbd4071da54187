/**
 * The tick's metric read plan (pure; app/tick/forecast.ts runs it): every stage that reads metric
 * series (the forecast stage's refit histories and incremental update windows, the latest stage's
 * last slots) states what it needs as {@link SeriesNeed}s; {@link planReads} merges the needs of one
 * series at one period into one window and groups series with the same window into one query; the
 * tick fetches each query once and every stage takes its slice from the one {@link TickReadCache}.
 *
 * The whole plan is fetched in one call per tick (app/tick/forecast.ts: `MetricsSource.fetchMany`;
 * CloudWatch puts every series at every period into one GetMetricData request, each
 * `MetricDataQuery` with its own period), so a series is fetched once per tick even when it is needed
 * at two periods (the defaults forecast at 300 s and plan on 60 s slots). Needs at different periods
 * stay separate queries inside that one fetch, not derived from one another: a coarser series cannot
 * be derived exactly from a finer one in general (CloudWatch's Average needs the sample counts,
 * Maximum or p99 of sub-periods do not give p99 of the period, and the simulator interpolates series
 * coarser than the request), so deriving one would change what the stages see and the backtests'
 * outputs. Needs at one period whose windows are on different grids (start times not a whole number
 * of periods apart) also stay separate: a slice of one is not what a read of the other returns.
 */
import type { MetricSeries } from '../model/index.js';

/** What a stage needs: one series over `[startSec, endSec)` at `periodSec`. */
export interface SeriesNeed {
  readonly seriesId: string;
  readonly startSec: number;
  readonly endSec: number;
  readonly periodSec: number;
}

/** One read of the plan (the MetricsSource port's query shape). */
export interface ReadQuery {
  readonly seriesIds: readonly string[];
  readonly startSec: number;
  readonly endSec: number;
  readonly periodSec: number;
}

/** One need per series of `seriesIds`, all over the same window at `periodSec` (a stage's usual ask). */
export function needsOf(seriesIds: readonly string[], startSec: number, endSec: number, periodSec: number): SeriesNeed[] {
  return seriesIds.map((seriesId) => ({ seriesId, startSec, endSec, periodSec }));
}

/**
 * The tick's reads: per series and period, one window covering every need on the same grid;
 * series with the same window in one query (ids sorted). Queries in (period, start, end) order.
 */
export function planReads(needs: readonly SeriesNeed[]): ReadQuery[] {
  const windows = new Map<string, SeriesNeed[]>(); // `${seriesId}\n${periodSec}` → merged windows
  for (const n of needs) {
    if (!(n.endSec > n.startSec)) continue;
    const key = `${n.seriesId}\n${n.periodSec}`;
    const list = windows.get(key) ?? [];
    const i = list.findIndex((w) => (n.startSec - w.startSec) % n.periodSec === 0);
    if (i < 0) list.push(n);
    else list[i] = { ...n, startSec: Math.min(n.startSec, list[i].startSec), endSec: Math.max(n.endSec, list[i].endSec) };
    windows.set(key, list);
  }
  const queries = new Map<string, { seriesIds: string[]; startSec: number; endSec: number; periodSec: number }>();
  for (const list of windows.values()) {
    for (const w of list) {
      const key = `${w.periodSec}\n${w.startSec}\n${w.endSec}`;
      const q = queries.get(key) ?? { seriesIds: [], startSec: w.startSec, endSec: w.endSec, periodSec: w.periodSec };
      q.seriesIds.push(w.seriesId);
      queries.set(key, q);
    }
  }
  return [...queries.values()]
    .map((q) => ({ ...q, seriesIds: [...q.seriesIds].sort() }))
    .sort((a, b) => a.periodSec - b.periodSec || a.startSec - b.startSec || a.endSec - b.endSec);
}

/** The series the tick read, from which every stage takes its window. */
export class TickReadCache {
  private readonly reads: Array<{ readonly query: ReadQuery; readonly byId: ReadonlyMap<string, MetricSeries> }> = [];

  /** @param read each planned query with the series the source returned for it */
  constructor(read: ReadonlyArray<readonly [ReadQuery, readonly MetricSeries[]]>) {
    for (const [query, series] of read) this.reads.push({ query, byId: new Map(series.map((x) => [x.id, x])) });
  }

  /**
   * `seriesIds` over `[startSec, endSec)` at `periodSec` (in the order asked): the series as the source
   * returned it when its query was exactly this window, else sliced from the query that covered it
   * (same grid): `floor((endSec − startSec) / periodSec)` values from `startSec`, NaN where it had none.
   * @throws Error when the plan read no such window (a stage asked for what it did not state)
   */
  take(seriesIds: readonly string[], startSec: number, endSec: number, periodSec: number): MetricSeries[] {
    return seriesIds.map((id) => {
      const r = this.reads.find(({ query: q, byId }) => byId.has(id) && q.periodSec === periodSec && q.startSec <= startSec && q.endSec >= endSec && (startSec - q.startSec) % periodSec === 0);
      if (!r) throw new Error(`series ${id} at ${periodSec} s over [${startSec}, ${endSec}) was not in the tick's read plan`);
      const s = r.byId.get(id)!;
      if (r.query.startSec === startSec && r.query.endSec === endSec) return s;
      const from = Math.round((startSec - s.startSec) / periodSec);
      const n = Math.max(0, Math.floor((endSec - startSec) / periodSec));
      const values = Array.from({ length: n }, (_, k) => s.values[from + k] ?? Number.NaN);
      return { ...s, startSec: s.startSec + from * periodSec, values };
    });
  }
}
