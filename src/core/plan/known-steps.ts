/**
 * Known-step demand as the capacity will face it (issue 19, item 2). Pure.
 *
 * - {@link pendingArrivals}: the pool's pending launches as capacity that joins the ready capacity at
 *   its expected ready time (launch request + the offering's launch lead time), so the queue drain
 *   (queue-drain.ts) counts what ready and pending capacity finish before a new launch could boot.
 * - {@link DEFAULT_DRAIN_TOLERANCE_SEC}: waiting short steps count as the capacity that drains them
 *   within that many seconds, not as one vCPU each (queue-drain.ts `drainToleranceSec`).
 * - {@link correctKnownUnits}: the two-way correction of the known steps by the residual calibrator's
 *   quantile of what the pool then faced: it lowers the known units when the calibrated quantile is
 *   below them (the schedule over-counts), where the additive residual alone could only raise.
 */
import type { CapacitySnapshot, Instance } from '../model/capacity.js';
import type { CapacityArrival } from './queue-drain.js';

/**
 * Seconds within which a waiting known step should start: the drain tolerance τ of the known-step
 * demand. Our own choice, set under the wait goal (prescale's p95 step wait at most a tenth of
 * reactive's; reactive's suite p95 waits are 29–313 s, so τ = 10 s keeps a fan-out's queue within
 * the tightest of them); decided on the backtest suite (docs/benchmarks.md, issue 19).
 */
export const DEFAULT_DRAIN_TOLERANCE_SEC = 10;

/**
 * Pending instances of `poolId` as capacity arrivals: `capacityUnits` at launch time + lead time
 * (never before `nowSec`). The controller's view: EC2 does not say when an instance will be ready,
 * so the offering's launch lead time is the estimate.
 * @param leadTimeSecOf the launch lead time of an instance's offering, seconds
 */
export function pendingArrivals(
  snap: CapacitySnapshot, poolId: string, nowSec: number, leadTimeSecOf: (i: Instance) => number,
): CapacityArrival[] {
  const out: CapacityArrival[] = [];
  for (const i of snap.instances) {
    if (i.poolId !== poolId || i.state !== 'pending') continue;
    out.push({ atSec: Math.max(nowSec, i.launchedAtSec + Math.max(0, leadTimeSecOf(i))), units: i.capacityUnits });
  }
  return out.sort((a, b) => a.atSec - b.atSec || a.units - b.units);
}

/** Known step units of one slot, split as the planner adds them. */
export interface KnownUnits {
  /** Units of steps whose timing the DAG gives (running, runnable, blocked). */
  readonly committedUnits: number;
  /** Expected units of steps only the next-step model predicts. */
  readonly predictedUnits: number;
}

/**
 * Lowers the known units of a slot to a calibrated quantile of what the pool faced when that is
 * lower: `calibratedUnits` is the residual calibrator's quantile (known + the residual quantile of
 * the faced demand observed against the known steps predicted that many slots ahead); the excess
 * known − calibrated comes off the predicted units first (the less certain), then the committed.
 * Unchanged when the calibrated quantile is absent, not finite, or not below the known units (then
 * the additive residual raises the demand, as before).
 */
export function correctKnownUnits(known: KnownUnits, calibratedUnits: number | undefined): KnownUnits {
  const c = Math.max(0, known.committedUnits);
  const p = Math.max(0, known.predictedUnits);
  if (calibratedUnits === undefined || !Number.isFinite(calibratedUnits) || calibratedUnits >= c + p) return known;
  let excess = c + p - Math.max(0, calibratedUnits);
  const fromPredicted = Math.min(p, excess);
  excess -= fromPredicted;
  return { committedUnits: c - Math.min(c, excess), predictedUnits: p - fromPredicted };
}
