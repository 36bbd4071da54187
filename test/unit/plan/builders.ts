/** Small builders for planner tests (pools, offerings, instances, demand). */
import { Ec2PoolSchema, offeringId, type Ec2Pool, type Instance, type Market, type Offering } from '../../../src/core/model/index.js';
import type { DemandSlot, PlanInput } from '../../../src/core/plan/index.js';

/** A pool with schema defaults, single AZ unless overridden. */
export function pool(over: Partial<Ec2Pool> = {}): Ec2Pool {
  return { ...Ec2PoolSchema.parse({ kind: 'ec2', id: 'p', availabilityZones: ['az1'] }), ...over };
}

/** A hand-made offering. */
export function offering(
  instanceType: string, market: Market, priceUsdPerHour: number,
  over: Partial<Offering> = {},
): Offering {
  const az = over.az ?? 'az1';
  const units = over.capacityUnits ?? 2;
  return {
    id: offeringId(instanceType, market, az), instanceType, family: instanceType.split('.')[0], market, az,
    vcpu: units, memoryGiB: units * 4, arch: 'x86_64', capacityUnits: units, priceUsdPerHour,
    interruptionHazardPerHour: market === 'spot' ? 1e-4 : 0, launchLeadTimeSec: 90, available: true, ...over,
  };
}

/** A running (or given state) instance of an offering. */
export function instance(id: string, o: Offering, over: Partial<Instance> = {}): Instance {
  return {
    id, poolId: 'p', offeringId: o.id, instanceType: o.instanceType, market: o.market, az: o.az,
    capacityUnits: o.capacityUnits, state: 'running', launchedAtSec: 0, priceUsdPerHour: o.priceUsdPerHour,
    commandId: `c-${id}`, tags: {}, ...over,
  };
}

/** `n` slots of `slotSec` from `startSec`, each with the given 0.5/0.9/0.95 quantiles. */
export function flatDemand(n: number, startSec: number, slotSec: number, q50: number, q90 = q50, q95 = q90): DemandSlot[] {
  return Array.from({ length: n }, (_, i) => ({
    startSec: startSec + i * slotSec, quantiles: { '0.5': q50, '0.9': q90, '0.95': q95 }, predictedStepUnits: 0, committedUnits: 0,
  }));
}

/** A plan input with sensible defaults. */
export function input(over: Partial<PlanInput> & Pick<PlanInput, 'pool' | 'offerings'>): PlanInput {
  const nowSec = over.nowSec ?? 1000;
  return {
    nowSec, slotSec: 60, demand: flatDemand(10, nowSec, 60, 4), memory: {},
    capacity: { atSec: nowSec, instances: [], caches: [] }, ...over,
  };
}
