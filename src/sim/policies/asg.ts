/**
 * An EC2 Auto Scaling group as the baseline policies use it: a desired capacity in units, kept by
 * launching with a mixed instances policy (on-demand base capacity and on-demand percentage above
 * base from the pool's on-demand floor; spot spread over the `minSpotOfferings` cheapest offerings per
 * unit, like the price-capacity-optimized allocation strategy), replacing instances under a spot
 * interruption notice (Capacity Rebalancing), and scaling in by terminating idle instances only
 * (busy ones carry scale-in protection).
 */
import type { Ec2Pool, LaunchCommand, Offering } from '../../core/model/index.js';
import type { World } from '../world.js';
import { cheapestPerUnit, poolFleet } from './fleet-view.js';

/**
 * Launches and terminates so the pool holds at least `desiredUnits` (pending + ready, not counting
 * instances being interrupted), terminating idle instances while the excess allows.
 * @param tag prefix of command ids (the policy name)
 */
export function reconcileGroup(world: World, pool: Ec2Pool, desiredUnits: number, nowSec: number, tag: string): void {
  const fleet = poolFleet(world, pool.id);
  const held = fleet.readyUnits + fleet.pendingUnits;
  const offerings = world.cloud.offeringsOf(pool);
  if (held < desiredUnits) {
    launchMix(world, pool, offerings, desiredUnits - held, desiredUnits, fleet.ready.concat(fleet.pending).filter((i) => i.offering.market === 'on-demand').reduce((s, i) => s + i.offering.capacityUnits, 0), nowSec, tag);
    return;
  }
  let excess = held - desiredUnits;
  if (excess <= 0) return;
  const slots = world.workload.pools.get(pool.id)?.slots;
  const idle = fleet.ready
    .filter((i) => (slots?.get(i.id)?.tasks.size ?? 0) === 0)
    .sort((a, b) => (a.offering.market === b.offering.market ? b.launchedAtSec - a.launchedAtSec : a.offering.market === 'spot' ? -1 : 1));
  const victims: string[] = [];
  for (const i of [...fleet.pending.slice().reverse(), ...idle]) {
    if (i.offering.capacityUnits > excess) continue;
    victims.push(i.id);
    excess -= i.offering.capacityUnits;
  }
  if (victims.length > 0) {
    world.cloud.applyNow({ kind: 'terminate', id: `${tag}:${pool.id}@${nowSec}/terminate`, poolId: pool.id, reason: `${tag} scale-in to ${desiredUnits} units`, instanceIds: victims });
  }
}

function launchMix(world: World, pool: Ec2Pool, offerings: Offering[], deficit: number, desired: number, onDemandHeld: number, nowSec: number, tag: string): void {
  const odTarget = Math.min(desired, pool.onDemandFloorUnits + Math.max(0, desired - pool.onDemandFloorUnits) * pool.onDemandFloorShare);
  const spotOk = pool.markets.includes('spot');
  let odUnits = spotOk ? Math.min(deficit, Math.max(0, odTarget - onDemandHeld)) : deficit;
  let spotUnits = deficit - odUnits;
  const cmds: LaunchCommand[] = [];
  const add = (o: Offering | undefined, units: number): number => {
    if (!o || units <= 0) return units;
    const count = Math.ceil(units / o.capacityUnits);
    cmds.push({ kind: 'launch', id: `${tag}:${pool.id}@${nowSec}/launch/${o.id}`, poolId: pool.id, offeringId: o.id, count, needAtSec: nowSec, expectedCostUsdPerHour: count * o.priceUsdPerHour, reason: `${tag} keeps desired ${desired} units` });
    return 0;
  };
  if (spotUnits > 0) {
    const spot = cheapestPerUnit(offerings, 'spot').slice(0, Math.max(1, pool.minSpotOfferings));
    if (spot.length === 0) odUnits += spotUnits;
    else {
      const held = new Map<string, number>();
      for (const i of world.cloud.liveInstances()) if (i.poolId === pool.id) held.set(i.offering.id, (held.get(i.offering.id) ?? 0) + i.offering.capacityUnits);
      const pick = spot.slice().sort((a, b) => (held.get(a.id) ?? 0) - (held.get(b.id) ?? 0))[0];
      spotUnits = add(pick, spotUnits);
    }
  }
  if (odUnits > 0) add(cheapestPerUnit(offerings, 'on-demand')[0], odUnits);
  for (const c of cmds) world.cloud.applyNow(c);
}
