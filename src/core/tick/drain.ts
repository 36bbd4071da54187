/**
 * Drain options of the predict stage (issue 19: known steps as the capacity will face them): pending
 * launches join each pool's queue drain at their expected ready time, and a waiting step of runtime d
 * counts u × min(1, d / τ) units (core/plan/known-steps.ts).
 */
import type { CapacitySnapshot, Ec2Pool, Offering } from '../model/index.js';
import { DEFAULT_DRAIN_TOLERANCE_SEC, pendingArrivals } from '../plan/known-steps.js';
import type { PredictDrainOptions } from './predict.js';

/**
 * The predict stage's {@link PredictDrainOptions} from the tick options.
 * @param opts `knownSteps.drainToleranceSec`: τ in seconds, `null` for full units; @default DEFAULT_DRAIN_TOLERANCE_SEC;
 *   `knownSteps.useProgress`: running steps end when their progress says (issue 22); @default true
 * @param capacity capacity described this tick (its `pending` instances are the arrivals)
 * @param offeringsById offerings by id (an instance's lead time is its offering's `launchLeadTimeSec`; 0 when unknown)
 */
export function drainOptions(
  opts: { readonly knownSteps?: { readonly drainToleranceSec?: number | null; readonly useProgress?: boolean | 'earlier' } },
  pools: readonly Ec2Pool[], capacity: CapacitySnapshot, nowSec: number, offeringsById: ReadonlyMap<string, Offering>,
): PredictDrainOptions {
  const tolerance = opts.knownSteps?.drainToleranceSec === undefined ? DEFAULT_DRAIN_TOLERANCE_SEC : opts.knownSteps.drainToleranceSec;
  const pendingByPool = new Map(pools.map((p) => [p.id, pendingArrivals(capacity, p.id, nowSec, (i) => offeringsById.get(i.offeringId)?.launchLeadTimeSec ?? 0)]));
  return { pendingByPool, ...(tolerance !== null ? { drainToleranceSec: tolerance } : {}), ...(opts.knownSteps?.useProgress !== undefined ? { useProgress: opts.knownSteps.useProgress } : {}) };
}
