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
 *
 * With `score: 'local'` (issue 19) the score is a locally weighted
 * residual, (observed − base) / s, where s is the pool's recent volatility when the prediction was
 * made: the mean absolute change over its last {@link LOCAL_SCALE_CHANGES} changes between
 * consecutive observations plus {@link LOCAL_SCALE_FLOOR_UNITS}; the quantile is base + s_now × (conformal
 * q-quantile of the scores). This is the normalized nonconformity score of conformal regression
 * (Papadopoulos, Gammerman & Vovk 2008, "Normalized nonconformity measures for regression conformal
 * prediction"; Lei et al. 2018, "Distribution-free predictive inference for regression", §5.2,
 * locally weighted conformal inference), with the recent mean absolute change as the spread
 * estimate. Why not the ratio: a ratio scales every error by the base, so a series that idles near 0
 * and spikes (CPU utilisation of a batch host, per-minute request counts) scores ratios of hundreds
 * at each rise, and their quantile times the next base holds the pool's maximum through every
 * plateau; a plain residual is narrow there but as narrow at the start of a rise, when the next
 * minutes move most. The local scale widens the interval while the series moves and narrows it while
 * it is flat. Measured on the 1-day suite (docs/benchmarks.md "Metric pools on the suite (session 10)").
 *
 * With `score: 'adaptive'` (the metric pools' default) both the local and the ratio scores are kept
 * per pool and step, and each quantile is read from the one whose quantile at that level has the
 * lower pinball loss (the proper scoring rule of a quantile, Gneiting & Raftery 2007, "Strictly
 * proper scoring rules, prediction, and estimation", §6) on the pool's own observations, scored
 * prequentially (each observation against both models' quantiles as they stood before it joined
 * their windows, forgetting 1 / {@link POOL_CALIBRATION_WINDOW} per score); the local score until
 * the ratio has scored lower. A series whose errors grow with its level (a flat level with
 * proportional noise, a daily cycle summed over many series) keeps the ratio where it scores better.
 * Decided on the whole 1-day suite (`BACKTEST_SCREEN=… npx tsx bench/backtest.bench.ts --cases <all
 * 14> --days 1`, docs/benchmarks.md "Metric pools on the suite (session 10)"): against ratio scores
 * alone, prescale's median × lower bound 2.540 → 2.372, cheaper than reactive in 14 of 14 cases (was
 * 11) and than karpenter in 9 (was 8), worst case unchanged, unmet metric demand +2.4 %; the default
 * backtest scenario is byte-identical (the ratio scores lower there). `local` alone: median 2.358
 * but a worse worst case (asg-seismology, a flat level with proportional noise) and a dearer default.
 *
 * Groups (Mondrian conformal prediction: Vovk, Gammerman & Shafer 2005, "Algorithmic Learning in a
 * Random World", §4.5; Vovk, Lindsay, Nouretdinov & Gammerman 2003, "Mondrian confidence machine"):
 * a prediction may carry a group, a category of the situation it was made in; its score joins that
 * group's own window, and a quantile asked for a group reads only the group's scores, so the
 * coverage holds within each group and not only on average over them. The task pools use it
 * (core/tick/demand.ts `residualRegimes`): the residual of a pool that is idle now (no known step,
 * nothing observed) is the work of chains that arrive into an empty pool, scored apart from the
 * residual of a pool already running chains.
 */
import { empiricalQuantile, SortedWindow, type SortedWindowJSON } from './calibration.js';

/** Scores kept per pool and step (two days of one-minute slots). */
export const POOL_CALIBRATION_WINDOW = 2880;
/** Scores needed before a step's recalibrated quantile is used (two hours of one-minute slots). */
export const POOL_CALIBRATION_MIN_SCORES = 120;

/**
 * Changes between consecutive pool observations whose mean absolute value is the local score's
 * spread (five one-minute slots). Chosen on nine 1-day suite cases' per-minute web demand (from
 * `runBacktest` timelines) replayed through the calibrator at q0.95, five slots ahead, with capacity
 * ready two minutes after each decision (docs/benchmarks.md "Metric pools on the suite (session
 * 10)"), then screened on the whole suite: over the nine cases 3, 5 and 7
 * changes held 91.9, 85.8 and 82.0 units in all for 19,103, 19,165 and 20,451 unit-s short
 * (ratio scores: 111.3 units, 20,197 unit-s); 5 held the least of those whose shortfall stayed
 * below the ratio's, with the floor below.
 */
export const LOCAL_SCALE_CHANGES = 5;
/**
 * Added to the local spread, units: keeps the score finite on a flat series and the interval from
 * collapsing on one. Same replay, window 5: floors of 0.01, 0.03 and 0.05 units held 95.6, 85.8 and
 * 81.6 units for 18,270, 19,165 and 19,982 unit-s short; 0.03 is the middle of the three, below
 * the ratio's 111.3 units and 20,197 unit-s on both.
 */
export const LOCAL_SCALE_FLOOR_UNITS = 0.03;

/**
 * A prediction waiting for its slot's observation (`scale`: the local score's spread when it was
 * made; `group`: its Mondrian group, see the module doc).
 */
export interface Pending { readonly step: number; readonly base: number; readonly scale?: number; readonly group?: string }

/** Key of the score window of a pool's step, in a group or not. */
function scoreKey(poolId: string, step: number, group?: string): string {
  return group === undefined ? `${poolId}#${step}` : `${poolId}#${step}|${group}`;
}

/**
 * How a score compares an observation with its base: `ratio` observed / base, `residual` observed −
 * base, `local` (observed − base) / the pool's recent spread, `adaptive` local or ratio, whichever
 * has the lower pinball loss (module doc).
 */
export type CalibrationScore = 'ratio' | 'residual' | 'local' | 'adaptive';

/** Pinball (quantile) loss of predicting `predicted` at `level` when `observed` happened (Koenker & Bassett 1978). */
export function pinballLoss(observed: number, predicted: number, level: number): number {
  const e = observed - predicted;
  return e >= 0 ? level * e : (level - 1) * e;
}

/** Discounted pinball losses of the two models an adaptive calibrator compares, at one pool, step and level. */
export interface ModelLosses { readonly local: number; readonly ratio: number }

/** Key suffix of an adaptive calibrator's ratio windows (its local windows keep the plain key). */
const RATIO_SUFFIX = '#ratio';

/** {@link PoolQuantileCalibrator} as data (see {@link PoolQuantileCalibrator.toJSON}). */
export interface PoolQuantileCalibratorJSON {
  readonly score: CalibrationScore;
  readonly pending: ReadonlyMap<string, ReadonlyMap<number, readonly Pending[]>>;
  readonly scores: ReadonlyMap<string, SortedWindowJSON>;
  /** `local` only: per pool, its latest observations (time, units), oldest first. */
  readonly recent?: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;
  /** `adaptive` only: `${poolId}#${step}@${level}` → both models' discounted pinball losses. */
  readonly losses?: ReadonlyMap<string, ModelLosses>;
  /** `adaptive` only: the levels quantiles were asked at, per pool (ascending). */
  readonly levels?: ReadonlyMap<string, readonly number[]>;
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
  /** `local`: poolId → its latest observations [epoch s, units], oldest first (at most LOCAL_SCALE_CHANGES + 1). */
  private readonly recent = new Map<string, Array<[number, number]>>();
  /** `adaptive`: discounted pinball losses per `${poolId}#${step}@${level}`. */
  private readonly losses = new Map<string, ModelLosses>();
  /** `adaptive`: levels asked per pool, ascending (the levels the losses are kept at). */
  private readonly levels = new Map<string, number[]>();

  /** @param score the error model (see module doc). @default 'ratio' */
  constructor(readonly score: CalibrationScore = 'ratio') {}

  /** The calibrator as data (copies; Maps kept, see core/tick/memory-codec.ts). */
  toJSON(): PoolQuantileCalibratorJSON {
    return {
      score: this.score,
      pending: new Map([...this.pending].map(([pool, byTime]) => [pool, new Map([...byTime].map(([t, list]) => [t, list.map((p) => ({ ...p }))]))])),
      scores: new Map([...this.scores].map(([k, w]) => [k, w.toJSON()])),
      ...(this.local() ? { recent: new Map([...this.recent].map(([k, list]) => [k, list.map(([t, u]) => [t, u] as const)])) } : {}),
      ...(this.score === 'adaptive' ? {
        losses: new Map([...this.losses].map(([k, l]) => [k, { ...l }])),
        levels: new Map([...this.levels].map(([k, l]) => [k, [...l]])),
      } : {}),
    };
  }

  /** Rebuilds a calibrator saved by {@link toJSON}. */
  static fromJSON(json: PoolQuantileCalibratorJSON): PoolQuantileCalibrator {
    const c = new PoolQuantileCalibrator(json.score);
    for (const [pool, byTime] of json.pending) c.pending.set(pool, new Map([...byTime].map(([t, list]) => [t, list.map((p) => ({ step: p.step, base: p.base, ...(p.scale !== undefined ? { scale: p.scale } : {}), ...(p.group !== undefined ? { group: p.group } : {}) }))])));
    for (const [k, w] of json.scores) c.scores.set(k, SortedWindow.fromJSON(w));
    for (const [k, list] of json.recent ?? []) c.recent.set(k, list.map(([t, u]) => [t, u]));
    for (const [k, l] of json.losses ?? []) c.losses.set(k, { local: l.local, ratio: l.ratio });
    for (const [k, l] of json.levels ?? []) c.levels.set(k, [...l]);
    return c;
  }

  /**
   * Records the prediction for one slot.
   * @param step slots ahead of the tick (0 = the current slot)
   * @param baseUnits the base the quantile will be read from (latest observed pool demand for
   *   ratio scores, which need it > 0; known step units for residual scores, ≥ 0; local: ≥ 0), units
   * @param group the prediction's Mondrian group (module doc); absent: the pool's ungrouped scores
   */
  predicted(poolId: string, slotStartSec: number, step: number, baseUnits: number, group?: string): void {
    if (!this.usable(baseUnits)) return;
    let byTime = this.pending.get(poolId);
    if (!byTime) this.pending.set(poolId, (byTime = new Map()));
    let list = byTime.get(slotStartSec);
    if (!list) byTime.set(slotStartSec, (list = []));
    const g = group === undefined ? {} : { group };
    list.push(this.local() ? { step, base: baseUnits, scale: this.localScale(poolId), ...g } : { step, base: baseUnits, ...g });
  }

  /**
   * Scores the predictions made for `tSec` against the observed pool demand (units) and forgets
   * predictions for earlier times (never observed: gaps).
   */
  observe(poolId: string, tSec: number, units: number): void {
    if (!Number.isFinite(units)) return;
    if (this.local()) this.remember(poolId, tSec, units);
    const byTime = this.pending.get(poolId);
    if (!byTime) return;
    for (const [t, list] of byTime) {
      if (t > tSec) continue;
      if (t === tSec) {
        for (const p of list) {
          const key = scoreKey(poolId, p.step, p.group);
          const w = this.window(key);
          if (this.score === 'adaptive') {
            this.scoreModels(poolId, p, units);
            if (p.base > 0) this.window(key + RATIO_SUFFIX).push(units / p.base);
          }
          w.push(this.score === 'ratio' ? units / p.base : this.local() ? (units - p.base) / (p.scale ?? LOCAL_SCALE_FLOOR_UNITS) : units - p.base);
        }
      }
      byTime.delete(t);
    }
  }

  /** Scores held for a pool's step (in `group`, when given). */
  count(poolId: string, step: number, group?: string): number {
    return this.scores.get(scoreKey(poolId, step, group))?.length ?? 0;
  }

  /**
   * The quantile `level` of the pool's demand `step` slots ahead from `baseUnits`, units (≥ 0), or
   * undefined while fewer than {@link POOL_CALIBRATION_MIN_SCORES} scores are held for that step
   * or the base is not usable (ratio: not positive; residual: negative or not finite).
   * @param group read the scores of this Mondrian group only (module doc); absent: the ungrouped scores
   * @param readLevel the level the scores are read at, when not `level` (coverage.ts: adaptive conformal
   *   inference moves it); `adaptive` still chooses its model by the losses kept at `level`
   */
  quantile(poolId: string, step: number, level: number, baseUnits: number, group?: string, readLevel = level): number | undefined {
    if (this.score === 'adaptive') this.track(poolId, level);
    if (!this.usable(baseUnits)) return undefined;
    const key = scoreKey(poolId, step, group);
    const w = this.scores.get(key);
    if (!w || w.length < POOL_CALIBRATION_MIN_SCORES) return undefined;
    const q = empiricalQuantile(w.sorted, readLevel);
    const value = this.score === 'ratio' ? baseUnits * q : this.local() ? baseUnits + q * this.localScale(poolId) : baseUnits + q;
    if (this.score === 'adaptive' && baseUnits > 0) {
      const l = this.losses.get(`${key}@${level}`);
      const r = this.scores.get(key + RATIO_SUFFIX);
      if (l && l.ratio < l.local && r && r.length >= POOL_CALIBRATION_MIN_SCORES) return Math.max(0, baseUnits * empiricalQuantile(r.sorted, readLevel));
    }
    return Math.max(0, value);
  }

  /** `adaptive`: the two models' discounted pinball losses at a pool, step and level (undefined before one was scored). */
  modelLosses(poolId: string, step: number, level: number): ModelLosses | undefined {
    const l = this.losses.get(`${poolId}#${step}@${level}`);
    return l ? { ...l } : undefined;
  }

  private local(): boolean {
    return this.score === 'local' || this.score === 'adaptive';
  }

  private window(key: string): SortedWindow {
    let w = this.scores.get(key);
    if (!w) this.scores.set(key, (w = new SortedWindow(POOL_CALIBRATION_WINDOW)));
    return w;
  }

  private track(poolId: string, level: number): void {
    let l = this.levels.get(poolId);
    if (!l) this.levels.set(poolId, (l = []));
    if (l.includes(level)) return;
    l.push(level);
    l.sort((a, b) => a - b);
  }

  /**
   * `adaptive`: scores both models' quantiles, as they stand before this observation joins their
   * windows, at every level asked so far, from their first score on (so that about
   * {@link POOL_CALIBRATION_MIN_SCORES} observations are behind the losses when the quantiles are
   * first used).
   */
  private scoreModels(poolId: string, p: Pending, units: number): void {
    if (!(p.base > 0)) return;
    const key = scoreKey(poolId, p.step, p.group);
    const lw = this.scores.get(key);
    const rw = this.scores.get(key + RATIO_SUFFIX);
    if (!lw || !rw || lw.length === 0 || rw.length === 0) return;
    const keep = 1 - 1 / POOL_CALIBRATION_WINDOW;
    const scale = p.scale ?? LOCAL_SCALE_FLOOR_UNITS;
    for (const level of this.levels.get(poolId) ?? []) {
      const local = Math.max(0, p.base + empiricalQuantile(lw.sorted, level) * scale);
      const ratio = Math.max(0, p.base * empiricalQuantile(rw.sorted, level));
      const lk = `${key}@${level}`;
      const l = this.losses.get(lk) ?? { local: 0, ratio: 0 };
      this.losses.set(lk, { local: l.local * keep + pinballLoss(units, local, level), ratio: l.ratio * keep + pinballLoss(units, ratio, level) });
    }
  }

  /**
   * `local`: the pool's spread now, units: the mean absolute change over its last
   * {@link LOCAL_SCALE_CHANGES} changes between consecutive observations plus
   * {@link LOCAL_SCALE_FLOOR_UNITS} (the floor alone before two observations).
   */
  localScale(poolId: string): number {
    const list = this.recent.get(poolId) ?? [];
    let sum = 0;
    for (let i = 1; i < list.length; i++) sum += Math.abs(list[i][1] - list[i - 1][1]);
    return (list.length > 1 ? sum / (list.length - 1) : 0) + LOCAL_SCALE_FLOOR_UNITS;
  }

  /** Keeps the pool's observation at `tSec` (a later one only; the same time observed again is ignored). */
  private remember(poolId: string, tSec: number, units: number): void {
    let list = this.recent.get(poolId);
    if (!list) this.recent.set(poolId, (list = []));
    if (list.length > 0 && list[list.length - 1][0] >= tSec) return;
    list.push([tSec, units]);
    if (list.length > LOCAL_SCALE_CHANGES + 1) list.shift();
  }

  private usable(baseUnits: number): boolean {
    return this.score === 'ratio' ? baseUnits > 0 : baseUnits >= 0 && Number.isFinite(baseUnits);
  }
}
