/**
 * Reading a capacity MILP's solution back into per-slot counts, and naming the constraints that are
 * tight at the chosen plan (the plan's "binding constraints").
 */
import type { ComposeRequest } from './frame.js';
import { onDemandFloorUnits, sortCounts, type Counts } from './fleet.js';
import type { SlotBlock } from './milp-model.js';
import type { LpSolution } from './milp-types.js';

/** Reads the counts per slot from a solution (each block's counts repeated over its slots). */
export function readCounts(sol: LpSolution, ids: readonly string[], blocks: readonly SlotBlock[]): Counts[] {
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
export function tightConstraints(req: ComposeRequest, slots: readonly Counts[]): Set<string> {
  const b = new Set<string>();
  const { book, pool } = req;
  let cheapest = Infinity;
  for (const o of book.spot) cheapest = Math.min(cheapest, o.priceUsdPerHour);
  for (const o of book.onDemand) cheapest = Math.min(cheapest, o.priceUsdPerHour);
  slots.forEach((c, s) => {
    let units = 0; let usd = 0; let od = 0; let spot = 0; let maxSpot = 0;
    for (const [id, n] of c) {
      const o = book.info(id);
      units += n * o.capacityUnits; usd += n * o.priceUsdPerHour;
      if (o.market === 'spot') { spot += n * o.capacityUnits; maxSpot = Math.max(maxSpot, n * o.capacityUnits); } else od += n * o.capacityUnits;
    }
    const short = req.targets[s] > units + 1e-9;
    if (short) b.add('demand not covered');
    const atMax = units >= pool.maxUnits - 1e-9;
    if (atMax) b.add('max pool size');
    const atCap = req.spendCapUsdPerHour !== undefined && usd > req.spendCapUsdPerHour - cheapest;
    if (atCap) b.add('spend cap');
    const floor = onDemandFloorUnits(pool, req.targets[s]);
    // the model's only other limit on adding capacity is the change per tick
    if ((short || od < floor - 1e-9) && !atMax && !atCap && book.onDemand.length > 0) b.add('change limit per tick');
    if (floor > 0 && od <= floor + 1e-9 && book.spot.length > 0) b.add('on-demand floor');
    if (floor > od + 1e-9 && book.onDemand.length === 0) b.add(pool.markets.includes('on-demand') ? 'no on-demand offering available' : 'on-demand market not allowed');
    if (spot > 0 && maxSpot >= pool.maxSpotSharePerOffering * spot - 1e-9) b.add('spot diversification');
  });
  return b;
}

