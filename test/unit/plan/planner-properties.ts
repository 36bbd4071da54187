/** Invariants every planner's output must keep, checked on seeded random inputs. */
import { expect } from 'vitest';
import type { Offering } from '../../../src/core/model/index.js';
import type { PlanInput, PlanOutput } from '../../../src/core/plan/index.js';

/** Asserts the on-demand floor, diversification, spend cap, max size and launchability hold. */
export function expectPlanInvariants(inp: PlanInput, out: PlanOutput): void {
  const byId = new Map<string, Offering>(inp.offerings.map((o) => [o.id, o]));
  for (const i of inp.capacity.instances) if (!byId.has(i.offeringId)) throw new Error('test inputs use listed offerings only');
  const { pool } = inp;
  const binding = out.plan.bindingConstraints;
  out.plan.slots.forEach((slot) => {
    let units = 0; let od = 0; let spot = 0; let usd = 0;
    const spotUnits: number[] = [];
    for (const [id, n] of Object.entries(slot.countsByOffering)) {
      const o = byId.get(id) as Offering;
      expect(n).toBeGreaterThan(0);
      expect(Number.isInteger(n)).toBe(true);
      units += n * o.capacityUnits; usd += n * o.priceUsdPerHour;
      if (o.market === 'spot') { spot += n * o.capacityUnits; spotUnits.push(n * o.capacityUnits); } else od += n * o.capacityUnits;
    }
    expect(slot.plannedUnits).toBe(units);
    expect(units).toBeLessThanOrEqual(pool.maxUnits);
    if (inp.spendCapUsdPerHour !== undefined) expect(usd).toBeLessThanOrEqual(inp.spendCapUsdPerHour + 1e-9);
    if (spot > 0) {
      expect(spotUnits.length).toBeGreaterThanOrEqual(pool.minSpotOfferings);
      for (const u of spotUnits) expect(u).toBeLessThanOrEqual(pool.maxSpotSharePerOffering * spot + 1e-9);
    }
    const floor = Math.min(pool.maxUnits, Math.max(pool.onDemandFloorUnits, Math.ceil(pool.onDemandFloorShare * slot.demandUnits - 1e-9)));
    const excused = binding.some((b) => ['spend cap', 'max pool size', 'change limit per tick', 'no on-demand offering available', 'on-demand market not allowed'].includes(b));
    if (!excused) expect(od).toBeGreaterThanOrEqual(floor);
  });
  let changed = 0;
  for (const c of out.plan.commands) {
    if (c.kind === 'launch') {
      const o = byId.get(c.offeringId) as Offering;
      expect(o.available).toBe(true);
      expect(c.count).toBeGreaterThan(0);
      changed += c.count * o.capacityUnits;
    }
  }
  expect(changed).toBeLessThanOrEqual(pool.maxChangeUnitsPerTick);
  expect(new Set(out.plan.commands.map((c) => c.id)).size).toBe(out.plan.commands.length);
}
