/**
 * A lower bound on the capacity MILP's optimum computed without a solver, so that a greedy plan
 * already within the MIP gap of it needs no HiGHS call at all.
 *
 * The bound relaxes the MILP (so it can only be lower than the optimum): integrality, the rows that
 * link blocks (no removals, change limit per tick), the maximum pool size, the spend cap, the
 * "at least k offerings" binaries and the offerings' upper bounds are dropped. What remains falls
 * apart into one small LP per block, over od units O and spot units S:
 *
 *   min  g(O) + f(S) + P_s·max(0, T − O − S) + 2·P_s·max(0, F − O)
 *
 * with g(O) the cost of the kept on-demand instances plus (O − O₀) at the cheapest launchable
 * on-demand USD per unit, and f(S) the cheapest way to hold S spot units with every offering at
 * most `share`·S and at least its kept instances (fill the cheapest per unit first: a fractional
 * knapsack, exact for the LP). For a given S the minimum over O is at a kink (exact); the result is
 * convex in S (an LP value function of a right-hand side), so a golden-section search finds its
 * minimum; a small relative margin covers the search's tolerance.
 */

/** One candidate offering of one block, per unit of capacity. */
export interface BoundOffering {
  /** Objective coefficient per capacity unit in this block (USD). */
  readonly usdPerUnit: number;
  /** Units held by kept instances (the variable's lower bound × units per instance). */
  readonly baseUnits: number;
  readonly spot: boolean;
  /** False when the offering is fixed at its kept instances. */
  readonly launchable: boolean;
}

/** One block of the relaxation. */
export interface BoundBlock {
  readonly offerings: readonly BoundOffering[];
  /** Units to cover (T) and the on-demand floor (F, 0 when the model has no floor row). */
  readonly targetUnits: number;
  readonly floorUnits: number;
  /** Objective cost of one uncovered unit in this block (P_s); a floor unit missing costs twice it. */
  readonly penaltyUsdPerUnit: number;
  /** Maximum share of the spot units in one offering (1 when no diversification rows). */
  readonly maxSpotShare: number;
}

const ITERATIONS = 60;
const PHI = (Math.sqrt(5) - 1) / 2;

/** Minimum of a convex function on [lo, hi] by golden-section search (fixed iterations: deterministic). */
function minimiseConvex(fn: (x: number) => number, lo: number, hi: number): number {
  if (!(hi > lo)) return fn(lo);
  let a = lo; let b = hi;
  let c = b - PHI * (b - a); let d = a + PHI * (b - a);
  let fc = fn(c); let fd = fn(d);
  for (let i = 0; i < ITERATIONS; i++) {
    if (fc <= fd) { b = d; d = c; fd = fc; c = b - PHI * (b - a); fc = fn(c); } else { a = c; c = d; fc = fd; d = a + PHI * (b - a); fd = fn(d); }
  }
  return Math.min(fc, fd, fn(lo), fn(hi));
}

/**
 * Lower bound of one block's objective (USD); Infinity when the relaxation is infeasible (kept spot
 * instances that no spot total can diversify).
 */
export function blockLowerBoundUsd(blk: BoundBlock): number {
  const share = Math.min(1, Math.max(blk.maxSpotShare, 1e-9));
  let baseUsd = 0; let o0 = 0; let s0 = 0; let odRate = Infinity; let maxSpotBase = 0; let fixedSpot = 0; let spotRateMin = Infinity;
  const fill: { rate: number; base: number }[] = [];
  for (const o of blk.offerings) {
    baseUsd += o.usdPerUnit * o.baseUnits;
    if (o.spot) {
      s0 += o.baseUnits;
      maxSpotBase = Math.max(maxSpotBase, o.baseUnits);
      if (o.launchable) { fill.push({ rate: o.usdPerUnit, base: o.baseUnits }); spotRateMin = Math.min(spotRateMin, o.usdPerUnit); } else fixedSpot += o.baseUnits;
    } else {
      o0 += o.baseUnits;
      if (o.launchable) odRate = Math.min(odRate, o.usdPerUnit);
    }
  }
  fill.sort((x, y) => x.rate - y.rate);
  const hasSpot = fill.length > 0 || s0 > 0;
  const sLo = hasSpot ? Math.max(s0, maxSpotBase / share) : 0;
  // n launchable offerings at share·S each plus the fixed ones must hold S
  const nShare = fill.length * share;
  const sMax = !hasSpot ? 0 : nShare >= 1 ? Infinity : fixedSpot / (1 - nShare);
  if (sLo > sMax + 1e-9) return Infinity;
  /** Extra cost of S spot units over the kept ones (Infinity when they do not fit). */
  const spotExtra = (s: number): number => {
    let left = s - s0;
    let usd = 0;
    for (const f of fill) {
      if (left <= 0) break;
      const room = Math.max(0, share * s - f.base);
      const put = Math.min(room, left);
      usd += put * f.rate;
      left -= put;
    }
    return left > 1e-9 ? Infinity : usd;
  };
  const { targetUnits: t, floorUnits: fl, penaltyUsdPerUnit: p } = blk;
  // For a given S the rest is piecewise linear in O with kinks at F and T − S only: its minimum over
  // [O0, oHi] is at one of them or an end (beyond max(O0, F, T) extra od units only add cost).
  const oHi = Number.isFinite(odRate) ? Math.max(o0, fl, t) : o0;
  const odPart = (o: number, s: number): number =>
    (o > o0 ? (o - o0) * odRate : 0) + p * Math.max(0, t - o - s) + 2 * p * Math.max(0, fl - o);
  const bestForS = (s: number): number => {
    const clamp = (o: number): number => Math.min(oHi, Math.max(o0, o));
    return spotExtra(s) + Math.min(odPart(o0, s), odPart(oHi, s), odPart(clamp(fl), s), odPart(clamp(t - s), s));
  };
  // Beyond S ≥ S0 + best / (cheapest spot rate) the spot units alone cost more than the best found.
  const guess = bestForS(Math.min(Math.max(sLo, t - o0), sMax));
  const sHi = Math.min(sMax, Math.max(sLo, t, Number.isFinite(guess) && spotRateMin > 0 ? s0 + guess / spotRateMin : t));
  const extra = hasSpot ? minimiseConvex(bestForS, sLo, Math.max(sLo, sHi)) : bestForS(0);
  return baseUsd + extra;
}

/** Lower bound of the whole model: the sum over blocks, less a 1e-6 relative margin for the searches. */
export function capacityLowerBoundUsd(blocks: readonly BoundBlock[]): number {
  let usd = 0;
  for (const b of blocks) usd += blockLowerBoundUsd(b);
  return usd - 1e-6 * Math.abs(usd);
}
