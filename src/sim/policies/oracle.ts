/**
 * `oracle`: perfect foresight under the same rules as every other policy. Its world's cloud makes
 * capacity ready the moment it is asked for, but bills each instance for the boot it would have
 * waited through (a policy that knows the future launches exactly one lead time ahead and pays for
 * that lead time). At every tick it holds just enough capacity for the tick's metric demand on top of
 * the running tasks, launches at the moment a task would otherwise wait (packing the queued tasks onto
 * the cheapest offerings per unit that fit them), and releases idle instances once their 60 s billing
 * minimum is used. Like the others it keeps the pool's on-demand floor (units and share of the units
 * it holds), the pool minimum and spot diversification (at most `maxSpotSharePerOffering` of the spot
 * units per offering, at least `minSpotOfferings` offerings). The cheapest feasible policy we know how
 * to build: the reference for "× oracle".
 */
import type { Ec2Pool, Offering } from '../../core/model/index.js';
import { onDemandFloorUnits } from '../../core/plan/fleet.js';
import type { World } from '../world.js';
import { cheapestPerUnit, poolFleet } from './fleet-view.js';
import type { PolicyTickContext, SimPolicy } from './types.js';
import { installBurstTier } from './burst-tier.js';

/** Units per offering id the pool holds now (ready and pending, not interrupting). */
function holdings(world: World, poolId: string): Map<string, number> {
  const f = poolFleet(world, poolId);
  const out = new Map<string, number>();
  for (const i of [...f.ready, ...f.pending]) out.set(i.offering.id, (out.get(i.offering.id) ?? 0) + i.offering.capacityUnits);
  return out;
}

/**
 * The spot offering to add one instance of: the cheapest per unit (among those fitting `fits`) that
 * keeps the pool diversified after the addition, preferring unused offerings until
 * `minSpotOfferings` are used; the cheapest fitting one when none does (diversification is then
 * restored by later additions or not attainable).
 */
export function pickSpotOffering(pool: Ec2Pool, spot: readonly Offering[], held: ReadonlyMap<string, number>, fits: (o: Offering) => boolean = () => true): Offering | undefined {
  const candidates = spot.filter(fits);
  if (candidates.length === 0) return undefined;
  let spotTotal = 0;
  let used = 0;
  for (const o of spot) { const u = held.get(o.id) ?? 0; spotTotal += u; if (u > 0) used++; }
  const ok = (o: Offering): boolean => (held.get(o.id) ?? 0) + o.capacityUnits <= pool.maxSpotSharePerOffering * (spotTotal + o.capacityUnits) + 1e-9;
  if (used < pool.minSpotOfferings) {
    const fresh = candidates.find((o) => (held.get(o.id) ?? 0) === 0);
    if (fresh) return fresh;
  }
  return candidates.find(ok) ?? candidates[0];
}

