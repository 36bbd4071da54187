/**
 * The offerings part of the observe stage: per EC2 pool, the provider's offerings with those marked
 * unavailable after failed launches and those avoided after spot signals set `available: false`,
 * and the planning horizon they imply (the longest launch lead time plus the plan margin).
 */
import type { Ec2Pool, Offering } from '../model/index.js';
import { avoidedAt, withoutAvoided } from './spot.js';
import { withUnavailable, type UnavailableOfferings } from './unavailable-offerings.js';

/** Inputs of {@link offeringsStage}. */
export interface OfferingsInputs {
  readonly nowSec: number;
  readonly pools: readonly Ec2Pool[];
  /** The provider's offerings per pool id. */
  readonly offered: ReadonlyMap<string, readonly Offering[]>;
  /** Live unavailable-offering marks (liveMarks of the tick state's). */
  readonly unavailable: UnavailableOfferings;
  /** Tick state: offerings avoided until (epoch seconds). */
  readonly avoidOfferings: Readonly<Record<string, number>> | undefined;
  /** Planning slot, seconds. */
  readonly slotSec: number;
  /** Seconds planned beyond the longest lead time (ControllerConfig.planMarginSec). */
  readonly planMarginSec: number;
}

/** Offerings per pool and the horizon. */
export interface OfferingsOutput {
  /** Per pool, with unavailable and avoided offerings marked `available: false`. */
  readonly offeringsByPool: Map<string, Offering[]>;
  /** Every offering by id, avoided ones still available (a pending launch's offering is found). */
  readonly anyOfferingById: Map<string, Offering>;
  /** The longest launch lead time, seconds. */
  readonly maxLeadSec: number;
  /** Planning slots: ceil((maxLeadSec + planMarginSec) / slotSec) + 1. */
  readonly slots: number;
}

/** Marks and indexes the offerings (pools in the given order). */
export function offeringsStage(inputs: OfferingsInputs): OfferingsOutput {
  const offeringsByPool = new Map<string, Offering[]>();
  const anyOfferingById = new Map<string, Offering>();
  const avoided = avoidedAt(inputs.avoidOfferings, inputs.nowSec);
  let maxLeadSec = 0;
  for (const p of inputs.pools) {
    const all = withUnavailable(inputs.offered.get(p.id) ?? [], inputs.unavailable);
    for (const o of all) anyOfferingById.set(o.id, o);
    const os = withoutAvoided(all, avoided);
    offeringsByPool.set(p.id, os);
    for (const o of os) maxLeadSec = Math.max(maxLeadSec, o.launchLeadTimeSec);
  }
  return { offeringsByPool, anyOfferingById, maxLeadSec, slots: Math.ceil((maxLeadSec + inputs.planMarginSec) / inputs.slotSec) + 1 };
}
