/** Seeded random planning problems for property-style tests of every planner. */
import { createRandom } from '../../../src/core/rng.js';
import type { Instance, Offering, Random } from '../../../src/core/model/index.js';
import type { PlanInput } from '../../../src/core/plan/index.js';
import { instance, offering, pool } from './builders.js';

function pick<T>(rng: Random, xs: readonly T[]): T {
  return xs[Math.floor(rng.next() * xs.length)];
}

/** A random but valid plan input: 2–8 offerings, random pool constraints, fleet and demand. */
export function randomPlanInput(seed: number): PlanInput {
  const rng = createRandom(seed);
  const n = 2 + Math.floor(rng.next() * 7);
  const offerings: Offering[] = [];
  for (let i = 0; i < n; i++) {
    const market = rng.next() < 0.6 ? 'spot' : 'on-demand';
    const units = pick(rng, [2, 4, 8]);
    offerings.push(offering(`t${i}x.large`, market, units * (market === 'spot' ? 0.01 + rng.next() * 0.03 : 0.04 + rng.next() * 0.02), {
      capacityUnits: units, launchLeadTimeSec: 60 + Math.floor(rng.next() * 240), interruptionHazardPerHour: market === 'spot' ? rng.next() * 5e-4 : 0,
      available: rng.next() > 0.1,
    }));
  }
  const p = pool({
    onDemandFloorUnits: pick(rng, [0, 0, 2, 4, 8]), onDemandFloorShare: pick(rng, [0, 0.1, 0.25, 0.5]),
    maxSpotSharePerOffering: pick(rng, [0.3, 0.5, 0.7, 1]), minSpotOfferings: pick(rng, [1, 2, 3]),
    maxUnits: pick(rng, [16, 64, 1024]), maxChangeUnitsPerTick: pick(rng, [8, 32, 256]), scaleInCooldownSec: pick(rng, [0, 300]),
    serviceLevel: pick(rng, [0.5, 0.9, 0.95]),
  });
  const nowSec = 10_000;
  const instances: Instance[] = [];
  const fleet = Math.floor(rng.next() * 8);
  for (let i = 0; i < fleet; i++) {
    const o = pick(rng, offerings);
    instances.push(instance(`i-${i}`, o, { launchedAtSec: nowSec - Math.floor(rng.next() * 600), state: pick(rng, ['running', 'running', 'pending', 'interrupting'] as const) }));
  }
  const base = rng.next() * 40;
  const demand = Array.from({ length: 12 }, (_, s) => {
    const q50 = Math.max(0, base + (rng.next() - 0.5) * 20);
    return { startSec: nowSec + s * 60, quantiles: { '0.5': q50, '0.9': q50 * (1.1 + rng.next()) }, predictedStepUnits: rng.next() * 3, committedUnits: rng.next() < 0.3 ? 2 : 0 };
  });
  return {
    nowSec, pool: p, offerings, demand, slotSec: 60, memory: {}, capacity: { atSec: nowSec, instances, caches: [] },
    ...(rng.next() < 0.5 ? { spendCapUsdPerHour: 0.2 + rng.next() * 2 } : {}),
  };
}
