/**
 * `oracle`: perfect foresight with capacity ready exactly when needed (its world's cloud has zero lead
 * time): at every tick it holds just enough capacity for the tick's metric demand on top of the
 * running tasks, launches at the moment a task would otherwise wait (packing the queued tasks onto
 * the cheapest offerings per unit that fit them), replaces instances as soon as a spot notice comes,
 * and releases idle instances once their 60 s billing minimum is used. It ignores on-demand floors and
 * pool minimums. It still pays for everything it holds: the lower bound on cost.
 */
import type { Ec2Pool, Offering } from '../../core/model/index.js';
import type { World } from '../world.js';
import { cheapestPerUnit, poolFleet } from './fleet-view.js';
import type { PolicyTickContext, SimPolicy } from './types.js';

/** Creates the oracle for a world built with `instantLeadTime: true`. */
export function createOraclePolicy(world: World, name = 'oracle'): SimPolicy {
  const pools = new Map(world.scenario.pools.map((p) => [p.id, p]));
  let seq = 0;
  const launch = (pool: Ec2Pool, o: Offering, count: number, why: string): void => {
    world.cloud.applyNow({ kind: 'launch', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, offeringId: o.id, count, needAtSec: world.clock.nowSec(), expectedCostUsdPerHour: count * o.priceUsdPerHour, reason: why });
  };

  world.workload.onShortage = (poolId) => {
    const pool = pools.get(poolId)!;
    const place = world.workload.pools.get(poolId)!;
    const offerings = cheapestPerUnit(world.cloud.offeringsOf(pool));
    // first-fit onto virtual new instances of the cheapest type per unit that fits each opener
    const bins: Array<{ o: Offering; vcpu: number; mem: number }> = [];
    for (const t of place.queue) {
      let bin = bins.find((b) => b.vcpu + 1e-9 >= t.vcpu && b.mem + 1e-9 >= t.memoryGiB);
      if (!bin) {
        const o = offerings.find((x) => x.vcpu + 1e-9 >= t.vcpu && x.memoryGiB + 1e-9 >= t.memoryGiB);
        if (!o) continue;
        bins.push((bin = { o, vcpu: o.vcpu, mem: o.memoryGiB }));
      }
      bin.vcpu -= t.vcpu;
      bin.mem -= t.memoryGiB;
    }
    for (const b of bins) launch(pool, b.o, 1, 'task would wait');
  };

  return {
    name,
    async tick({ tickIndex, nowSec }: PolicyTickContext) {
      for (const pool of pools.values()) {
        const place = world.workload.pools.get(pool.id)!;
        const fleet = poolFleet(world, pool.id);
        const demand = world.metricDemand(pool.id, tickIndex);
        // capacity left for metric demand after tasks; instances under notice are replaced now
        const usable = fleet.readyUnits - place.runningVcpu;
        const deficit = demand - usable;
        if (deficit > 1e-9) {
          const offerings = cheapestPerUnit(world.cloud.offeringsOf(pool));
          let best: { o: Offering; count: number; cost: number } | undefined;
          for (const o of offerings) {
            const count = Math.ceil((deficit - 1e-9) / o.capacityUnits);
            const cost = count * o.priceUsdPerHour;
            if (!best || cost < best.cost - 1e-12) best = { o, count, cost };
          }
          if (best) launch(pool, best.o, best.count, `metric demand ${demand.toFixed(2)} units`);
        } else {
          let spare = -deficit;
          const victims: string[] = [];
          for (const i of fleet.ready.slice().sort((a, b) => b.offering.priceUsdPerHour / b.offering.capacityUnits - a.offering.priceUsdPerHour / a.offering.capacityUnits || (a.id < b.id ? -1 : 1))) {
            const busy = (place.slots.get(i.id)?.tasks.size ?? 0) > 0;
            if (busy || i.offering.capacityUnits > spare + 1e-9 || nowSec - i.launchedAtSec < 60) continue;
            victims.push(i.id);
            spare -= i.offering.capacityUnits;
          }
          if (victims.length > 0) world.cloud.applyNow({ kind: 'terminate', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, reason: 'idle', instanceIds: victims });
        }
      }
    },
    extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: {} }),
  };
}
