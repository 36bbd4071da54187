/**
 * Helpers the rule-based policies share: what a pool holds now, the observed demand, and the
 * cheapest offerings per capacity unit.
 */
import type { Ec2Pool, Offering } from '../../core/model/index.js';
import type { SimInstance } from '../cloud/sim-instance.js';
import type { World } from '../world.js';

/** A pool's instances by state. */
export interface PoolFleet {
  readonly ready: SimInstance[];
  readonly pending: SimInstance[];
  readonly interrupting: SimInstance[];
  readonly readyUnits: number;
  readonly pendingUnits: number;
}

/** The pool's live instances, in launch order. */
export function poolFleet(world: World, poolId: string): PoolFleet {
  const ready: SimInstance[] = [];
  const pending: SimInstance[] = [];
  const interrupting: SimInstance[] = [];
  let readyUnits = 0;
  let pendingUnits = 0;
  for (const i of world.cloud.liveInstances()) {
    if (i.poolId !== poolId || i.tags['prescale:owner'] === undefined) continue;
    if (i.state === 'pending') { pending.push(i); pendingUnits += i.offering.capacityUnits; }
    else if (i.state === 'running') { ready.push(i); readyUnits += i.offering.capacityUnits; }
    else if (i.state === 'interrupting') interrupting.push(i);
  }
  return { ready, pending, interrupting, readyUnits, pendingUnits };
}

/**
 * Demand units the pool observes at a tick: metric demand plus vCPU of running and queued tasks
 * (what a target-tracking policy on a utilisation-plus-backlog metric sees).
 */
export function observedDemandUnits(world: World, poolId: string, tickIndex: number): number {
  const p = world.workload.pools.get(poolId);
  return world.metricDemand(poolId, tickIndex) + (p ? p.runningVcpu + p.queuedVcpu : 0);
}

/** Available offerings of `market` sorted by USD per unit-hour (then id), cheapest first. */
export function cheapestPerUnit(offerings: readonly Offering[], market?: Offering['market']): Offering[] {
  return offerings
    .filter((o) => o.available && (market === undefined || o.market === market))
    .slice()
    .sort((a, b) => a.priceUsdPerHour / a.capacityUnits - b.priceUsdPerHour / b.capacityUnits || (a.id < b.id ? -1 : 1));
}

/** The pool's offerings from the world. */
export function offeringsOf(world: World, pool: Ec2Pool): Offering[] {
  return world.cloud.offeringsOf(pool);
}