/** Creates the oracle for a world built with `instantLeadTime: true`. */
export function createOraclePolicy(world: World, name = 'oracle'): SimPolicy {
  const pools = new Map(world.scenario.pools.map((p) => [p.id, p]));
  let seq = 0;
  const launch = (pool: Ec2Pool, o: Offering, count: number, why: string): void => {
    world.cloud.applyNow({ kind: 'launch', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, offeringId: o.id, count, needAtSec: world.clock.nowSec(), expectedCostUsdPerHour: count * o.priceUsdPerHour, reason: why });
  };
  const onDemandHeld = (pool: Ec2Pool, held: ReadonlyMap<string, number>): number => {
    let u = 0;
    for (const o of world.cloud.offeringsOf(pool)) if (o.market === 'on-demand') u += held.get(o.id) ?? 0;
    return u;
  };
  /**
   * Adds `units` (at least) to the pool: on-demand up to the floor of the new total, spot for the
   * rest. Returns the offerings of the instances launched, in the order chosen.
   */
  const grow = (pool: Ec2Pool, units: number, why: string, fits: (o: Offering) => boolean = () => true): Offering[] => {
    const offerings = world.cloud.offeringsOf(pool);
    const spot = pool.markets.includes('spot') ? cheapestPerUnit(offerings, 'spot') : [];
    const od = pool.markets.includes('on-demand') ? cheapestPerUnit(offerings, 'on-demand') : [];
    const held = holdings(world, pool.id);
    let total = [...held.values()].reduce((a, b) => a + b, 0);
    const target = total + units;
    const opened: Offering[] = [];
    const counts = new Map<string, { o: Offering; n: number }>();
    const add = (o: Offering): void => {
      const c = counts.get(o.id) ?? { o, n: 0 };
      c.n++;
      counts.set(o.id, c);
      held.set(o.id, (held.get(o.id) ?? 0) + o.capacityUnits);
      total += o.capacityUnits;
      opened.push(o);
    };
    while (total < target - 1e-9 && total < pool.maxUnits) {
      const floorShort = onDemandFloorUnits(pool, target) - onDemandHeld(pool, held);
      const needOd = spot.length === 0 || floorShort > 1e-9;
      const o = needOd
        ? od.find((x) => fits(x) && x.capacityUnits <= Math.max(floorShort, target - total) + 1e-9) ?? od.find(fits)
        : pickSpotOffering(pool, spot, held, fits);
      if (!o) break;
      add(o);
    }
    for (const { o, n } of [...counts.values()].sort((a, b) => (a.o.id < b.o.id ? -1 : 1))) launch(pool, o, n, why);
    return opened;
  };

  // the oracle may use every tier prescale may: a step cheaper on Lambda than on a launch for it bursts
  installBurstTier(world, 'oracle');
  world.workload.onShortage = (poolId) => {
    const pool = pools.get(poolId)!;
    const place = world.workload.pools.get(poolId)!;
    // open one new instance per queued task that fits nowhere in the instances opened so far
    const bins: Array<{ vcpu: number; mem: number }> = [];
    for (const t of place.queue) {
      let bin = bins.find((b) => b.vcpu + 1e-9 >= t.vcpu && b.mem + 1e-9 >= t.memoryGiB);
      if (!bin) {
        const fits = (o: Offering): boolean => o.vcpu + 1e-9 >= t.vcpu && o.memoryGiB + 1e-9 >= t.memoryGiB;
        const opened = grow(pool, t.vcpu, 'task would wait', fits);
        if (opened.length === 0) continue;
        for (const o of opened) bins.push({ vcpu: o.vcpu, mem: o.memoryGiB });
        bin = bins.find((b) => b.vcpu + 1e-9 >= t.vcpu && b.mem + 1e-9 >= t.memoryGiB)!;
      }
      bin.vcpu -= t.vcpu;
      bin.mem -= t.memoryGiB;
    }
  };

  return {
    name,
    async tick({ tickIndex, nowSec }: PolicyTickContext) {
      for (const pool of pools.values()) {
        const place = world.workload.pools.get(pool.id)!;
        const fleet = poolFleet(world, pool.id);
        const demand = world.metricDemand(pool.id, tickIndex);
        const need = Math.max(pool.minUnits, demand + place.runningVcpu);
        const held = holdings(world, pool.id);
        const heldUnits = [...held.values()].reduce((a, b) => a + b, 0);
        const floorShort = onDemandFloorUnits(pool, need) - onDemandHeld(pool, held);
        const deficit = Math.max(need - heldUnits, floorShort);
        if (deficit > 1e-9) {
          grow(pool, deficit, `metric demand ${demand.toFixed(2)} units`);
          continue;
        }
        // release idle instances, dearest per unit first, keeping the floor, the minimum and diversification
        let spare = heldUnits - need;
        let odSpare = onDemandHeld(pool, held) - onDemandFloorUnits(pool, need);
        const victims: string[] = [];
        const ordered = fleet.ready.slice().sort((a, b) => b.offering.priceUsdPerHour / b.offering.capacityUnits - a.offering.priceUsdPerHour / a.offering.capacityUnits || (a.id < b.id ? -1 : 1));
        for (const i of ordered) {
          const busy = (place.slots.get(i.id)?.tasks.size ?? 0) > 0;
          const u = i.offering.capacityUnits;
          if (busy || u > spare + 1e-9 || nowSec - i.launchedAtSec < 60) continue;
          if (i.offering.market === 'on-demand' && u > odSpare + 1e-9) continue;
          victims.push(i.id);
          spare -= u;
          if (i.offering.market === 'on-demand') odSpare -= u;
        }
        if (victims.length > 0) world.cloud.applyNow({ kind: 'terminate', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, reason: 'idle', instanceIds: victims });
      }
    },
    extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: {} }),
  };
}
