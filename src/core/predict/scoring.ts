/**
 * Scoring of next-step predictions when the truth arrives: top-1 and top-3 hit rates and the
 * multi-class Brier score, Σ_i (p_i − o_i)² over all classes (Brier 1950, "Verification of forecasts
 * expressed in terms of probability", Monthly Weather Review 78(1)); 0 is perfect, 2 the worst.
 */

/** Accumulated accuracy of one workflow's predictions. */
export interface AccuracyStats {
  /** Predictions scored. */
  readonly predictions: number;
  /** Share whose most likely step was the one that started, 0..1. */
  readonly top1: number;
  /** Share where the step that started was among the three most likely, 0..1. */
  readonly top3: number;
  /** Mean multi-class Brier score, 0..2 (lower is better). */
  readonly brier: number;
}

/** Rank (0-based) of `truth` in `dist` sorted by probability desc, ties by name; Infinity if absent. */
export function rankOf(dist: ReadonlyMap<string, number>, truth: string): number {
  const p = dist.get(truth);
  if (p === undefined || p <= 0) return Number.POSITIVE_INFINITY;
  let rank = 0;
  for (const [k, v] of dist) if (v > p || (v === p && k < truth)) rank++;
  return rank;
}

/** Multi-class Brier score of `dist` (probabilities, summing to at most 1) when `truth` happened. */
export function brierScore(dist: ReadonlyMap<string, number>, truth: string): number {
  let s = 0;
  for (const [k, p] of dist) if (k !== truth) s += p * p;
  const pt = dist.get(truth) ?? 0;
  return s + (1 - pt) * (1 - pt);
}

/** Running accuracy per workflow (insertion-ordered; report in sorted order with {@link AccuracyTracker.summary}). */
export class AccuracyTracker {
  private readonly sums = new Map<string, { n: number; top1: number; top3: number; brier: number }>();

  /** Scores one prediction `dist` for `workflow` against `truth`. */
  score(workflow: string, dist: ReadonlyMap<string, number>, truth: string): void {
    let s = this.sums.get(workflow);
    if (!s) {
      s = { n: 0, top1: 0, top3: 0, brier: 0 };
      this.sums.set(workflow, s);
    }
    const r = rankOf(dist, truth);
    s.n++;
    if (r < 1) s.top1++;
    if (r < 3) s.top3++;
    s.brier += brierScore(dist, truth);
  }

  /** Accuracy per workflow in workflow-name order, plus `*` for all workflows together. */
  summary(): Record<string, AccuracyStats> {
    const out: Record<string, AccuracyStats> = {};
    const all = { n: 0, top1: 0, top3: 0, brier: 0 };
    for (const w of [...this.sums.keys()].sort()) {
      const s = this.sums.get(w)!;
      out[w] = { predictions: s.n, top1: s.top1 / s.n, top3: s.top3 / s.n, brier: s.brier / s.n };
      all.n += s.n;
      all.top1 += s.top1;
      all.top3 += s.top3;
      all.brier += s.brier;
    }
    if (all.n > 0) out['*'] = { predictions: all.n, top1: all.top1 / all.n, top3: all.top3 / all.n, brier: all.brier / all.n };
    return out;
  }

  /** Plain-data form for JSON. */
  toJSON(): Array<[string, { n: number; top1: number; top3: number; brier: number }]> {
    return [...this.sums.entries()].map(([k, v]) => [k, { ...v }]);
  }

  /** Restores {@link AccuracyTracker.toJSON} output. */
  static fromJSON(rows: ReadonlyArray<readonly [string, { n: number; top1: number; top3: number; brier: number }]>): AccuracyTracker {
    const t = new AccuracyTracker();
    for (const [k, v] of rows) t.sums.set(k, { ...v });
    return t;
  }
}
