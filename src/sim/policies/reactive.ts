/**
 * `reactive`: EC2 Auto Scaling target tracking, as AWS documents it ("Target tracking scaling
 * policies"): 1-minute metrics; the scale-out alarm fires after 3 consecutive breaching datapoints,
 * the scale-in alarm after 15 consecutive datapoints below 90% of the target; desired capacity is set
 * proportionally (capacity × metric / target, i.e. the observed demand units, since one demand unit
 * is defined at the target utilisation); instances still warming up count as capacity; scale-in waits
 * a 300 s cooldown after the last scale-out.
 */
import type { Ec2Pool } from '../../core/model/index.js';
import type { World } from '../world.js';
import { reconcileGroup } from './asg.js';
import { observedDemandUnits, poolFleet } from './fleet-view.js';
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

/** One target-tracking step: updates the state from the observed demand and returns the desired units. */
export function targetTrackingStep(st: TrackingState, pool: Ec2Pool, demandUnits: number, readyUnits: number, heldUnits: number, nowSec: number): number {
  st.breachingOut = demandUnits > readyUnits + 1e-9 ? st.breachingOut + 1 : 0;
  st.breachingIn = demandUnits < TARGET_TRACKING.scaleInThreshold * readyUnits ? st.breachingIn + 1 : 0;
  if (st.breachingOut >= TARGET_TRACKING.scaleOutDatapoints && Math.ceil(demandUnits) > heldUnits) {
    st.desiredUnits = Math.max(st.desiredUnits, Math.ceil(demandUnits));
    st.lastScaleOutSec = nowSec;
  } else if (st.breachingIn >= TARGET_TRACKING.scaleInDatapoints && nowSec - st.lastScaleOutSec >= TARGET_TRACKING.scaleInCooldownSec) {
    st.desiredUnits = Math.ceil(demandUnits);
    st.breachingIn = 0;
  }
  st.desiredUnits = Math.min(pool.maxUnits, Math.max(pool.minUnits, st.desiredUnits));
  return st.desiredUnits;
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
        const desired = targetTrackingStep(state.get(pool.id)!, pool, observedDemandUnits(world, pool.id, tickIndex), fleet.readyUnits, fleet.readyUnits + fleet.pendingUnits, nowSec);
        reconcileGroup(world, pool, desired, nowSec, name);
      }
    },
    extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: {} }),
  };
}
