/**
 * Calibration of predicted probabilities (seed 000 §3 "monitor the accuracy of the prediction
 * engine"): a reliability curve and Brier score kept online from (probability, outcome) pairs, and an
 * online isotonic calibration map fitted to the same outcomes.
 *
 * - Reliability curve: predictions grouped into equal-width probability bins (deciles by default);
 *   per bin the mean predicted probability, the observed frequency of the event and their absolute
 *   difference (the per-bin term of the expected calibration error; Murphy & Winkler 1977,
 *   "Reliability of subjective probability forecasts", Applied Statistics 26(1)).
 * - Brier score: mean squared difference between the probability and the 0/1 outcome (Brier 1950,
 *   "Verification of forecasts expressed in terms of probability", Monthly Weather Review 78(1)),
 *   overall and per time bucket.
 * - Isotonic map: pool-adjacent-violators over fine bins of the raw probability (Zadrozny & Elkan
 *   2002, "Transforming classifier scores into accurate multiclass probability estimates", KDD), with
 *   a prior of `priorWeight` pseudo-outcomes at each bin's centre so that the map starts as the
 *   identity, and counts halved once they pass `maxCount` so that it follows drift.
 *
 * Pure and deterministic: state changes only through `observe`, in call order.
 */
import { InputError } from '../model/errors.js';

/** One bin of a reliability curve. */
export interface ReliabilityBin {
  /** Lower edge of the bin's predicted probability, inclusive (0..1). */
  readonly lo: number;
  /** Upper edge, exclusive (inclusive for the last bin). */
  readonly hi: number;
  /** Predictions in the bin. */
  readonly n: number;
  /** Mean predicted probability of the bin (0 when empty). */
  readonly meanPredicted: number;
  /** Share of the bin's predictions that came true (0 when empty). */
  readonly observed: number;
  /** |meanPredicted − observed| (0 when empty). */
  readonly absError: number;
}

/** Brier score of one time bucket. */
export interface BrierBucket {
  /** Bucket start, epoch seconds (a multiple of the bucket length). */
  readonly startSec: number;
  readonly n: number;
  /** Mean (p − outcome)², 0 (perfect) .. 1. */
  readonly brier: number;
}

/** Summary of a {@link ReliabilityTracker}. */
export interface ReliabilitySummary {
  /** (probability, outcome) pairs scored. */
  readonly n: number;
  /** Mean (p − outcome)² over all pairs (0 when none). */
  readonly brier: number;
  /** Share of pairs that came true. */
  readonly baseRate: number;
  readonly bins: readonly ReliabilityBin[];
  /** Largest absError over bins with at least `minBinCount` predictions (0 when none qualifies). */
  readonly maxBinError: number;
  /** Expected calibration error: Σ n_bin × absError ÷ n. */
  readonly ece: number;
  /** The `minBinCount` used for `maxBinError`. */
  readonly minBinCount: number;
  /** Brier score per time bucket, oldest first. */
  readonly overTime: readonly BrierBucket[];
}

/** JSON state of a {@link ReliabilityTracker}. */
export interface ReliabilityTrackerJSON {
  readonly bins: number;
  readonly bucketSec: number;
  readonly maxBuckets: number;
  readonly count: number[];
  readonly sumP: number[];
  readonly sumY: number[];
  readonly sq: number;
  readonly buckets: Array<[number, number, number]>;
}

function checkPositiveInt(field: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1)) throw new InputError({ field }, v, 'a whole number ≥ 1');
}

function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new InputError({ field: 'probability' }, p, 'a probability between 0 and 1');
}

/** Index of `p` among `bins` equal-width bins of 0..1 (1 goes in the last bin). */
export function binOf(p: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
}

/**
 * Reliability curve and Brier score of probabilistic predictions, kept online.
 * @param bins bins of the curve (default 10: deciles)
 * @param bucketSec length of the Brier-over-time buckets, seconds (default 3600)
 * @param maxBuckets buckets kept, newest (default 720: 30 days of hours)
 * @throws InputError for a non-integer or non-positive setting
 */
export class ReliabilityTracker {
  private readonly count: number[];
  private readonly sumP: number[];
  private readonly sumY: number[];
  private sq = 0;
  private readonly buckets = new Map<number, [number, number]>();

