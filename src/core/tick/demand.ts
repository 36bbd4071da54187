/**
 * Builds each pool's demand slots for the planner: metric-driven demand quantiles (metric /
 * metricPerUnit) — with a {@link PoolQuantileCalibrator}, the pool's latest observation times the
 * calibrated ratio of its demand k slots ahead (pool-calibration.ts); until it has enough scores,
 * from the forecasts, several series of a pool summed as independent (sum of medians plus or minus
 * the root-sum-square of each series' quantile spread) — the units of known steps per slot (running,
 * runnable, and blocked steps of tracked chains where the DAG schedule places them), the expected
 * units of steps only the next-step model predicts (probability × vCPU, in the slot they are expected
 * to start), and, at each quantile level, the task-backlog forecast's quantile beyond those two
 * (task demand at level q is max(committed + predicted, backlog quantile q): chains
 * not yet submitted are only in the backlog forecast, so holding its service-level quantile is what
 * keeps new chains' first steps from waiting a launch lead time). With a residual
 * {@link PoolQuantileCalibrator} for the backlog (once it holds enough scores), the task demand at
 * level q is instead the known steps (committed + predicted) plus the conformal q-quantile of the
 * residual observed backlog − known steps k slots ahead: headroom for work not yet submitted,
 * calibrated to the pool's service level and conditioned on the load already known. With
 * `residualRegimes` the residual is calibrated per regime of the pool when the prediction is made
 * ({@link backlogRegime}: `idle` or `active`, Mondrian groups of pool-calibration.ts), so an idle
 * pool holds the headroom that chains arriving into an empty pool call for, and a busy one the
 * headroom of its own residuals.
 * The latest observed value of each metric is a floor under its forecast over the horizon (the
 * horizon is one lead time plus a margin: demand seen now is assumed to last that long, which keeps a
 * lagging forecast from under-provisioning and from scaling in under live load).
 */
import { quantileKey, type DemandSignal, type Forecast } from '../model/index.js';
import type { DemandSlot } from '../plan/types.js';
import { forecastAt } from '../model/forecast.js';
import { correctKnownUnits } from '../plan/known-steps.js';
import type { CoverageTracker } from './coverage.js';
import type { PoolQuantileCalibrator } from './pool-calibration.js';
import type { TaskBacklogSignal } from './types.js';

