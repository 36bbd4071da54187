/**
 * The cost floor of a backtest: a linear relaxation of "serve all the demand" that every policy's
 * run is a feasible point of, so no policy can cost less (issue 19, item 4).
 *
 * Per pool and per block of `blockTicks` ticks (each tick `tickSec`), variables are the spot and
 * on-demand capacity held, in unit-ticks (`s_b`, `o_b`), the task work served (`w_b`, vCPU-ticks)
 * and the work released but not yet served at the block's end (`q_b`). Rows:
 * - cover: `s_b + o_b − w_b ≥ Σ_{t∈b} m_t` (metric demand and task work share the capacity);
 * - floor: `s_b + o_b ≥ Σ_{t∈b} max(min, m_t)` (the pool minimum is held every tick);
 * - on-demand share: `o_b − share·(s_b + o_b) ≥ 0` (the pool's onDemandFloorShare; every policy keeps
 *   it; the unit floor is dropped, which only relaxes);
 * - backlog: `q_b = q_{b−1} + r_b − w_b`, `q_last = 0`, `q ≥ 0` (work cannot be served before its
 *   chain arrives, `r_b` is the work released in the block, and all of it is served by the end).
 * Objective: `s_b`, `o_b` at the pool's cheapest spot and on-demand price per unit-tick.
 *
 * Why every run is feasible: capacity is fluid (any fraction of a unit at the cheapest price per
 * unit, no fit, no boot billed, no diversification), tasks are fluid (no DAG, no placement), and a
 * block sums its ticks, so a run's per-tick holdings summed per block satisfy every row; per-second
 * billing with a 60 s minimum bills at least the capacity-ticks held. Holding a pool's capacity past
 * the run (the drain) is free in the bound. Prefetched setups shorten a task's work; the check in
 * {@link policyFloorUsd} subtracts what a policy skipped or left unmet.
 */
import { LpModel, type Term } from './lp-format.js';

/** One pool's inputs to the bound. */
export interface LowerBoundPool {
  readonly poolId: string;
  /** Metric demand units per tick, run ticks only. */
  readonly metricUnits: readonly number[];
  /** Pool minimum, units (held on every run tick). */
  readonly minUnits: number;
  /** Share of held units that must be on-demand, 0..1. */
  readonly onDemandShare: number;
  /** Cheapest spot price per unit-hour (undefined: no spot market). */
  readonly spotUsdPerUnitHour?: number;
  /** Cheapest on-demand price per unit-hour. */
  readonly onDemandUsdPerUnitHour: number;
  /** Task work released per tick, vCPU-seconds, over run and drain ticks. */
  readonly releasedVcpuSec: readonly number[];
}

/** The bound's result. */
export interface LowerBoundResult {
  readonly totalUsd: number;
  readonly byPool: ReadonlyArray<{ readonly poolId: string; readonly usd: number }>;
  /** Highest price per unit-hour any pool's capacity carries in the bound (for {@link policyFloorUsd}). */
  readonly maxUsdPerUnitHour: number;
  readonly blocks: number;
  readonly status: string;
}

/** A pool's relaxation as an LP (names `s{b}`, `o{b}`, `w{b}`, `q{b}`; see module doc). */
export function lowerBoundModel(pool: LowerBoundPool, tickSec: number, blockTicks: number): { model: LpModel; blocks: number } {
  const m = new LpModel();
  const ticks = Math.max(pool.metricUnits.length, pool.releasedVcpuSec.length);
  const blocks = Math.ceil(ticks / blockTicks);
  const spotPrice = pool.spotUsdPerUnitHour === undefined ? undefined : (Math.min(pool.spotUsdPerUnitHour, pool.onDemandUsdPerUnitHour) * tickSec) / 3600;
  const odPrice = (pool.onDemandUsdPerUnitHour * tickSec) / 3600;
  const hasWork = pool.releasedVcpuSec.some((v) => v > 0);
  for (let b = 0; b < blocks; b++) {
    let metric = 0;
    let floor = 0;
    let released = 0;
    for (let t = b * blockTicks; t < Math.min(ticks, (b + 1) * blockTicks); t++) {
      const mt = pool.metricUnits[t] ?? 0;
      metric += mt;
      if (t < pool.metricUnits.length) floor += Math.max(pool.minUnits, mt);
      released += (pool.releasedVcpuSec[t] ?? 0) / tickSec;
    }
    const cap: Term[] = [[1, `o${b}`]];
    m.minimise([odPrice, `o${b}`]);
    m.bound(`o${b}`, 0, Infinity);
    if (spotPrice !== undefined) {
      cap.push([1, `s${b}`]);
      m.minimise([spotPrice, `s${b}`]);
      m.bound(`s${b}`, 0, Infinity);
    }
    m.row(`fl${b}`, cap, '>=', floor);
    if (hasWork) {
      m.bound(`w${b}`, 0, Infinity);
      m.bound(`q${b}`, 0, b === blocks - 1 ? 0 : Infinity);
      m.row(`cv${b}`, [...cap, [-1, `w${b}`]], '>=', metric);
      m.row(`bl${b}`, [[1, `q${b}`], [1, `w${b}`], ...(b > 0 ? [[-1, `q${b - 1}`] as Term] : [])], '=', released);
    } else if (metric > floor) m.row(`cv${b}`, cap, '>=', metric);
    if (spotPrice !== undefined && pool.onDemandShare > 0) m.row(`od${b}`, [[1 - pool.onDemandShare, `o${b}`], [-pool.onDemandShare, `s${b}`]], '>=', 0);
  }
  return { model: m, blocks };
}

/**
 * The lowest cost a policy that served all but `skippedUnitSec` unit-seconds of the bound's demand
 * could reach: the bound minus that demand at the dearest price per unit in it (dropping one
 * unit-second of demand lowers the LP's value by at most that price, since covering it with
 * on-demand capacity keeps every row feasible).
 * @param skippedUnitSec unmet metric demand plus task work a policy did not run on its pools (prefetched setups), unit-seconds
 */
export function policyFloorUsd(bound: LowerBoundResult, skippedUnitSec: number): number {
  return bound.totalUsd - (Math.max(0, skippedUnitSec) * bound.maxUsdPerUnitHour) / 3600;
}
