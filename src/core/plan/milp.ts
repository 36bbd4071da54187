/**
 * The chance-constrained capacity MILP, solved with HiGHS (injected, already loaded: core stays pure).
 *
 * For one pool, offerings i and slots s, integer counts x[i,s] minimise the expected cost over the
 * horizon
 *
 *   Σ_s Σ_i c_i·x[i,s]·Δ/3600  +  Σ_s Σ_i p_i·(L_i/3600)·w[i,s]  +  P·Σ_s u[s]·Δ/3600
 *
 * with c_i = price + hazard × (lost work + replacement lead time) × units × value of a unit-hour
 * (fleet.ts), w the instances launched into slot s (paid while booting for lead time L_i) and u the
 * uncovered units, priced at a penalty P far above any offering. Subject to, per slot:
 * - coverage of the service-level quantile (the deterministic equivalent of P(D_s ≤ capacity) ≥ SL,
 *   with D_s's quantile read from the forecast plus predicted and committed step units):
 *   Σ_i k_i x[i,s] + u[s] ≥ T_s;
 * - on-demand floor: Σ_{i on-demand} k_i x[i,s] ≥ F_s (hard);
 * - diversification: k_i x[i,s] ≤ share · Σ_{spot} k_j x[j,s] for spot i, and when share·k > 1 also
 *   at least k offerings in use whenever spot is used (binaries y, z);
 * - maximum pool size Σ k_i x ≤ max; spend cap Σ p_i x ≤ cap (hard);
 * - change limit Σ_i k_i w[i,s] ≤ maxChange per tick; existing instances kept (x ≥ base), offerings
 *   that cannot launch fixed at their base.
 * When HiGHS does not return an optimum (infeasible, time limit, error) the greedy composer answers
 * instead and the plan's reason says why.
 */
import { greedyComposer, planWithFrame, type ComposeRequest, type ComposeResult, type PlannerOptions, type SlotComposer } from './frame.js';
import { onDemandFloorUnits, sortCounts, type Counts, type OfferingInfo } from './fleet.js';
import { LpModel, type Term } from './lp-format.js';
import type { Planner } from './types.js';

/** The part of a HiGHS solution the planner reads. */
export interface LpSolution {
  readonly Status: string;
  readonly ObjectiveValue: number | null;
  readonly Columns: Readonly<Record<string, { readonly Primal?: number }>>;
}

/** A loaded LP/MILP solver taking CPLEX LP text (the `highs` package's `solve`); synchronous. */
export interface LpSolver {
  solve(problem: string, options?: Readonly<Record<string, string | number | boolean>>): LpSolution;
}

/** Options of the MILP planner. */
export interface MilpPlannerOptions extends PlannerOptions {
  /** Solver wall-clock limit per pool and tick, seconds; reaching it falls back to greedy. @default 1 */
  readonly timeLimitSec?: number;
  /** Relative MIP gap at which HiGHS stops. @default 0.001 */
  readonly mipRelGap?: number;
  /** Penalty per uncovered unit-hour as a multiple of the dearest effective USD per unit-hour. @default 50 */
  readonly shortfallPenaltyMultiplier?: number;
  /** Candidate offerings kept per market (see {@link milpCandidates}). @default 6 */
  readonly candidatesPerMarket?: number;
  /** Slots per block beyond the launch cut-off (see {@link slotBlocks}). @default 5 */
  readonly blockSlots?: number;
}

/** Statistics of the last solve (for benchmarks and the decision log). */
export interface MilpStats { readonly variables: number; readonly rows: number; readonly status: string }

/**
 * Candidate offerings the MILP may launch in: every offering already in the fleet, the
 * `candidatesPerMarket` cheapest spot and on-demand offerings by effective USD per unit (at least
 * 2 × ⌈1/maxSpotSharePerOffering⌉ and minSpotOfferings + 2 spot ones, so diversification stays
 * feasible), and the cheapest of each instance size per market (for fine-grained fitting). Dropping the
 * rest keeps the model small; an offering left out is dearer per unit than every kept one of its
 * market, so it would only be chosen to fill a share cap the kept ones cannot.
 */
export function milpCandidates(req: ComposeRequest, candidatesPerMarket = 6): string[] {
  const { book, pool, base } = req;
  const keep = new Set<string>(base.keys());
  const spotN = Math.max(candidatesPerMarket, 2 * Math.ceil(1 / Math.max(pool.maxSpotSharePerOffering, 1e-3)), pool.minSpotOfferings + 2);
  book.spot.slice(0, spotN).forEach((o) => keep.add(o.id));
  book.onDemand.slice(0, Math.max(2, Math.ceil(candidatesPerMarket / 2))).forEach((o) => keep.add(o.id));
  for (const list of [book.spot, book.onDemand]) {
    const sizes = new Set<number>();
    for (const o of list) if (!sizes.has(o.capacityUnits)) { sizes.add(o.capacityUnits); keep.add(o.id); }
  }
  return [...keep].sort();
}

