/**
 * Turning timeline rows into chart-sized series: rows grouped by policy and pool, averaged or
 * summed over time buckets so a week of one-minute ticks becomes a few hundred points. Pure.
 */

/** Bucket widths tried, seconds (one minute to one day). */
const BUCKETS_SEC = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * The smallest bucket width (from 1 min, 5 min, 10 min, 15 min, 30 min, 1 h ... 1 day) that is at
 * least `tickSec` and gives at most `maxPoints` buckets over `durationSec`.
 */
export function chooseBucketSec(durationSec: number, tickSec: number, maxPoints = 400): number {
  for (const b of BUCKETS_SEC) if (b >= tickSec && durationSec / b <= maxPoints) return b;
  return Math.max(tickSec, Math.ceil(durationSec / maxPoints / 86_400) * 86_400);
}

/** Human words for a bucket width ("1-minute", "30-minute", "1-hour", "1-day"). */
export function bucketWords(bucketSec: number): string {
  if (bucketSec % 86_400 === 0) return `${bucketSec / 86_400}-day`;
  if (bucketSec % 3600 === 0) return `${bucketSec / 3600}-hour`;
  if (bucketSec % 60 === 0) return `${bucketSec / 60}-minute`;
  return `${bucketSec}-second`;
}

/** A point of a time series for echarts: [epoch milliseconds, value]. */
export type TimePoint = [number, number];

/**
 * Aggregates `(timestamp, value)` samples into buckets of `bucketSec` aligned on `originSec`:
 * `mean` averages the samples of a bucket, `sum` adds them. Buckets without samples are left out.
 * @returns points at each bucket's start, in epoch milliseconds, in time order
 */
export function bucketize(
  samples: Iterable<{ readonly t: number; readonly v: number }>, originSec: number, bucketSec: number, how: 'mean' | 'sum',
): TimePoint[] {
  const acc = new Map<number, { s: number; n: number }>();
  for (const { t, v } of samples) {
    const b = originSec + Math.floor((t - originSec) / bucketSec) * bucketSec;
    const a = acc.get(b);
    if (a) { a.s += v; a.n += 1; } else acc.set(b, { s: v, n: 1 });
  }
  return [...acc.entries()].sort((x, y) => x[0] - y[0]).map(([b, a]) => [b * 1000, how === 'mean' ? a.s / a.n : a.s]);
}

/** Rows grouped by a key, each group keeping the input order; groups in first-seen order. */
export function groupBy<T>(rows: Iterable<T>, key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = out.get(k);
    if (g) g.push(r); else out.set(k, [r]);
  }
  return out;
}

/** Rounds chart values to 4 significant decimals so the SVG stays small and deterministic. */
export function tidy(points: readonly TimePoint[], digits = 4): TimePoint[] {
  const f = 10 ** digits;
  return points.map(([t, v]) => [t, Math.round(v * f) / f]);
}
