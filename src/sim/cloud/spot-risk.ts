/**
 * Spot risk signals the simulated cloud emits besides interruptions (issue 19, item 7):
 *
 * - **Rebalance recommendations.** "An EC2 instance rebalance recommendation is a signal that
 *   notifies you when a Spot Instance is at elevated risk of interruption. The signal can arrive
 *   sooner than the two-minute Spot Instance interruption notice [...] It is not always possible [...]
 *   Therefore, the rebalance recommendation signal can arrive along with the two-minute interruption
 *   notice" (EC2 User Guide, "EC2 instance rebalance recommendations"). So every interrupted instance
 *   gets one, drawn uniformly between {@link SpotRiskModel.rebalanceLeadMaxSec} before its notice
 *   and the notice itself. Recommendations also come for instances that are then not interrupted:
 *   operators report they "happen far more frequently than actual spot interruptions"
 *   (kubernetes/kops#14761, on the Node Termination Handler), so each spot instance also draws a
 *   false alarm at {@link SpotRiskModel.falseRebalancesPerInterruption} × its interruption hazard.
 *   AWS publishes no rate: both numbers are modelling choices scaled on the Spot Advisor hazard
 *   (core/market/hazard.ts), stated in the report's assumptions.
 * - **Insufficient capacity.** A spot offering runs out of capacity in episodes: while one lasts a
 *   launch on it fails with `InsufficientInstanceCapacity` (EC2 API error codes) and the offering
 *   reports `available: false`. Episodes arrive per offering as a Poisson process at
 *   {@link SpotRiskModel.iceEpisodesPerInterruption} × the offering's interruption hazard (capacity
 *   AWS reclaims is capacity it cannot sell: the same scarcity, the Advisor's bucket), and last
 *   {@link SpotRiskModel.iceEpisodeSec} (Karpenter caches an offering that returned ICE as
 *   unavailable for 3 minutes, `UnavailableOfferingsTTL` in aws/karpenter-provider-aws
 *   `pkg/cache/cache.go`: the time scale after which a retry is expected to succeed).
 */
import { SPOT_INTERRUPTION_NOTICE_SEC, type Random } from '../../core/model/index.js';
import { drawExponential } from '../../core/rng.js';

/** Rates and times of the spot risk signals (see module doc for the sources). */
export interface SpotRiskModel {
  /** Emit rebalance recommendations and insufficient-capacity episodes at all. */
  readonly enabled: boolean;
  /** Latest a true recommendation comes before its interruption notice, seconds. */
  readonly rebalanceLeadMaxSec: number;
  /** False-alarm recommendations per instance-hour, as a multiple of the interruption hazard. */
  readonly falseRebalancesPerInterruption: number;
  /** Insufficient-capacity episodes per offering-hour, as a multiple of its interruption hazard. */
  readonly iceEpisodesPerInterruption: number;
  /** Length of one insufficient-capacity episode, seconds. */
  readonly iceEpisodeSec: number;
}

/** The defaults (modelling choices, module doc). */
export const DEFAULT_SPOT_RISK: SpotRiskModel = {
  enabled: true,
  rebalanceLeadMaxSec: 1800,
  falseRebalancesPerInterruption: 2,
  iceEpisodesPerInterruption: 1,
  iceEpisodeSec: 180,
};

/**
 * When a spot instance gets its rebalance recommendation (at most one: the true one before its
 * interruption notice or an earlier false alarm), epoch seconds, or undefined for none in its life.
 * Draws from `rng` after the instance's other draws, so adding the signals changes no other draw.
 * @param hazardPerSec interruption hazard per second (already stressed)
 * @param reclaimAtSec when it is reclaimed (undefined: never)
 */
export function rebalanceAtSec(model: SpotRiskModel, rng: Random, launchSec: number, hazardPerSec: number, reclaimAtSec: number | undefined): number | undefined {
  if (!model.enabled || hazardPerSec <= 0) return undefined;
  const lead = rng.next() * model.rebalanceLeadMaxSec;
  const falseAt = model.falseRebalancesPerInterruption > 0 ? launchSec + drawExponential(rng, hazardPerSec * model.falseRebalancesPerInterruption) : Infinity;
  const trueAt = reclaimAtSec === undefined ? Infinity : Math.max(launchSec, reclaimAtSec - SPOT_INTERRUPTION_NOTICE_SEC - lead);
  const at = Math.min(trueAt, falseAt);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * Start of an offering's next insufficient-capacity episode after `fromSec`, or undefined for none.
 * @param hazardPerSec the offering's interruption hazard per second (already stressed)
 */
export function nextIceEpisodeSec(model: SpotRiskModel, rng: Random, fromSec: number, hazardPerSec: number): number | undefined {
  if (!model.enabled || hazardPerSec <= 0 || model.iceEpisodesPerInterruption <= 0) return undefined;
  return fromSec + drawExponential(rng, hazardPerSec * model.iceEpisodesPerInterruption);
}
