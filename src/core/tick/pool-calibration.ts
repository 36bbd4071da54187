/**
 * Horizon-specific conformal prediction of a pool's metric demand from its latest observation
 * (split conformal prediction per forecast step, as in Stankeviciute, Alaa & van der Schaar 2021,
 * "Conformal time-series forecasting"; ratio scores, i.e. a multiplicative error model).
 *
 * Every tick the demand builder records, for each future slot k, a base: the pool's latest observed
 * metric demand (units; the forecast median until one is observed). When the pool's demand at that
 * slot's time is observed, the score observed / base is kept for step k. The quantile at level q of
 * step k is then base × (conformal q-quantile of step k's scores).
 *
 * Why: the planner serves the next few minutes (one lead time plus a margin). Over that horizon the
 * latest observation is a better centre than a model refitted hourly, most of all for a pool fed by
 * many spiky series (17 NAB series on the traces, sMAPE ≈ 50% at one hour), and adding per-series
 * intervals as independent normals over-states the spread of their sum. Scoring the pool's sum at
 * each step measures exactly what the planner needs: how far the pool's demand moves k slots ahead.
 * Measured with `npm run bench:backtest` (see docs/benchmarks.md): less capacity and less unmet
 * demand than the per-series intervals on both scenarios.
 *
 * With `score: 'residual'` (an additive error model) the score is observed − base and the quantile
 * base + (conformal q-quantile of the residuals). The task pools use it: the base is the units of the
 * steps the tick already knows of for that slot (committed and predicted), so the residual is the
 * work of chains not yet submitted plus the schedule's error, and its quantile at the pool's service
 * level is the headroom that level asks for, conditioned on the load already known. A ratio cannot
 * serve there: task demand is intermittent (often no known step, a base of 0).
 */
import { empiricalQuantile, SortedWindow, type SortedWindowJSON } from './calibration.js';

/** Scores kept per pool and step (two days of one-minute slots). */
export const POOL_CALIBRATION_WINDOW = 2880;
/** Scores needed before a step's recalibrated quantile is used (two hours of one-minute slots). */
export const POOL_CALIBRATION_MIN_SCORES = 120;

/** A prediction waiting for its slot's observation. */
export interface Pending { readonly step: number; readonly base: number }

/** How a score compares an observation with its base: `ratio` observed / base, `residual` observed − base. */
export type CalibrationScore = 'ratio' | 'residual';

/** {@link PoolQuantileCalibrator} as data (see {@link PoolQuantileCalibrator.toJSON}). */
export interface PoolQuantileCalibratorJSON {
  readonly score: CalibrationScore;
  readonly pending: ReadonlyMap<string, ReadonlyMap<number, readonly Pending[]>>;
  readonly scores: ReadonlyMap<string, SortedWindowJSON>;
}

/**
 * See module doc. Its state is part of the tick's serialized memory (core/tick/memory-codec.ts);
 * when that is not restored it starts empty (recalibrated again within two hours).
 */
export class PoolQuantileCalibrator {
  /** poolId → slot start (epoch s) → predictions made for it. */
  private readonly pending = new Map<string, Map<number, Pending[]>>();
  /** `${poolId}#${step}` → the step's latest scores, kept sorted. */
  private readonly scores = new Map<string, SortedWindow>();

  /** @param score the error model (see module doc). @default 'ratio' */
  constructor(readonly score: CalibrationScore = 'ratio') {}

  /** The calibrator as data (copies; Maps kept, see core/tick/memory-codec.ts). */
  toJSON(): PoolQuantileCalibratorJSON {
    return {
      score: this.score,
      pending: new Map([...this.pending].map(([pool, byTime]) => [pool, new Map([...byTime].map(([t, list]) => [t, list.map((p) => ({ ...p }))]))])),
      scores: new Map([...this.scores].map(([k, w]) => [k, w.toJSON()])),
    };
  }

  /** Rebuilds a calibrator saved by {@link toJSON}. */
  static fromJSON(json: PoolQuantileCalibratorJSON): PoolQuantileCalibrator {
    const c = new PoolQuantileCalibrator(json.score);
    for (const [pool, byTime] of json.pending) c.pending.set(pool, new Map([...byTime].map(([t, list]) => [t, list.map((p) => ({ step: p.step, base: p.base }))])));
    for (const [k, w] of json.scores) c.scores.set(k, SortedWindow.fromJSON(w));
    return c;
  }

  /**
   * Records the prediction for one slot.
   * @param step slots ahead of the tick (0 = the current slot)
   * @param baseUnits the base the quantile will be read from (latest observed pool demand for
   *   ratio scores, which need it > 0; known step units for residual scores, ≥ 0), units
   */
  predicted(poolId: string, slotStartSec: number, step: number, baseUnits: number): void {
    if (!this.usable(baseUnits)) return;
    let byTime = this.pending.get(poolId);
    if (!byTime) this.pending.set(poolId, (byTime = new Map()));
    let list = byTime.get(slotStartSec);
    if (!list) byTime.set(slotStartSec, (list = []));
    list.push({ step, base: baseUnits });
  }

  /**
   * Scores the predictions made for `tSec` against the observed pool demand (units) and forgets
   * predictions for earlier times (never observed: gaps).
   */
  observe(poolId: string, tSec: number, units: number): void {
    const byTime = this.pending.get(poolId);
    if (!byTime || !Number.isFinite(units)) return;
    for (const [t, list] of byTime) {
      if (t > tSec) continue;
      if (t === tSec) {
        for (const p of list) {
          const key = `${poolId}#${p.step}`;
          let w = this.scores.get(key);
          if (!w) this.scores.set(key, (w = new SortedWindow(POOL_CALIBRATION_WINDOW)));
          w.push(this.score === 'ratio' ? units / p.base : units - p.base);
        }
      }
      byTime.delete(t);
    }
  }

  /** Scores held for a pool's step. */
  count(poolId: string, step: number): number {
    return this.scores.get(`${poolId}#${step}`)?.length ?? 0;
  }

  /**
   * The quantile `level` of the pool's demand `step` slots ahead from `baseUnits`, units (≥ 0), or
   * undefined while fewer than {@link POOL_CALIBRATION_MIN_SCORES} scores are held for that step
   * or the base is not usable (ratio: not positive; residual: negative or not finite).
   */
  quantile(poolId: string, step: number, level: number, baseUnits: number): number | undefined {
    if (!this.usable(baseUnits)) return undefined;
    const key = `${poolId}#${step}`;
    const w = this.scores.get(key);
    if (!w || w.length < POOL_CALIBRATION_MIN_SCORES) return undefined;
    const q = empiricalQuantile(w.sorted, level);
    return Math.max(0, this.score === 'ratio' ? baseUnits * q : baseUnits + q);
  }

  private usable(baseUnits: number): boolean {
    return this.score === 'ratio' ? baseUnits > 0 : baseUnits >= 0 && Number.isFinite(baseUnits);
  }
}