  constructor(readonly bins = 10, readonly bucketSec = 3600, readonly maxBuckets = 720) {
    checkPositiveInt('bins', bins);
    checkPositiveInt('bucketSec', bucketSec);
    checkPositiveInt('maxBuckets', maxBuckets);
    this.count = new Array<number>(bins).fill(0);
    this.sumP = new Array<number>(bins).fill(0);
    this.sumY = new Array<number>(bins).fill(0);
  }

  /**
   * Scores one prediction.
   * @param p predicted probability 0..1
   * @param cameTrue whether the predicted event happened
   * @param atSec when the outcome was known, epoch seconds (its Brier bucket)
   * @throws InputError when `p` is not a probability
   */
  observe(p: number, cameTrue: boolean, atSec: number): void {
    checkProbability(p);
    const y = cameTrue ? 1 : 0;
    const b = binOf(p, this.bins);
    this.count[b]++;
    this.sumP[b] += p;
    this.sumY[b] += y;
    const e = (p - y) ** 2;
    this.sq += e;
    const start = Math.floor(atSec / this.bucketSec) * this.bucketSec;
    const k = this.buckets.get(start);
    if (k) { k[0]++; k[1] += e; } else {
      this.buckets.set(start, [1, e]);
      if (this.buckets.size > this.maxBuckets) this.buckets.delete(Math.min(...this.buckets.keys()));
    }
  }

  /** Pairs scored so far. */
  get n(): number {
    return this.count.reduce((a, b) => a + b, 0);
  }

  /**
   * The curve, Brier score and calibration errors.
   * @param minBinCount bins with fewer predictions do not count toward `maxBinError` (default 30)
   */
  summary(minBinCount = 30): ReliabilitySummary {
    const n = this.n;
    const bins: ReliabilityBin[] = this.count.map((c, i) => {
      const meanPredicted = c > 0 ? this.sumP[i] / c : 0;
      const observed = c > 0 ? this.sumY[i] / c : 0;
      return { lo: i / this.bins, hi: (i + 1) / this.bins, n: c, meanPredicted, observed, absError: Math.abs(meanPredicted - observed) };
    });
    let maxBinError = 0;
    let ece = 0;
    for (const b of bins) {
      if (b.n >= minBinCount) maxBinError = Math.max(maxBinError, b.absError);
      ece += b.n * b.absError;
    }
    const overTime = [...this.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([startSec, [c, s]]) => ({ startSec, n: c, brier: s / c }));
    return {
      n, brier: n > 0 ? this.sq / n : 0, baseRate: n > 0 ? this.sumY.reduce((a, b) => a + b, 0) / n : 0,
      bins, maxBinError, ece: n > 0 ? ece / n : 0, minBinCount, overTime,
    };
  }

  toJSON(): ReliabilityTrackerJSON {
    return {
      bins: this.bins, bucketSec: this.bucketSec, maxBuckets: this.maxBuckets, count: [...this.count], sumP: [...this.sumP], sumY: [...this.sumY], sq: this.sq,
      buckets: [...this.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([s, [c, e]]) => [s, c, e]),
    };
  }

  /** @throws InputError when `json` is not a saved tracker */
  static fromJSON(json: unknown): ReliabilityTracker {
    const j = json as Partial<ReliabilityTrackerJSON> | null;
    if (!j || typeof j.bins !== 'number' || !Array.isArray(j.count) || j.count.length !== j.bins || !Array.isArray(j.sumP) || !Array.isArray(j.sumY) || !Array.isArray(j.buckets)) {
      throw new InputError({ field: 'reliability' }, json, 'a saved reliability tracker');
    }
    const t = new ReliabilityTracker(j.bins, j.bucketSec, j.maxBuckets);
    j.count.forEach((c, i) => { t.count[i] = c; t.sumP[i] = j.sumP![i]; t.sumY[i] = j.sumY![i]; });
    t.sq = j.sq ?? 0;
    for (const [s, c, e] of j.buckets) t.buckets.set(s, [c, e]);
    return t;
  }
}

/** Options of {@link IsotonicCalibrator}. */
export interface IsotonicOptions {
  /** Fine bins of the raw probability the map is fitted on. @default 20 */
  readonly bins?: number;
  /** Pseudo-outcomes at each bin's centre (the map starts as the identity). @default 5 */
  readonly priorWeight?: number;
  /** Counts are halved when their total passes this (adapts to drift). @default 20000 */
  readonly maxCount?: number;
}

