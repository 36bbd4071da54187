/**
 * Adaptive conformal inference on the coverage a metric pool actually gets (Gibbs & Candès 2021,
 * "Adaptive conformal inference under distribution shift", NeurIPS, eq. 2): the level the planner
 * reads the pool's calibrated demand quantiles at is steered by what happened, so that the share of
 * observed periods whose demand exceeded the pool's ready capacity converges to 1 − serviceLevel.
 *
 * Why: the pool calibrator (pool-calibration.ts) makes each slot's quantile conformal, but the
 * capacity held is more than any one slot's quantile: the planner keeps the largest target over the
 * lead-time window, scale-in waits for the ski-rental break-even, and instances come in whole sizes.
 * On the 7-day suite's spiky web series prescale's web pool held 7.2 units for 2.5 of demand and
 * fell short in 0.76 % of minutes against a 0.95 service level (crm-montage, docs/benchmarks.md
 * "Session 14"). ACI measures the miss of the whole chain (forecast, window, hysteresis, sizes) and
 * moves the level read: α_{t+1} = α_t + γ (α − err_t), err_t = 1 when the observed demand exceeded
 * the ready capacity; its long-run miss rate is α whatever the chain does (Gibbs & Candès 2021,
 * Proposition 4.1: |mean err − α| ≤ (max(α_1, 1 − α_1) + γ) / (γ T)).
 */

/** Lowest miss level α_t the state may reach (a read level of at most 0.999, the pool schema's maximum service level). */
export const MIN_COVERAGE_ALPHA = 0.001;
/** Highest miss level α_t (a read level of at least the median, the pool schema's minimum service level 0.5). */
export const MAX_COVERAGE_ALPHA = 0.5;

/**
 * One ACI step: the miss level after an observation, clamped to [{@link MIN_COVERAGE_ALPHA},
 * {@link MAX_COVERAGE_ALPHA}].
 * @param alphaT the current miss level α_t in (0, 1)
 * @param targetAlpha the pool's 1 − serviceLevel
 * @param missed whether the observed demand exceeded the ready capacity
 * @param gamma step size γ > 0
 */
export function coverageStep(alphaT: number, targetAlpha: number, missed: boolean, gamma: number): number {
  const next = alphaT + gamma * (targetAlpha - (missed ? 1 : 0));
  return Math.min(MAX_COVERAGE_ALPHA, Math.max(MIN_COVERAGE_ALPHA, next));
}

/**
 * The level to read a quantile asked at `level` when the pool's miss level is `alphaT` and its target
 * is `targetAlpha`: the level moved by targetAlpha − alphaT, within [0.5, 0.999]. Levels below the
 * median (not the service level, which the schema keeps ≥ 0.5) are read as asked.
 */
export function coverageReadLevel(level: number, alphaT: number, targetAlpha: number): number {
  if (level < 0.5) return level;
  return Math.min(1 - MIN_COVERAGE_ALPHA, Math.max(1 - MAX_COVERAGE_ALPHA, level + targetAlpha - alphaT));
}

/** One pool's state in a {@link CoverageTracker}. */
export interface PoolCoverageState {
  /** Miss level α_t. */
  readonly alpha: number;
  /** The latest ready capacities recorded, [epoch s, units], oldest first (at most {@link READY_RECORDS}). */
  readonly ready: ReadonlyArray<readonly [number, number]>;
  /** Start of the latest period scored, epoch seconds (a period is scored once). */
  readonly scoredAtSec?: number;
}

/** {@link CoverageTracker} as data: poolId → its state. */
export type CoverageTrackerJSON = ReadonlyMap<string, PoolCoverageState>;

/**
 * Ready capacities kept per pool: enough to find the one at the start of the latest observed period
 * when the metrics arrive late (CloudWatch's standard metrics publish a minute or more after their
 * period; 16 one-minute ticks cover a quarter of an hour of delay).
 */
export const READY_RECORDS = 16;

/**
 * Each metric pool's ACI miss level α_t (module doc) and the ready capacity it scores observations
 * against; part of the tick's persisted memory (core/tick/memory-codec.ts).
 */
export class CoverageTracker {
  private readonly pools = new Map<string, { alpha: number; ready: Array<[number, number]>; scoredAtSec?: number }>();

  /** The tracker as data (a copy). */
  toJSON(): CoverageTrackerJSON {
    return new Map([...this.pools].map(([k, p]) => [k, { alpha: p.alpha, ready: p.ready.map(([t, u]) => [t, u] as const), ...(p.scoredAtSec !== undefined ? { scoredAtSec: p.scoredAtSec } : {}) }]));
  }

  /** Rebuilds a tracker saved by {@link toJSON} (pools with a non-finite miss level are dropped). */
  static fromJSON(json: CoverageTrackerJSON | undefined): CoverageTracker {
    const t = new CoverageTracker();
    for (const [k, p] of json ?? []) {
      if (!Number.isFinite(p.alpha)) continue;
      t.pools.set(k, { alpha: p.alpha, ready: p.ready.map(([a, u]) => [a, u]), ...(p.scoredAtSec !== undefined ? { scoredAtSec: p.scoredAtSec } : {}) });
    }
    return t;
  }

  /**
   * Records the pool's ready capacity at `atSec` (units of its running instances when a tick reads
   * them): what demand observed over the period starting then is scored against.
   * @param serviceLevel the pool's service level in [0.5, 0.999] (α_1 = 1 − serviceLevel)
   */
  recordReady(poolId: string, atSec: number, readyUnits: number, serviceLevel: number): void {
    if (!Number.isFinite(readyUnits)) return;
    const p = this.pool(poolId, serviceLevel);
    const last = p.ready[p.ready.length - 1];
    if (last && last[0] >= atSec) return;
    p.ready.push([atSec, readyUnits]);
    if (p.ready.length > READY_RECORDS) p.ready.shift();
  }

  /**
   * Scores one observed period of a pool, starting at `periodStartSec`, its demand in units, against
   * the ready capacity recorded latest at or before that start (none recorded: not scored), once per
   * period.
   * @param serviceLevel the pool's service level in [0.5, 0.999]
   * @param gamma ACI step size γ > 0
   */
  observe(poolId: string, periodStartSec: number, demandUnits: number, serviceLevel: number, gamma: number): void {
    if (!Number.isFinite(demandUnits)) return;
    const p = this.pools.get(poolId);
    if (!p || (p.scoredAtSec !== undefined && periodStartSec <= p.scoredAtSec)) return;
    let ready: number | undefined;
    for (const [t, u] of p.ready) if (t <= periodStartSec) ready = u;
    if (ready === undefined) return;
    p.scoredAtSec = periodStartSec;
    p.alpha = coverageStep(p.alpha, 1 - serviceLevel, demandUnits > ready + 1e-9, gamma);
  }

  /** The level to read a quantile asked at `level` for the pool (as asked before its first score). */
  readLevel(poolId: string, level: number, serviceLevel: number): number {
    const p = this.pools.get(poolId);
    return p === undefined ? level : coverageReadLevel(level, p.alpha, 1 - serviceLevel);
  }

  /** The pool's miss level α_t (undefined before anything was recorded for it). */
  missLevel(poolId: string): number | undefined {
    return this.pools.get(poolId)?.alpha;
  }

  private pool(poolId: string, serviceLevel: number): { alpha: number; ready: Array<[number, number]>; scoredAtSec?: number } {
    let p = this.pools.get(poolId);
    if (!p) this.pools.set(poolId, (p = { alpha: 1 - serviceLevel, ready: [] }));
    return p;
  }
}
