/**
 * The capacity MILP of one pool and tick, as data (see milp.ts for the formulation): the candidate
 * offerings, the grouping of slots into blocks, and the model builder with its mapping from a per-slot
 * plan to the model's variables and its solver-free lower bound. Pure; solving is milp.ts' job.
 */
import type { ComposeRequest } from './frame.js';
import { onDemandFloorUnits, type Counts, type OfferingInfo } from './fleet.js';
import { LpModel, type Term } from './lp-format.js';
import { capacityLowerBoundUsd, type BoundBlock } from './milp-bound.js';
import type { MilpPlannerOptions, MilpStats } from './milp-types.js';

/**
 * Candidate offerings the MILP may launch in: every offering already in the fleet, the
 * `candidatesPerMarket` cheapest spot and on-demand offerings by effective USD per unit (at least
 * 2 × ⌈1/maxSpotSharePerOffering⌉ and minSpotOfferings + 2 spot ones, so diversification stays
 * feasible), and the cheapest of each instance size per market (for fine-grained fitting). Dropping the
 * rest keeps the model small; an offering left out is dearer per unit than every kept one of its
 * market, so it would only be chosen to fill a share cap the kept ones cannot.
 */
export function milpCandidates(req: ComposeRequest, candidatesPerMarket = 4): string[] {
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
export interface SlotBlock {
  readonly first: number;
  readonly count: number;
  /** Units to cover: the block's running maximum of demand, rounded up to whole capacity. */
  readonly target: number;
  /** The block's running maximum of demand, unrounded (the on-demand floor's share applies to it, as in the greedy rules). */
  readonly demandUnits: number;
}

/**
 * Groups slots. Counts never decrease inside the horizon, so covering slot s implies covering every
 * earlier target: each slot's constraint is exactly "cover the running maximum of targets", and runs
 * of slots with the same running maximum merge without changing the optimum. Up to the launch cut-off
 * (the longest lead time + margin + one tick after the first slot) that is all; later slots, which only
 * shape later launches and the cost and are planned again every tick, also go in blocks of at most
 * `blockSlots`.
 */
export function slotBlocks(req: ComposeRequest, blockSlots = 30): SlotBlock[] {
  const t0 = req.slotStartSec[0] ?? 0;
  const cutoff = t0 + req.tickSec + req.book.maxLeadTimeSec() + req.pool.launchMarginSec;
  const runMax: number[] = [];
  req.targets.forEach((t, i) => runMax.push(Math.max(t, i > 0 ? runMax[i - 1] : 0)));
  const out: SlotBlock[] = [];
  let s = 0;
  while (s < runMax.length) {
    let n = 1;
    if (req.slotStartSec[s] < cutoff) {
      while (s + n < runMax.length && req.slotStartSec[s + n] < cutoff && runMax[s + n] - runMax[s] < 1e-9) n++;
    } else n = Math.min(blockSlots, runMax.length - s);
    // capacity comes in whole vCPUs, so covering T is covering ⌈T⌉
    out.push({ first: s, count: n, target: Math.ceil(runMax[s + n - 1] - 1e-9), demandUnits: runMax[s + n - 1] });
    s += n;
  }
  return out;
}

/**
 * Whether "at least `minSpotOfferings` spot offerings" needs the MILP's binaries. Each used offering
 * holds at most `share` of the spot units, so any spot plan already uses ⌈1/share⌉ offerings; the
 * binaries are only needed when k exceeds that (e.g. share 0.5 and k 3, not share 0.4 and k 3).
 */
export function needsOfferingCount(maxSpotSharePerOffering: number, minSpotOfferings: number): boolean {
  const implied = Math.ceil(1 / Math.max(maxSpotSharePerOffering, 1e-9) - 1e-9);
  return minSpotOfferings > implied;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A built capacity MILP. */
export interface CapacityMilp {
  /** The model as CPLEX LP text (written on first read). */
  readonly lp: string;
  readonly model: LpModel;
  /** Maps a per-slot plan to the model's variables, to check and price it without solving. */
  readonly assignmentOf: (slots: readonly Counts[]) => Map<string, number> | undefined;
  readonly ids: string[];
  readonly blocks: SlotBlock[];
  readonly stats: Omit<MilpStats, 'status'>;
  /** A lower bound on the optimum without a solver (see milp-bound.ts), computed on first read. */
  readonly lowerBoundUsd: number;
}

/** Builds the MILP for a request; exported for tests and benchmarks. */
export function buildCapacityMilp(req: ComposeRequest, opts: MilpPlannerOptions = {}): CapacityMilp {
  const { book, pool, base } = req;
  const ids = milpCandidates(req, opts.candidatesPerMarket);
  const infos: OfferingInfo[] = ids.map((id) => book.info(id));
  // Capacity comes in multiples of g = gcd of the instance sizes, so covering T is covering ⌈T/g⌉·g.
  const g = infos.reduce((acc, o) => gcd(acc, Math.round(o.capacityUnits)), 0) || 1;
  const blocks = slotBlocks(req, opts.blockSlots).map((b) => ({ ...b, target: Math.ceil(b.target / g - 1e-9) * g }));
  const S = blocks.length;
  let dearest = 0;
  for (const o of infos) dearest = Math.max(dearest, o.effectiveUsdPerHour / o.capacityUnits);
  const penalty = (dearest > 0 ? dearest : 1) * (opts.shortfallPenaltyMultiplier ?? 50);
  const m = new LpModel();
  const spotIdx = infos.map((o, i) => (o.market === 'spot' ? i : -1)).filter((i) => i >= 0);
  const odIdx = infos.map((o, i) => (o.market === 'on-demand' ? i : -1)).filter((i) => i >= 0);
  const odLaunchable = odIdx.some((i) => infos[i].launchable);
  const needK = spotIdx.length > 0 && needsOfferingCount(pool.maxSpotSharePerOffering, pool.minSpotOfferings);
  const changePerTick = pool.maxChangeUnitsPerTick;
  let vars = 0;
  let rows = 0;
  const boundBlocks: BoundBlock[] = [];
  const x = (i: number, s: number): string => `x${i}_${s}`;
  // Tight upper bounds keep the LP relaxation close to the integers: no optimum holds more than twice
  // (the peak need + the largest instance) in one offering.
  const peak = Math.max(0, ...blocks.map((b) => Math.max(b.target, onDemandFloorUnits(pool, b.demandUnits))));
  const biggest = Math.max(1, ...infos.map((o) => o.capacityUnits));
  const upperOf = (i: number): number => {
    const o = infos[i];
    const b = base.get(o.id) ?? 0;
    if (!o.launchable) return b;
    return Math.max(b, Math.min(Math.floor(pool.maxUnits / o.capacityUnits + 1e-9), Math.ceil((2 * (peak + biggest)) / o.capacityUnits)));
  };
  for (let s = 0; s < S; s++) {
    const blk = blocks[s];
    const hours = (blk.count * req.slotSec) / 3600;
    const all: Term[] = infos.map((o, i) => [o.capacityUnits, x(i, s)]);
    const launches: Term[] = [];
    let baseUnits = 0;
    const boundOfferings: BoundBlock['offerings'][number][] = [];
    infos.forEach((o, i) => {
      const b = base.get(o.id) ?? 0;
      baseUnits += b * o.capacityUnits;
      const upper = upperOf(i);
      m.bound(x(i, s), b, upper);
      m.integer(x(i, s));
      // paid while booting: each instance above the base costs its lead time once
      const bootUsd = s === S - 1 && o.launchable ? o.priceUsdPerHour * (o.launchLeadTimeSec / 3600) + 1e-6 : 0;
      m.minimise([o.effectiveUsdPerHour * hours + bootUsd, x(i, s)]);
      boundOfferings.push({ usdPerUnit: (o.effectiveUsdPerHour * hours + bootUsd) / o.capacityUnits, baseUnits: b * o.capacityUnits, spot: o.market === 'spot', launchable: upper > b });
      vars++;
      if (!o.launchable || upper === b) return;
      launches.push([o.capacityUnits, x(i, s)]);
      if (s > 0) {
        // no planned removals inside the horizon: scale-in is the frame's decision (hysteresis)
        m.row(`mon${i}_${s}`, [[1, x(i, s)], [-1, x(i, s - 1)]], '>=', 0);
        launches.push([-o.capacityUnits, x(i, s - 1)]);
        rows++;
      }
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
    const floor = onDemandFloorUnits(pool, blk.demandUnits);
    boundBlocks.push({
      offerings: boundOfferings, targetUnits: blk.target, floorUnits: floor > 0 && odLaunchable ? floor : 0,
      penaltyUsdPerUnit: penalty * hours, maxSpotShare: pool.maxSpotSharePerOffering,
    });
    if (floor > 0 && odLaunchable) {
      // soft at twice the shortfall penalty: only the spend cap or the pool size may override it
      m.row(`odf${s}`, [...odIdx.map((i) => [infos[i].capacityUnits, x(i, s)] as Term), [1, `v${s}`]], '>=', floor);
      m.bound(`v${s}`, 0, Infinity);
      m.minimise([2 * penalty * hours, `v${s}`]);
      rows++;
      vars++;
    }
    // launches into a block may spread over its ticks
    const ticks = Math.max(1, Math.floor((blk.count * req.slotSec) / req.tickSec));
    if (launches.length > 0) {
      m.row(`chg${s}`, launches, '<=', changePerTick * ticks + (s === 0 ? baseUnits : 0));
      rows++;
    }
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
        // at least k offerings when spot is used: y_i = 1 iff offering i is used (x_i ≤ U_i y_i,
        // y_i ≤ x_i), and any used offering needs k used ones (Σ_j y_j ≥ k · y_i)
        const ys: Term[] = spotIdx.map((j) => [1, `y${j}_${s}`]);
        for (const i of spotIdx) {
          const y = `y${i}_${s}`;
          m.binary(y);
          m.row(`xy${i}_${s}`, [[1, x(i, s)], [-Math.max(1, upperOf(i)), y]], '<=', 0);
          m.row(`yx${i}_${s}`, [[1, y], [-1, x(i, s)]], '<=', 0);
          m.row(`cnt${i}_${s}`, ys.map(([c, n]) => (n === y ? [c - pool.minSpotOfferings, n] : [c, n]) as Term), '>=', 0);
          rows += 3;
          vars++;
        }
      }
    }
  }
  /** The MILP variables of a per-slot plan (undefined when it uses an offering outside the model). */
  const assignmentOf = (slots: readonly Counts[]): Map<string, number> | undefined => {
    const known = new Set(ids);
    const v = new Map<string, number>();
    for (let s = 0; s < S; s++) {
      const c = slots[blocks[s].first + blocks[s].count - 1];
      for (const id of c.keys()) if (!known.has(id)) return undefined;
      let units = 0; let od = 0; let spot = 0;
      infos.forEach((o, i) => {
        const n = c.get(o.id) ?? 0;
        v.set(x(i, s), n);
        units += n * o.capacityUnits;
        if (o.market === 'spot') { spot += n * o.capacityUnits; if (needK) v.set(`y${i}_${s}`, n > 0 ? 1 : 0); } else od += n * o.capacityUnits;
      });
      v.set(`u${s}`, Math.max(0, blocks[s].target - units));
      v.set(`v${s}`, Math.max(0, onDemandFloorUnits(pool, blocks[s].demandUnits) - od));
      v.set(`S${s}`, spot);
    }
    return v;
  };
  let lp: string | undefined;
  let lowerBoundUsd: number | undefined;
  return {
    get lp() { return (lp ??= m.toString()); },
    get lowerBoundUsd() { return (lowerBoundUsd ??= capacityLowerBoundUsd(boundBlocks)); },
    model: m, assignmentOf, ids, blocks, stats: { variables: vars, rows },
  };
}