/** Inputs of {@link buildDemandSlots}. */
export interface DemandInputs {
  readonly poolId: string;
  readonly nowSec: number;
  readonly slotSec: number;
  readonly slots: number;
  readonly levels: readonly number[];
  readonly signals: readonly DemandSignal[];
  readonly backlogSignals: readonly TaskBacklogSignal[];
  readonly forecasts: ReadonlyMap<string, Forecast>;
  /** Latest observed value per demand series (a floor under its forecast), when known. */
  readonly recent?: ReadonlyMap<string, number>;
  /** Units of known steps per slot index (running, runnable, and blocked steps the DAG schedule places there), or one value for every slot. */
  readonly committedUnits: number | readonly number[];
  /** Predicted step units per slot index. */
  readonly predictedUnits: readonly number[];
  /**
   * Quantile of a metric series' forecast at a level and time (e.g. recalibrated from observed
   * errors, see calibration.ts). @default the forecast's own quantile (forecastAt)
   */
  readonly quantileOf?: (seriesId: string, f: Forecast | undefined, level: number, tSec: number) => number;
  /**
   * Pool-level, per-step recalibration (pool-calibration.ts). When given, this call scores the
   * pool's latest observation (the sum of `recent`, at `recentAtSec`) against earlier predictions,
   * records this tick's predictions, and reads the metric quantiles from it once calibrated.
   */
  readonly poolCalibrator?: PoolQuantileCalibrator;
  /** Start of the period the `recent` values were observed over, epoch seconds. */
  readonly recentAtSec?: number;
  /**
   * Residual calibrator of the task demand (see module doc). When given, this call scores the pool's
   * latest observed backlog (`recentBacklog`) and records this tick's known step units per slot.
   */
  readonly backlogCalibrator?: PoolQuantileCalibrator;
  /** The pool's latest observed task backlog (vCPU of running and queued steps) and when, epoch seconds. */
  readonly recentBacklog?: { readonly atSec: number; readonly units: number };
  /**
   * Two-way correction (core/plan/known-steps.ts `correctKnownUnits`): when the residual calibrator's
   * quantile at the highest level is below the known steps, the slot's known units are lowered to it.
   * Meant with `recentBacklog` in the known steps' own units (the faced demand of the steps observed
   * at `nowSec`, scored after this tick's predictions), not a raw running + queued count. @default false
   */
  readonly lowerKnownSteps?: boolean;
  /**
   * issue 19 item 6: headroom for the root steps of the chains the behaviour model predicts to arrive
   * (core/plan/arrival-headroom.ts), units per slot at each level keyed like Forecast.quantiles. At a
   * level it is a floor under the task demand beyond the known steps (the backlog forecast or residual
   * quantile already counts arrivals, so the larger of the two is held, never their sum).
   */
  readonly arrivalUnits?: Readonly<Record<string, readonly number[]>>;
  /**
   * Calibrate the task residual per regime of the pool ({@link backlogRegime}; Mondrian groups of the
   * residual calibrator). Decided on the 7-day backtest suite (docs/benchmarks.md, "Session 13").
   * @default false
   */
  readonly residualRegimes?: boolean;
  /**
   * Adaptive conformal inference on the metric pool's realized coverage (coverage.ts): `readyUnits`,
   * the pool's capacity ready now, is recorded at `nowSec`; each observed period's demand (the sum of
   * `recent`, from `recentAtSec`) is scored against the capacity recorded at that period's start; the
   * calibrated metric quantiles are read at the level the tracker's miss level gives.
   * Needs `poolCalibrator` (without it the quantiles are read as asked). @default none
   */
  readonly coverage?: DemandCoverage;
}

/** The coverage inputs of {@link DemandInputs}: tracker, the pool's ready units now, its service level and the ACI step size γ. */
export interface DemandCoverage {
  readonly tracker: CoverageTracker;
  readonly readyUnits: number;
  readonly serviceLevel: number;
  readonly gamma: number;
}

/**
 * The regime of a task pool when its residual is predicted: `active` when the tick knows steps for
 * the current slot (committed or predicted, units > 0) or the latest observed backlog is above 0,
 * `idle` otherwise (every residual then is work of chains not yet submitted arriving into an empty
 * pool). Units: vCPU.
 */
export function backlogRegime(knownNowUnits: number, observedBacklogUnits: number | undefined): 'idle' | 'active' {
  return knownNowUnits > 0 || (observedBacklogUnits ?? 0) > 0 ? 'active' : 'idle';
}

