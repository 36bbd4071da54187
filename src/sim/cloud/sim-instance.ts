/**
 * The simulated cloud's own record of an instance (mutable, richer than the port's `Instance`).
 */
import type { Instance, InstanceState, Offering } from '../../core/model/index.js';
import type { BillingRecord } from './billing.js';

/** One simulated instance. */
export interface SimInstance {
  readonly id: string;
  readonly poolId: string;
  readonly offering: Offering;
  readonly commandId: string;
  readonly launchedAtSec: number;
  readonly readyAtSec: number;
  state: InstanceState;
  interruptionAtSec?: number;
  terminatedAtSec?: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly billing: BillingRecord;
}

/**
 * The port's view of a simulated instance.
 * @param busyUnits capacity units its running tasks use, when known (see Instance.busyUnits)
 */
export function toPortInstance(i: SimInstance, busyUnits?: number): Instance {
  return {
    id: i.id,
    poolId: i.poolId,
    offeringId: i.offering.id,
    instanceType: i.offering.instanceType,
    market: i.offering.market,
    az: i.offering.az,
    capacityUnits: i.offering.capacityUnits,
    state: i.state,
    launchedAtSec: i.launchedAtSec,
    readyAtSec: i.readyAtSec,
    ...(i.interruptionAtSec !== undefined ? { interruptionAtSec: i.interruptionAtSec } : {}),
    ...(busyUnits !== undefined ? { busyUnits } : {}),
    priceUsdPerHour: i.offering.priceUsdPerHour,
    commandId: i.commandId,
    tags: i.tags,
  };
}