/** JSON state of an {@link IsotonicCalibrator}. */
export interface IsotonicCalibratorJSON {
  readonly bins: number;
  readonly priorWeight: number;
  readonly maxCount: number;
  readonly n: number[];
  readonly y: number[];
}

/**
 * Online isotonic calibration map of raw probabilities: monotone non-decreasing, fitted by
 * pool-adjacent-violators on fine bins, linear between bin centres. See the module comment.
 * @throws InputError for a setting out of range
 */
export class IsotonicCalibrator {
  readonly bins: number;
  readonly priorWeight: number;
  readonly maxCount: number;
  private readonly n: number[];
  private readonly y: number[];
  private fitted: number[] | undefined;

  constructor(opts: IsotonicOptions = {}) {
    this.bins = opts.bins ?? 20;
    this.priorWeight = opts.priorWeight ?? 5;
    this.maxCount = opts.maxCount ?? 20_000;
    checkPositiveInt('bins', this.bins);
    if (!(this.priorWeight > 0)) throw new InputError({ field: 'priorWeight' }, this.priorWeight, 'a number > 0');
    if (!(this.maxCount >= 100)) throw new InputError({ field: 'maxCount' }, this.maxCount, 'a number ≥ 100');
    this.n = new Array<number>(this.bins).fill(0);
    this.y = new Array<number>(this.bins).fill(0);
  }

  /** Outcomes seen (after halvings). */
  get count(): number {
    return this.n.reduce((a, b) => a + b, 0);
  }

  /**
   * Learns from one outcome of a raw probability.
   * @throws InputError when `raw` is not a probability
   */
  observe(raw: number, cameTrue: boolean): void {
    checkProbability(raw);
    const b = binOf(raw, this.bins);
    this.n[b]++;
    if (cameTrue) this.y[b]++;
    if (this.count > this.maxCount) for (let i = 0; i < this.bins; i++) { this.n[i] /= 2; this.y[i] /= 2; }
    this.fitted = undefined;
  }

  /** The calibrated probability of `raw` (0..1). */
  map(raw: number): number {
    const f = (this.fitted ??= this.fit());
    const x = Math.min(1, Math.max(0, raw)) * this.bins - 0.5;
    if (x <= 0) return f[0];
    if (x >= this.bins - 1) return f[this.bins - 1];
    const i = Math.floor(x);
    return f[i] + (f[i + 1] - f[i]) * (x - i);
  }

  /** Calibrated value at each bin centre (pool-adjacent-violators, weights = counts + prior). */
  private fit(): number[] {
    const blocks: Array<{ w: number; v: number; len: number }> = [];
    for (let i = 0; i < this.bins; i++) {
      const centre = (i + 0.5) / this.bins;
      const w = this.n[i] + this.priorWeight;
      blocks.push({ w, v: (this.y[i] + this.priorWeight * centre) / w, len: 1 });
      while (blocks.length > 1 && blocks[blocks.length - 2].v > blocks[blocks.length - 1].v) {
        const b = blocks.pop()!;
        const a = blocks.pop()!;
        blocks.push({ w: a.w + b.w, v: (a.v * a.w + b.v * b.w) / (a.w + b.w), len: a.len + b.len });
      }
    }
    return blocks.flatMap((b) => new Array<number>(b.len).fill(b.v));
  }

  toJSON(): IsotonicCalibratorJSON {
    return { bins: this.bins, priorWeight: this.priorWeight, maxCount: this.maxCount, n: [...this.n], y: [...this.y] };
  }

  /** @throws InputError when `json` is not a saved calibrator */
  static fromJSON(json: unknown): IsotonicCalibrator {
    const j = json as Partial<IsotonicCalibratorJSON> | null;
    if (!j || typeof j.bins !== 'number' || !Array.isArray(j.n) || !Array.isArray(j.y) || j.n.length !== j.bins || j.y.length !== j.bins) {
      throw new InputError({ field: 'calibrator' }, json, 'a saved isotonic calibrator');
    }
    const c = new IsotonicCalibrator({ bins: j.bins, ...(j.priorWeight !== undefined ? { priorWeight: j.priorWeight } : {}), ...(j.maxCount !== undefined ? { maxCount: j.maxCount } : {}) });
    j.n.forEach((v, i) => { c.n[i] = v; c.y[i] = j.y![i]; });
    return c;
  }
}
