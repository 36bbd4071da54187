/**
 * The cost floor of a backtest: a linear relaxation of "serve all the demand" that every policy's
 * run is a feasible point of, so no policy that serves all demand can cost less (issue 19, item 4).
 *
 * Per pool and per tick `k` (tick `tickSec` = T, sampled at `start + k·T`), the variables are the
 * spot and on-demand capacity billed over the window `(kT − T, kT]`, in units (`s_k`, `o_k`; their
 * window integral ÷ T), the task vCPU running at the tick's sample (`u_k`, the part of the sampled
 * task work the LP serves there), the task work served in the window (`w_k`, unit-ticks) and the
 * backlogs of both (`qu_k`, `qw_k`). Rows:
 * - sample cover: `s_k + o_k − u_k ≥ m_k` (metric demand is served at the sample by ready capacity
 *   the running tasks leave free);
 * - granularity (optional): `s_k + o_k ≥ G(m_k)`, G(m) the smallest sum of the pool's instance sizes
 *   that reaches m (capacity comes in whole instances);
 * - work: `s_k + o_k − w_k ≥ 0` (tasks run on billed capacity);
 * - sampled-work backlog: `qu_k = qu_{k−1} + ru_k − u_k`, `qu_last = 0` (a task of minimum runtime ρ
 *   is running at ⌊ρ/T⌋ samples at least, none before its earliest start);
 * - work backlog: `qw_k = qw_{k−1} + rw_k − w_k`, `qw_last = 0` (work cannot be served before its
 *   earliest start, and all of it is served by the end);
 * - per block of `blockTicks` ticks: the on-demand share `Σo − share·Σ(s+o) ≥ 0` and the pool minimum
 *   `Σ(s+o) ≥ n·min` (blocks from `minFromTick` on; the fleet the run starts with is still booting).
 * Objective: `s_k`, `o_k` at the pool's cheapest spot and on-demand price per unit-tick.
 *
 * Why every run is feasible (with `s_k`, `o_k` the billed capacity integrated over the window ÷ T):
 * EC2 bills from the launch request (the oracle: from one drawn boot time before it), so an instance
 * that is ready at sample kT was billed over the whole window `(kT − T, kT]` when every lead time is
 * at least T (`minLeadTimeSec ≥ tickSec`, checked by the caller), and billed capacity ≥ ready
 * capacity ≥ metric demand + running tasks at the sample; task work in the window needs ready (so
 * billed) capacity; a task's attempt of runtime ≥ ρ covers ⌊ρ/T⌋ samples; a task cannot be runnable
 * before its chain arrives plus the longest chain of its ancestors' minimum runtimes. Capacity is
 * fluid otherwise (no fit, no diversification, any mix at the cheapest price per unit). Holding
 * capacity past the run (the drain) is free of metric demand. Prefetched setups shorten a task's
 * work; the sampled work uses runtimes without setup, and the check in {@link policyFloorUsd}
 * subtracts the setup a policy skipped and the demand it left unmet (from the bound without the
 * granularity rows, which are valid only for a policy that served every sample).
 *
 * What the bound leaves out, and why each candidate tightening was or was not added (session 9,
 * measured on the 1-day suite, bench/suite; the gap per pool is in docs/benchmarks.md):
 * - Boot billing per launch: every lead time of the suite's scenarios is 60–180 s and the shortest
 *   equals the tick (60 s), so "ready at sample kT ⇒ billed over (kT − T, kT]" already charges the
 *   part of the boot every policy must pay; a per-launch term would need the launch count (integer).
 * - The 60 s billing minimum per instance: one tick, implied by the same window row.
 * - Per-minute web demand and whole instances: already per tick, rounded up to instance sums.
 * - Step order: already (release at arrival + the critical path of predecessors' minimum runtimes).
 * - A step of u vCPU on one instance: the suite's steps need ≤ 2 vCPU and its batch instances have
 *   ≥ 4, so a fluid row never binds; counting whole instances of ready capacity needs integers (MILP).
 * - Memory: work-weighted memory per vCPU of every suite family is ≤ 2.34 GiB (nf-core's maximum),
 *   under the batch pool's 4 GiB per vCPU minimum, so a memory row would never bind.
 * - Not valid, so not added: the on-demand share per tick in whole instances (reactive held 22 %
 *   on-demand on taxi-montage's web pool against a share of 30 %; only the 5-minute block share is
 *   kept) and spot diversification (the simulated cloud does not enforce it; karpenter does not keep it).
 * - Not valid: any wait limit. Every policy may let steps queue (reactive's p95 waits reach 313 s,
 *   the oracle's cheapest strategy lets them wait up to 30 min), so the LP may defer a step's work to
 *   any later tick before the end of the drain. On a batch pool without metric demand or minimum the
 *   bound is then the work at the cheapest spot price per vCPU-second: that, and whole instances held
 *   idle between short steps, is what separates it from every feasible policy.
 *
 * Session 10: what the gap between the bound and the oracle was made of (1-day suite, the cases with
 * the largest oracle ÷ bound first). It was mostly the oracle, not the bound:
 * - The Lambda tier: the oracle's burst router priced each unplaced step against a launch for it
 *   alone (a boot and the 60 s minimum), so on asg-seismology (818,931 steps of 1 s) it ran the whole
 *   batch pool on Lambda, 32.97 USD against 4.32 for the work at the cheapest spot price; on EC2
 *   alone the same strategy cost 24.52 for the batch pool. Lambda is dearer per vCPU-second than any
 *   spot or on-demand offering (≥ 1,769 MB per vCPU, core/plan/burst.ts), so the bound, which prices
 *   every vCPU-second at the pool's cheapest unit price, already stays under a run that bursts.
 * - Idle whole instances held between fan-outs: keeping idle capacity 20 minutes held 1,519
 *   unit-hours of batch capacity on asg-seismology for about 280 vCPU-hours of work; and a waiting
 *   strategy launched, for an empty pool, one instance per late step that fitted nowhere (enough to
 *   run a whole fan-out at once, each paying a boot and 60 s). With one instance at a time and idle
 *   capacity released after its minimum (sim/policies/oracle.ts), the oracle cost 8.71 USD on
 *   elb-1000genome (bound 7.66, 1.14×; 17.85 before) and 16.42 on netin-bwa (bound 14.56, 1.13×;
 *   58.10 before), so the bound is within about 15 % of a feasible policy there.
 * - What remains between the bound and that oracle, none of it valid for every policy as a linear
 *   row: boots beyond the shortest lead time (lead times are drawn from 60–180 s and the oracle is
 *   billed one drawn lead time per launch; the bound charges only the 60 s every launch pays,
 *   sim/cloud/lead-time.ts); the on-demand floor in
 *   whole instances (the oracle keeps ⌈0.3 × need⌉ units on-demand, at least one 2-vCPU instance on a
 *   2-unit web pool, 78 % of asg-seismology's web units, where the bound keeps a fluid 30 % per block;
 *   the simulated cloud enforces no floor, so only the block share is kept); spot diversification
 *   (a rule of the oracle and prescale, not of the cloud: karpenter does not keep it); and a step's
 *   wait, which the bound may stretch to the end of the drain.
 * No row was added: each candidate is either implied already, binds on no suite case, or is broken by
 * a real policy (above); a per-launch boot term would need integer launch counts (a MILP over 1,441
 * ticks × offerings per pool), not tried within the session.
 *
 * EC2 warm pools (issue 19, core/plan/warm-pool.ts) keep the bound valid without a tier of their own:
 * a warm start (30–60 s, sim/cloud/warm-pool.ts) is shorter than a tick, so an instance started from
 * the pool may be billed over only part of the window before the sample it is ready at, a deficit of
 * at most `tickSec − 30 s`. But every instance that enters a warm pool brings at least 60 s of
 * on-demand billing that serves no sample (its own initialisation before it stops, or, for one
 * returned on scale-in, the initialisation of the instance it displaces, charged with its 60 s
 * minimum), at a price per unit no lower than the cheapest on-demand one the LP uses. The objective
 * depends only on the sum of billed unit-ticks per market, so moving those seconds into the warm
 * start's window keeps the run a feasible point at no more than its cost whenever
 * `tickSec ≤ 90 s` (deficit ≤ 60 s); EBS of stopped instances only adds to the run's cost.
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
  /** Task work per tick released at the tasks' earliest start, vCPU-seconds, over run and drain ticks. */
  readonly releasedVcpuSec: readonly number[];
  /**
   * vCPU-samples per tick: for each task, vCPU × ⌊minimum runtime ÷ tickSec⌋ placed at the first
   * sample at or after its earliest start (absent: none).
   */
  readonly releasedSampleVcpu?: readonly number[];
  /** Capacity units of the pool's instance offerings (for the granularity rows; absent: none). */
  readonly instanceUnits?: readonly number[];
  /** First tick the pool minimum is enforced at (the first blocks hold the booting start fleet). @default 0 */
  readonly minFromTick?: number;
}

