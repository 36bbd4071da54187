/**
 * `reactive`: EC2 Auto Scaling target tracking, as AWS documents it ("Target tracking scaling
 * policies"): 1-minute metrics; the scale-out alarm fires after 3 consecutive breaching datapoints,
 * the scale-in alarm after 15 consecutive datapoints below 90% of the target; desired capacity is set
 * proportionally (capacity × metric / target, i.e. the observed demand units, since one demand unit
 * is defined at the target utilisation); instances still warming up count as capacity; scale-in waits
 * a 300 s cooldown after the last scale-out. The user's own policy (scenario `currentPolicy`) sets the
 * target (demand units / targetUtilization are held), the instance warm-up (an instance's capacity
 * counts in the metric only that long after it is ready; scale-in waits while one warms up) and the
 * scale-in cooldown.
 */
import type { Ec2Pool } from '../../core/model/index.js';
import { DEFAULT_CURRENT_POLICY, type CurrentPolicy } from '../scenario/current-policy.js';
import type { World } from '../world.js';
import { reconcileGroup } from './asg.js';
import { observedDemandUnits, poolFleet, type PoolFleet } from './fleet-view.js';
import type { PolicyTickContext, SimPolicy } from './types.js';

/** Target-tracking constants (AWS defaults). */
export const TARGET_TRACKING = { scaleOutDatapoints: 3, scaleInDatapoints: 15, scaleInThreshold: 0.9, scaleInCooldownSec: 300 } as const;

/** Per-pool alarm state. */
export interface TrackingState {
  desiredUnits: number;
  breachingOut: number;
  breachingIn: number;
  lastScaleOutSec: number;
}

/**
 * One target-tracking step: updates the state from the observed demand and returns the desired units.
 * @param readyUnits capacity counted in the metric (ready and past its warm-up)
 * @param heldUnits every unit held (pending, warming and ready), so warming capacity is not launched twice
 * @param policy the user's target, scale-in cooldown; `warming`: whether an instance is still warming up
 */
export function targetTrackingStep(
  st: TrackingState, pool: Ec2Pool, demandUnits: number, readyUnits: number, heldUnits: number, nowSec: number,
  policy: Pick<CurrentPolicy, 'targetUtilization' | 'scaleInCooldownSec'> = DEFAULT_CURRENT_POLICY, warming = false,
): number {
  const wanted = demandUnits / policy.targetUtilization;
  st.breachingOut = wanted > readyUnits + 1e-9 ? st.breachingOut + 1 : 0;
  st.breachingIn = wanted < TARGET_TRACKING.scaleInThreshold * readyUnits ? st.breachingIn + 1 : 0;
  if (st.breachingOut >= TARGET_TRACKING.scaleOutDatapoints && Math.ceil(wanted) > heldUnits) {
    st.desiredUnits = Math.max(st.desiredUnits, Math.ceil(wanted));
    st.lastScaleOutSec = nowSec;
  } else if (!warming && st.breachingIn >= TARGET_TRACKING.scaleInDatapoints && nowSec - st.lastScaleOutSec >= policy.scaleInCooldownSec) {
    st.desiredUnits = Math.ceil(wanted);
    st.breachingIn = 0;
  }
  st.desiredUnits = Math.min(pool.maxUnits, Math.max(pool.minUnits, st.desiredUnits));
  return st.desiredUnits;
}

/** Ready capacity past its warm-up (what the policy's metric counts), and whether any instance still warms up. */
export function metricCapacity(fleet: PoolFleet, nowSec: number, warmupSec: number): { countedUnits: number; warming: boolean } {
  if (warmupSec <= 0) return { countedUnits: fleet.readyUnits, warming: false };
  let countedUnits = 0;
  let warming = fleet.pending.length > 0;
  for (const i of fleet.ready) {
    if (nowSec - i.readyAtSec >= warmupSec) countedUnits += i.offering.capacityUnits;
    else warming = true;
  }
  return { countedUnits, warming };
}

/** Creates the reactive policy for a world. */
export function createReactivePolicy(world: World, name = 'reactive'): SimPolicy {
  const pools = world.scenario.pools;
  const state = new Map<string, TrackingState>(pools.map((p) => [p.id, { desiredUnits: p.minUnits, breachingOut: 0, breachingIn: 0, lastScaleOutSec: -Infinity }]));
  return {
    name,
    async tick({ tickIndex, nowSec }: PolicyTickContext) {
      for (const pool of pools) {
        const fleet = poolFleet(world, pool.id);
        const m = metricCapacity(fleet, nowSec, world.scenario.currentPolicy.instanceWarmupSec);
        const desired = targetTrackingStep(state.get(pool.id)!, pool, observedDemandUnits(world, pool.id, tickIndex), m.countedUnits, fleet.readyUnits + fleet.pendingUnits, nowSec, world.scenario.currentPolicy, m.warming);
        reconcileGroup(world, pool, desired, nowSec, name);
      }
    },
    extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: {} }),
  };
}
