/**
 * Counts of next steps per context with exponential decay of old evidence: an observation made
 * `Δt` seconds ago weighs `2^(−Δt / halfLifeSec)`. Each row keeps one timestamp and is rescaled lazily
 * when touched, so decay costs nothing per read beyond one power.
 */

/** One context's counts of next steps, as of `atSec`. */
export interface CountRow {
  /** Epoch seconds the counts were last rescaled to. */
  atSec: number;
  /** Next task type → decayed count. Insertion-ordered. */
  readonly counts: Map<string, number>;
}

/** Counts below this are dropped when a row is rescaled (bounds memory under decay). */
const DROP_BELOW = 1e-4;

/** Decay factor for `dtSec` with `halfLifeSec` (`Infinity` = no decay). */
export function decayFactor(dtSec: number, halfLifeSec: number): number {
  if (!Number.isFinite(halfLifeSec) || dtSec <= 0) return 1;
  return Math.pow(2, -dtSec / halfLifeSec);
}

/** Decayed counts keyed by context string. */
export class DecayedCounts {
  readonly rows = new Map<string, CountRow>();

  /** @param halfLifeSec half-life of evidence in seconds (`Infinity`: counts never decay) */
  constructor(readonly halfLifeSec: number) {}

  /** Adds `weight` to `next` in `context` at time `atSec` (times must not go backwards per row). */
  add(context: string, next: string, atSec: number, weight = 1): void {
    let row = this.rows.get(context);
    if (!row) {
      row = { atSec, counts: new Map() };
      this.rows.set(context, row);
    }
    const f = decayFactor(atSec - row.atSec, this.halfLifeSec);
    if (f !== 1) {
      for (const [k, v] of row.counts) {
        const nv = v * f;
        if (nv < DROP_BELOW) row.counts.delete(k);
        else row.counts.set(k, nv);
      }
    }
    row.atSec = Math.max(row.atSec, atSec);
    row.counts.set(next, (row.counts.get(next) ?? 0) + weight);
  }

  /**
   * The row of `context` decayed to `nowSec`: counts, their total and the number of distinct next
   * steps; undefined when the context was never seen.
   */
  read(context: string, nowSec: number): { counts: Map<string, number>; total: number; distinct: number } | undefined {
    const row = this.rows.get(context);
    if (!row || row.counts.size === 0) return undefined;
    const f = decayFactor(nowSec - row.atSec, this.halfLifeSec);
    const counts = new Map<string, number>();
    let total = 0;
    for (const [k, v] of row.counts) {
      counts.set(k, v * f);
      total += v * f;
    }
    return { counts, total, distinct: row.counts.size };
  }

  /** Plain-data form for JSON. */
  toJSON(): Array<[string, number, Array<[string, number]>]> {
    return [...this.rows.entries()].map(([k, r]) => [k, r.atSec, [...r.counts.entries()]]);
  }

  /** Restores {@link DecayedCounts.toJSON} output. */
  static fromJSON(halfLifeSec: number, rows: ReadonlyArray<readonly [string, number, ReadonlyArray<readonly [string, number]>]>): DecayedCounts {
    const d = new DecayedCounts(halfLifeSec);
    for (const [k, at, counts] of rows) d.rows.set(k, { atSec: at, counts: new Map(counts) });
    return d;
  }
}