/** The bound's result. */
export interface LowerBoundResult {
  /** The bound for a policy that serves every sample of metric demand (granularity rows on). */
  readonly totalUsd: number;
  /** The bound without the granularity rows (the floor for a policy that left demand unmet). */
  readonly relaxedTotalUsd: number;
  readonly byPool: ReadonlyArray<{ readonly poolId: string; readonly usd: number; readonly relaxedUsd: number }>;
  /** Highest price per unit-hour any pool's capacity carries in the bound (for {@link policyFloorUsd}). */
  readonly maxUsdPerUnitHour: number;
  /** Periods (run ticks and drain blocks) over every pool's model. */
  readonly blocks: number;
  readonly status: string;
}

/** Options of {@link lowerBoundModel}. */
export interface LowerBoundModelOptions {
  /** Include the granularity rows. @default true */
  readonly granular?: boolean;
  /** Drain ticks (after the run's metric demand) per period. @default 30 */
  readonly drainBlockTicks?: number;
}

/**
 * The smallest sum of `sizes` (each usable any number of times) that is ≥ `units`; `units` itself
 * when the sizes are not all positive integers (no granularity assumed) or when `units` ≤ 0.
 * @param sizes instance capacity units
 */
export function smallestInstanceSum(sizes: readonly number[], units: number): number {
  if (units <= 1e-9) return Math.max(0, units);
  const ints = [...new Set(sizes)].filter((s) => s > 0);
  if (ints.length === 0 || ints.some((s) => !Number.isInteger(s))) return units;
  const need = Math.ceil(units - 1e-9);
  const limit = need + Math.max(...ints);
  const reach = new Uint8Array(limit + 1);
  reach[0] = 1;
  for (let v = 1; v <= limit; v++) for (const s of ints) if (s <= v && reach[v - s]) { reach[v] = 1; break; }
  for (let v = need; v <= limit; v++) if (reach[v]) return v;
  return units;
}