/** The pool's demand per slot. */
export function buildDemandSlots(d: DemandInputs): DemandSlot[] {
  const out: DemandSlot[] = [];
  const q = d.quantileOf ?? ((_id: string, f: Forecast | undefined, level: number, tSec: number) => forecastAt(f, level, tSec));
  const mine = d.signals.filter((s) => s.poolId === d.poolId);
  const backlog = d.backlogSignals.filter((s) => s.poolId === d.poolId);
  const cal = mine.length > 0 ? d.poolCalibrator : undefined;
  // the latest observation of the pool's metrics: a floor under every slot and the calibration base
  let floor = 0;
  for (const s of mine) floor += (d.recent?.get(s.seriesId) ?? 0) / s.metricPerUnit;
  const cov = cal ? d.coverage : undefined;
  if (cal && d.recentAtSec !== undefined && mine.every((s) => d.recent?.has(s.seriesId))) {
    cal.observe(d.poolId, d.recentAtSec, floor);
    cov?.tracker.observe(d.poolId, d.recentAtSec, floor, cov.serviceLevel, cov.gamma);
  }
  cov?.tracker.recordReady(d.poolId, d.nowSec, cov.readyUnits, cov.serviceLevel);
  const bcal = backlog.length > 0 ? d.backlogCalibrator : undefined;
  // with lowerKnownSteps the observation is the faced demand at `nowSec`: scored after this tick's
  // predictions are recorded, so step 0 is scored too
  const observeBacklog = (): void => { if (bcal && d.recentBacklog) bcal.observe(d.poolId, d.recentBacklog.atSec, d.recentBacklog.units); };
  if (!d.lowerKnownSteps) observeBacklog();
  const knownNow = (typeof d.committedUnits === 'number' ? d.committedUnits : (d.committedUnits[0] ?? 0)) + (d.predictedUnits[0] ?? 0);
  const regime = d.residualRegimes ? backlogRegime(knownNow, d.recentBacklog?.units) : undefined;
  const topLevel = Math.max(...d.levels);
  // the level each asked level's metric quantile is read at (moved by the coverage tracker, when given)
  const readAt = new Map(d.levels.map((level) => [level, cov ? cov.tracker.readLevel(d.poolId, level, cov.serviceLevel) : level]));
  for (let k = 0; k < d.slots; k++) {
    const t = d.nowSec + k * d.slotSec;
    const quantiles: Record<string, number> = {};
    // metric demand: with a pool calibrator, the latest pool observation × its calibrated ratio k
    // slots ahead; before that, series added as independent (sum of medians ± root-sum-square of spreads)
    let median = 0;
    for (const s of mine) median += q(s.seriesId, d.forecasts.get(s.seriesId), 0.5, t) / s.metricPerUnit;
    // the pool's latest observation is the base of the calibrated quantiles (persistence), the
    // forecast median until one is observed
    const base = floor > 0 ? floor : median;
    cal?.predicted(d.poolId, t, k, base);
    const independentSum = (med: number, level: number): number => {
      let sq = 0;
      for (const s of mine) {
        const f = d.forecasts.get(s.seriesId);
        const spread = (q(s.seriesId, f, level, t) - q(s.seriesId, f, 0.5, t)) / s.metricPerUnit;
        sq += spread * spread;
      }
      return med + (level >= 0.5 ? 1 : -1) * Math.sqrt(sq);
    };
    const predicted0 = d.predictedUnits[k] ?? 0;
    const committed0 = typeof d.committedUnits === 'number' ? d.committedUnits : (d.committedUnits[k] ?? 0);
    const known = committed0 + predicted0;
    bcal?.predicted(d.poolId, t, k, known, regime);
    const corrected = d.lowerKnownSteps && bcal && d.levels.length > 0 ? correctKnownUnits({ committedUnits: committed0, predictedUnits: predicted0 }, bcal.quantile(d.poolId, k, topLevel, known, regime)) : undefined;
    const committedUnits = corrected?.committedUnits ?? committed0;
    const predictedUnits = corrected?.predictedUnits ?? predicted0;
    for (const level of d.levels) {
      // task demand at this level: the calibrated known-plus-residual quantile, or the backlog
      // forecast's quantile, of which the steps already committed and those predicted to start in
      // this slot are added by the planner itself
      const calibrated = bcal?.quantile(d.poolId, k, level, known, regime);
      let queued = calibrated ?? 0;
      if (calibrated === undefined) for (const s of backlog) queued += forecastAt(d.forecasts.get(s.seriesId), level, t);
      const backlogUnits = Math.max(0, queued - known, d.arrivalUnits?.[quantileKey(level)]?.[k] ?? 0);
      const metric = cal?.quantile(d.poolId, k, level, base, undefined, readAt.get(level)) ?? independentSum(median, level);
      quantiles[quantileKey(level)] = Math.max(0, metric, floor) + backlogUnits;
    }
    out.push({ startSec: t, quantiles, predictedStepUnits: predictedUnits, committedUnits });
  }
  if (d.lowerKnownSteps) observeBacklog();
  return out;
}
