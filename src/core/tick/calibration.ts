/**
 * Online recalibration of demand quantiles from the tick's own forecast errors (normalised split
 * conformal prediction: Papadopoulos et al. 2002; Angelopoulos & Bates 2021, "A gentle introduction
 * to conformal prediction", §2.3 on normalised scores).
 *
 * Each tick, for every metric demand series, the latest per-slot observation is compared with the
 * median the current forecast gave for that time; the error is normalised by the forecast's own
 * spread there (q0.9 − q0.5) so that the score is comparable across hours with different levels and
 * noise. Once enough scores are in, the demand quantile at level q is read as median + spread ×
 * (empirical q-quantile of the scores) instead of the model's interval. That corrects intervals that
 * are too wide (spiky series whose conformal calibration saw rare huge spikes: the planner then held
 * capacity for them all the time) and too narrow alike, and measures errors at the resolution the
 * planner serves (one slot, not the forecast's 5-minute mean).
 */
import type { Forecast } from '../model/index.js';
import { forecastAt } from '../model/forecast.js';

/** Scores kept per series (two days of one-minute slots). */
export const CALIBRATION_WINDOW = 2880;
/** Scores needed before the recalibrated quantiles replace the model's (two hours of one-minute slots). */
export const CALIBRATION_MIN_SCORES = 120;
/** Reference level of the normalising spread. */
const SPREAD_LEVEL = 0.9;

/** Per-series normalised error scores and the quantiles they give. */
export class QuantileCalibrator {
  private readonly scores = new Map<string, SortedWindow>();

  /** The scores as data: series id → window (see {@link SortedWindow.toJSON}). */
  toJSON(): Map<string, SortedWindowJSON> {
    return new Map([...this.scores].map(([k, w]) => [k, w.toJSON()]));
  }

  /** Rebuilds a calibrator saved by {@link toJSON}. */
  static fromJSON(json: ReadonlyMap<string, SortedWindowJSON>): QuantileCalibrator {
    const c = new QuantileCalibrator();
    for (const [k, w] of json) c.scores.set(k, SortedWindow.fromJSON(w));
    return c;
  }

  /** Records the error of `f`'s median at `tSec` against the observed `value`. */
  observe(seriesId: string, f: Forecast | undefined, tSec: number, value: number): void {
    if (!f || !Number.isFinite(value)) return;
    const med = forecastAt(f, 0.5, tSec);
    const s = normaliser(f, tSec, med);
    let w = this.scores.get(seriesId);
    if (!w) this.scores.set(seriesId, (w = new SortedWindow(CALIBRATION_WINDOW)));
    w.push((value - med) / s);
  }

  /** Number of scores held for a series. */
  count(seriesId: string): number {
    return this.scores.get(seriesId)?.length ?? 0;
  }

  /**
   * Quantile `level` of series `seriesId` at `tSec` from forecast `f`: recalibrated when at least
   * {@link CALIBRATION_MIN_SCORES} scores are held, else the forecast's own quantile. Never below 0.
   */
  quantile(seriesId: string, f: Forecast | undefined, level: number, tSec: number): number {
    if (!f) return 0;
    if (this.count(seriesId) < CALIBRATION_MIN_SCORES) return forecastAt(f, level, tSec);
    const sorted = this.scores.get(seriesId)!.sorted;
    const med = forecastAt(f, 0.5, tSec);
    return Math.max(0, med + normaliser(f, tSec, med) * empiricalQuantile(sorted, level));
  }
}

function normaliser(f: Forecast, tSec: number, med: number): number {
  return Math.max(forecastAt(f, SPREAD_LEVEL, tSec) - med, 1e-3 * Math.abs(med), 1e-9);
}

/** {@link SortedWindow} as data: capacity, scores in arrival order and as kept sorted. */
export interface SortedWindowJSON {
  readonly capacity: number;
  readonly arrival: readonly number[];
  /** Kept, not re-sorted on restore: a NaN score's place depends on the scores it arrived among. */
  readonly sorted: readonly number[];
}

/**
 * A sliding window of the last `capacity` scores, kept sorted as they arrive (binary insertion and
 * removal: O(log n) search plus an O(n) array move, instead of sorting the window on every read).
 */
export class SortedWindow {
  private readonly arrival: number[] = [];
  /** The scores held, ascending. */
  readonly sorted: number[] = [];

  constructor(private readonly capacity: number) {}

  /** Number of scores held. */
  get length(): number { return this.arrival.length; }

  /** The window as data (copies). */
  toJSON(): SortedWindowJSON {
    return { capacity: this.capacity, arrival: [...this.arrival], sorted: [...this.sorted] };
  }

  /** Rebuilds a window saved by {@link toJSON}. */
  static fromJSON(json: SortedWindowJSON): SortedWindow {
    const w = new SortedWindow(json.capacity);
    w.arrival.push(...json.arrival);
    w.sorted.push(...json.sorted);
    return w;
  }

  /** Adds a score, dropping the oldest when full. */
  push(x: number): void {
    this.arrival.push(x);
    this.sorted.splice(lowerBound(this.sorted, x), 0, x);
    if (this.arrival.length > this.capacity) {
      const old = this.arrival.shift()!;
      this.sorted.splice(lowerBound(this.sorted, old), 1);
    }
  }
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The conformal quantile of sorted scores: the ⌈(n + 1)·level⌉-th smallest (clamped to the range),
 * which covers a new score with probability ≥ level under exchangeability.
 */
export function empiricalQuantile(sorted: readonly number[], level: number): number {
  const n = sorted.length;
  const k = Math.min(n, Math.max(1, Math.ceil((n + 1) * level)));
  return sorted[k - 1];
}