/**
 * The periods of the model: one per run tick, then the drain in blocks of `drainBlockTicks` (no
 * metric demand there, so summing a block's rows only relaxes them).
 */
function periods(runTicks: number, ticks: number, drainBlockTicks: number): Array<{ readonly from: number; readonly len: number }> {
  const out: Array<{ from: number; len: number }> = [];
  for (let k = 0; k < Math.min(runTicks, ticks); k++) out.push({ from: k, len: 1 });
  for (let k = runTicks; k < ticks; k += drainBlockTicks) out.push({ from: k, len: Math.min(drainBlockTicks, ticks - k) });
  return out;
}

/**
 * A pool's relaxation as an LP (names `s{p}`, `o{p}`, `u{p}`, `w{p}`, `qu{p}`, `qw{p}` per period
 * `p`: a run tick, or a block of drain ticks whose variables are unit-ticks summed over it; see
 * module doc).
 */
export function lowerBoundModel(pool: LowerBoundPool, tickSec: number, blockTicks: number, opts: LowerBoundModelOptions = {}): { model: LpModel; blocks: number } {
  const m = new LpModel();
  const sample = pool.releasedSampleVcpu ?? [];
  const ticks = Math.max(pool.metricUnits.length, pool.releasedVcpuSec.length, sample.length);
  const runTicks = pool.metricUnits.length;
  const spotPrice = pool.spotUsdPerUnitHour === undefined ? undefined : (Math.min(pool.spotUsdPerUnitHour, pool.onDemandUsdPerUnitHour) * tickSec) / 3600;
  const odPrice = (pool.onDemandUsdPerUnitHour * tickSec) / 3600;
  const hasWork = pool.releasedVcpuSec.some((v) => v > 0);
  const hasSample = sample.some((v) => v > 0);
  const granular = opts.granular !== false && (pool.instanceUnits?.length ?? 0) > 0;
  const gran = new Map<number, number>();
  const granOf = (u: number): number => {
    let g = gran.get(u);
    if (g === undefined) gran.set(u, (g = smallestInstanceSum(pool.instanceUnits ?? [], u)));
    return g;
  };
  const cap = (k: number): Term[] => (spotPrice !== undefined ? [[1, `o${k}`], [1, `s${k}`]] : [[1, `o${k}`]]);
  const ps = periods(runTicks, ticks, Math.max(1, opts.drainBlockTicks ?? 30));
  ps.forEach(({ from, len }, k) => {
    m.minimise([odPrice, `o${k}`]);
    m.bound(`o${k}`, 0, Infinity);
    if (spotPrice !== undefined) {
      m.minimise([spotPrice, `s${k}`]);
      m.bound(`s${k}`, 0, Infinity);
    }
    let rw = 0;
    let ru = 0;
    for (let t = from; t < from + len; t++) { rw += (pool.releasedVcpuSec[t] ?? 0) / tickSec; ru += sample[t] ?? 0; }
    const mt = from < runTicks ? pool.metricUnits[from] ?? 0 : 0;
    const last = k === ps.length - 1;
    if (hasSample) {
      m.bound(`u${k}`, 0, Infinity);
      m.bound(`qu${k}`, 0, last ? 0 : Infinity);
      m.row(`cv${k}`, [...cap(k), [-1, `u${k}`]], '>=', mt);
      m.row(`bu${k}`, [[1, `qu${k}`], [1, `u${k}`], ...(k > 0 ? [[-1, `qu${k - 1}`] as Term] : [])], '=', ru);
    } else if (mt > 0) m.row(`cv${k}`, cap(k), '>=', mt);
    if (granular && mt > 0) {
      const g = granOf(mt);
      if (g > mt + 1e-9) m.row(`gr${k}`, cap(k), '>=', g);
    }
    if (hasWork) {
      m.bound(`w${k}`, 0, Infinity);
      m.bound(`qw${k}`, 0, last ? 0 : Infinity);
      m.row(`wk${k}`, [...cap(k), [-1, `w${k}`]], '>=', 0);
      m.row(`bw${k}`, [[1, `qw${k}`], [1, `w${k}`], ...(k > 0 ? [[-1, `qw${k - 1}`] as Term] : [])], '=', rw);
    }
  });
  // per block of blockTicks: the on-demand share (run and drain) and the pool minimum (run ticks from minFromTick)
  const byBlock = new Map<number, number[]>();
  ps.forEach(({ from }, k) => {
    const b = Math.floor(from / blockTicks);
    const list = byBlock.get(b) ?? [];
    list.push(k);
    byBlock.set(b, list);
  });
  for (const [b, ks] of byBlock) {
    if (spotPrice !== undefined && pool.onDemandShare > 0) {
      m.row(`od${b}`, ks.flatMap((k) => [[1 - pool.onDemandShare, `o${k}`], [-pool.onDemandShare, `s${k}`]] as Term[]), '>=', 0);
    }
    const runKs = ks.filter((k) => ps[k].from < runTicks && ps[k].from >= (pool.minFromTick ?? 0));
    if (pool.minUnits > 0 && runKs.length > 0 && ps[ks[0]].from >= (pool.minFromTick ?? 0)) m.row(`fl${b}`, runKs.flatMap((k) => cap(k)), '>=', pool.minUnits * runKs.length);
  }
  return { model: m, blocks: ps.length };
}

/**
 * The lowest cost a policy that served all but `skippedUnitSec` unit-seconds of the bound's demand
 * could reach: the bound (without its granularity rows when any metric demand went unmet) minus that
 * demand at the dearest price per unit in it (dropping one unit-second of demand lowers the LP's
 * value by at most that price, since covering it with on-demand capacity keeps every row feasible).
 * @param skippedUnitSec unmet metric demand plus task work a policy did not run on its pools (prefetched setups), unit-seconds
 * @param unmetUnitSec the metric demand it left unmet, unit-seconds (> 0: the relaxed bound applies)
 */
export function policyFloorUsd(bound: LowerBoundResult, skippedUnitSec: number, unmetUnitSec = 0): number {
  const base = unmetUnitSec > 1e-9 ? bound.relaxedTotalUsd : bound.totalUsd;
  return base - (Math.max(0, skippedUnitSec) * bound.maxUsdPerUnitHour) / 3600;
}
