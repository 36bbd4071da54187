/**
 * Building availability profiles (seed 003, component 2 output) from offerings and free units.
 */
import type { Offering } from '../model/offering.js';
import type { AvailabilitySlot, AvailabilityProfile, PoolAvailability } from './types.js';

/**
 * A pool's availability from its offerings: the cheapest available spot and on-demand price per
 * capacity unit-hour (offering price / capacity units) and the hazard of that spot offering.
 * @param poolId the pool
 * @param offerings offerings of the pool (unavailable ones are ignored)
 * @param slots free units over time
 */
export function availabilityFromOfferings(poolId: string, offerings: readonly Offering[], slots: readonly AvailabilitySlot[]): PoolAvailability {
  let spot: Offering | undefined;
  let od: Offering | undefined;
  const perUnit = (o: Offering): number => o.priceUsdPerHour / o.capacityUnits;
  for (const o of offerings) {
    if (!o.available || o.capacityUnits <= 0) continue;
    if (o.market === 'spot' && (!spot || perUnit(o) < perUnit(spot))) spot = o;
    if (o.market === 'on-demand' && (!od || perUnit(o) < perUnit(od))) od = o;
  }
  return {
    poolId,
    slots: [...slots].sort((a, b) => a.startSec - b.startSec),
    ...(spot ? { spotUsdPerUnitHour: perUnit(spot), spotInterruptionHazardPerHour: spot.interruptionHazardPerHour } : {}),
    ...(od ? { onDemandUsdPerUnitHour: perUnit(od) } : {}),
  };
}

/**
 * The profile after a pool signal (`insufficient-capacity` or `spot-interruption-notice`): the pool is
 * flagged `insufficientCapacity`, so its fit becomes 0 and scoring moves work elsewhere.
 */
export function withPoolUnavailable(profile: AvailabilityProfile, poolId: string): AvailabilityProfile {
  const pool = profile.pools[poolId];
  if (!pool) return profile;
  return { ...profile, pools: { ...profile.pools, [poolId]: { ...pool, insufficientCapacity: true } } };
}