/** A group of consecutive slots planned as one in the MILP. */
export interface SlotBlock { readonly first: number; readonly count: number; readonly target: number }

/**
 * Groups slots: each slot up to the launch cut-off (the longest lead time + margin + one tick after the
 * first slot) stands alone, since launches due now depend on them; later slots go in blocks of
 * `blockSlots` planned at the block's highest target (they only shape later launches and the cost).
 */
export function slotBlocks(req: ComposeRequest, blockSlots = 5): SlotBlock[] {
  const t0 = req.slotStartSec[0] ?? 0;
  const cutoff = t0 + req.tickSec + req.book.maxLeadTimeSec() + req.pool.launchMarginSec;
  const out: SlotBlock[] = [];
  let s = 0;
  while (s < req.targets.length) {
    const n = req.slotStartSec[s] < cutoff ? 1 : Math.min(blockSlots, req.targets.length - s);
    out.push({ first: s, count: n, target: Math.max(...req.targets.slice(s, s + n)) });
    s += n;
  }
  return out;
}

/** Builds the LP text for a request; exported for tests and benchmarks. */
export function buildCapacityMilp(req: ComposeRequest, opts: MilpPlannerOptions = {}): { lp: string; ids: string[]; blocks: SlotBlock[]; stats: Omit<MilpStats, 'status'> } {
  const { book, pool, base } = req;
  const ids = milpCandidates(req, opts.candidatesPerMarket);
  const blocks = slotBlocks(req, opts.blockSlots);
  const infos: OfferingInfo[] = ids.map((id) => book.info(id));
  const S = blocks.length;
  let dearest = 0;
  for (const o of infos) dearest = Math.max(dearest, o.effectiveUsdPerHour / o.capacityUnits);
  const penalty = (dearest > 0 ? dearest : 1) * (opts.shortfallPenaltyMultiplier ?? 50);
  const m = new LpModel();
  const spotIdx = infos.map((o, i) => (o.market === 'spot' ? i : -1)).filter((i) => i >= 0);
  const odIdx = infos.map((o, i) => (o.market === 'on-demand' ? i : -1)).filter((i) => i >= 0);
  const odLaunchable = odIdx.some((i) => infos[i].launchable);
  const needK = spotIdx.length > 0 && pool.maxSpotSharePerOffering * pool.minSpotOfferings > 1 + 1e-9;
  const changePerTick = pool.maxChangeUnitsPerTick;
  let vars = 0;
  let rows = 0;
  const x = (i: number, s: number): string => `x${i}_${s}`;
  for (let s = 0; s < S; s++) {
    const blk = blocks[s];
    const hours = (blk.count * req.slotSec) / 3600;
    const all: Term[] = infos.map((o, i) => [o.capacityUnits, x(i, s)]);
    infos.forEach((o, i) => {
      const b = base.get(o.id) ?? 0;
      const upper = o.launchable ? Math.max(b, Math.floor(pool.maxUnits / o.capacityUnits + 1e-9)) : b;
      m.bound(x(i, s), b, upper);
      m.integer(x(i, s));
      m.minimise([o.effectiveUsdPerHour * hours, x(i, s)]);
      vars++;
      if (!o.launchable) return;
      const w = `w${i}_${s}`;
      m.minimise([o.priceUsdPerHour * (o.launchLeadTimeSec / 3600) + 1e-6, w]);
      m.bound(w, 0, Infinity);
      vars++;
      if (s === 0) m.row(`inc${i}_0`, [[1, w], [-1, x(i, 0)]], '>=', -b);
      else m.row(`inc${i}_${s}`, [[1, w], [-1, x(i, s)], [1, x(i, s - 1)]], '>=', 0);
      rows++;
    });
    m.minimise([penalty * hours, `u${s}`]);
    m.bound(`u${s}`, 0, Infinity);
    vars++;
    m.row(`cov${s}`, [...all, [1, `u${s}`]], '>=', blk.target);
    m.row(`max${s}`, all, '<=', pool.maxUnits);
    rows += 2;
    if (req.spendCapUsdPerHour !== undefined) {
      m.row(`cap${s}`, infos.map((o, i) => [o.priceUsdPerHour, x(i, s)] as Term), '<=', req.spendCapUsdPerHour);
      rows++;
    }
    const floor = onDemandFloorUnits(pool, blk.target);
    if (floor > 0 && odLaunchable) {
      m.row(`odf${s}`, odIdx.map((i) => [infos[i].capacityUnits, x(i, s)] as Term), '>=', floor);
      rows++;
    }
    // launches into a block may spread over its ticks
    const launches: Term[] = [];
    infos.forEach((o, i) => { if (o.launchable) launches.push([o.capacityUnits, `w${i}_${s}`]); });
    const ticks = Math.max(1, Math.floor((blk.count * req.slotSec) / req.tickSec));
    if (launches.length > 0) { m.row(`chg${s}`, launches, '<=', changePerTick * ticks); rows++; }
    if (spotIdx.length > 0) {
      const spotTotal = `S${s}`;
      m.bound(spotTotal, 0, Infinity);
      vars++;
      m.row(`spt${s}`, [...spotIdx.map((j) => [infos[j].capacityUnits, x(j, s)] as Term), [-1, spotTotal]], '=', 0);
      rows++;
      for (const i of spotIdx) {
        m.row(`div${i}_${s}`, [[infos[i].capacityUnits, x(i, s)], [-pool.maxSpotSharePerOffering, spotTotal]], '<=', 0);
        rows++;
      }
      if (needK) {
        m.binary(`z${s}`);
        m.row(`spu${s}`, [[1, spotTotal], [-pool.maxUnits, `z${s}`]], '<=', 0);
        m.row(`cnt${s}`, [...spotIdx.map((i) => [1, `y${i}_${s}`] as Term), [-pool.minSpotOfferings, `z${s}`]], '>=', 0);
        rows += 2;
        vars++;
        for (const i of spotIdx) {
          m.binary(`y${i}_${s}`);
          m.row(`yx${i}_${s}`, [[1, `y${i}_${s}`], [-1, x(i, s)]], '<=', 0);
          rows++;
          vars++;
        }
      }
    }
  }
  return { lp: m.toString(), ids, blocks, stats: { variables: vars, rows } };
}

