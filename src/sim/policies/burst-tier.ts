/**
 * Installs the Lambda burst tier (src/sim/workload/burst.ts, core/plan/burst.ts) in a world for a
 * policy that may use it (prescale and the oracle, when the scenario's `lambdaBurst` is on).
 */
import { DEFAULT_BURST_WAIT_BUDGET_SEC } from '../../core/plan/burst.js';
import { medianLeadTimeSec } from '../cloud/lead-time.js';
import { createPricedBurstRouter, createRoutedBurstRouter, SimRouteTable } from '../workload/burst.js';
import type { World } from '../world.js';
import { cheapestPerUnit, poolFleet } from './fleet-view.js';

/**
 * Sets `world.workload.burst` when the scenario allows the tier. `prescale` prices a step with its
 * task type's runtime statistics and the wait EC2 would give it (drain of the queue on ready
 * capacity, or until pending capacity or a launch arrives); `oracle` with the step's own runtime, and
 * every step it cannot place as one it would launch for (billed for the boot it skips).
 * @param waitBudgetSec expected EC2 wait past which a step is priced for Lambda @default DEFAULT_BURST_WAIT_BUDGET_SEC
 * @param waitValueUsdPerHour what an hour of a step's wait is worth (core/plan/burst.ts `TierContext`) @default 0
 * @returns true when the tier was installed
 */
export function installBurstTier(world: World, who: 'prescale' | 'oracle', waitBudgetSec: number = DEFAULT_BURST_WAIT_BUDGET_SEC, waitValueUsdPerHour = 0): boolean {
  const sc = world.scenario;
  if (!sc.lambdaBurst) return false;
  const pools = new Map(sc.pools.map((p) => [p.id, p]));
  world.workload.burst = createPricedBurstRouter({
    ec2Offering: (poolId) => {
      const pool = pools.get(poolId);
      if (!pool) return undefined;
      const offerings = world.cloud.offeringsOf(pool);
      return cheapestPerUnit(offerings, pool.markets.includes('spot') ? 'spot' : 'on-demand')[0] ?? cheapestPerUnit(offerings)[0];
    },
    pendingReadyInSec: (poolId, nowSec) => {
      let first: number | undefined;
      for (const i of poolFleet(world, poolId).pending) {
        const inSec = Math.max(0, i.launchedAtSec + i.offering.launchLeadTimeSec - nowSec);
        first = first === undefined ? inSec : Math.min(first, inSec);
      }
      return first;
    },
    waitBudgetSec,
    ...(waitValueUsdPerHour > 0 ? { waitValueUsdPerHour } : {}),
    runtime: who === 'oracle' ? 'actual' : 'expected',
    ...(who === 'oracle'
      ? { neverWait: true, billedLeadTimeSec: (o) => medianLeadTimeSec({ ...sc.leadTime, instant: false }, o.family) }
      : {}),
  });
  return true;
}

/**
 * Sets `world.workload.burst` to obey the routes the prescale tick publishes (issue 19, item 5: the
 * route is a planner output, core/plan/burst-route.ts), when the scenario allows the tier.
 * @returns the route table to hand the tick as its `stepRouter`, or undefined when the tier is off
 */
export function installRoutedBurstTier(world: World): SimRouteTable | undefined {
  if (!world.scenario.lambdaBurst) return undefined;
  const table = new SimRouteTable();
  world.workload.burst = createRoutedBurstRouter(table);
  return table;
}