/** Reads the counts per slot from a solution. */
function readCounts(sol: LpSolution, ids: readonly string[], blocks: readonly SlotBlock[]): Counts[] {
  const out: Counts[] = [];
  blocks.forEach((blk, s) => {
    const c: Counts = new Map();
    ids.forEach((id, i) => {
      const v = Math.round(sol.Columns[`x${i}_${s}`]?.Primal ?? 0);
      if (v > 0) c.set(id, v);
    });
    const sorted = sortCounts(c);
    for (let k = 0; k < blk.count; k++) out.push(sorted);
  });
  return out;
}

/** Constraints tight at the optimum, in words. */
function tightConstraints(req: ComposeRequest, slots: readonly Counts[]): Set<string> {
  const b = new Set<string>();
  const { book, pool } = req;
  slots.forEach((c, s) => {
    let units = 0; let usd = 0; let od = 0; let spot = 0; let maxSpot = 0;
    for (const [id, n] of c) {
      const o = book.info(id);
      units += n * o.capacityUnits; usd += n * o.priceUsdPerHour;
      if (o.market === 'spot') { spot += n * o.capacityUnits; maxSpot = Math.max(maxSpot, n * o.capacityUnits); } else od += n * o.capacityUnits;
    }
    const cheapest = Math.min(...[...book.spot, ...book.onDemand].map((o) => o.priceUsdPerHour), Infinity);
    if (req.targets[s] > units + 1e-9) b.add('demand not covered');
    if (units >= pool.maxUnits - 1e-9) b.add('max pool size');
    if (req.spendCapUsdPerHour !== undefined && usd > req.spendCapUsdPerHour - cheapest) b.add('spend cap');
    const floor = onDemandFloorUnits(pool, req.targets[s]);
    if (floor > 0 && od <= floor + 1e-9 && book.spot.length > 0) b.add('on-demand floor');
    if (floor > od + 1e-9 && book.onDemand.length === 0) b.add(pool.markets.includes('on-demand') ? 'no on-demand offering available' : 'on-demand market not allowed');
    if (spot > 0 && maxSpot >= pool.maxSpotSharePerOffering * spot - 1e-9) b.add('spot diversification');
  });
  return b;
}

/**
 * The MILP composer: solves {@link buildCapacityMilp} with `solver`; falls back to the greedy composer
 * (solver reported as 'greedy', reason naming the HiGHS status or error) when no optimum is returned.
 */
export function milpComposer(solver: LpSolver, opts: MilpPlannerOptions = {}): SlotComposer {
  return (req: ComposeRequest): ComposeResult => {
    let status: string;
    try {
      const { lp, ids, blocks } = buildCapacityMilp(req, opts);
      const sol = solver.solve(lp, { output_flag: false, time_limit: opts.timeLimitSec ?? 1, mip_rel_gap: opts.mipRelGap ?? 1e-3, random_seed: 0 });
      status = sol.Status;
      if (status === 'Optimal') {
        const slots = readCounts(sol, ids, blocks);
        return { slots, binding: tightConstraints(req, slots), solver: 'highs' };
      }
    } catch (e) {
      status = `error: ${(e as Error).message.split('\n')[0]}`;
    }
    const g = greedyComposer(req);
    return { ...g, note: `HiGHS ${status}; greedy fallback` };
  };
}

/**
 * Creates the MILP planner over an already-loaded HiGHS (see `src/adapters/highs/`). Same frame as
 * the greedy planner (hysteresis, lead-time launches, change limit, explanations).
 */
export function createMilpPlanner(solver: LpSolver, opts: MilpPlannerOptions = {}): Planner {
  const composer = milpComposer(solver, opts);
  return { name: 'milp', plan: (input) => planWithFrame(input, opts, composer) };
}
