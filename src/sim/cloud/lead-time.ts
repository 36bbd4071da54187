/**
 * Launch lead time of simulated EC2 instances: time from the launch request to ready (running, booted,
 * registered), drawn uniformly per instance from a range per instance family.
 * Default 60–180 s: EC2 instances typically reach `running` within a minute and finish booting and
 * health checks within a few minutes (EC2 Auto Scaling default instance warmup is 300 s).
 */
import type { Random } from '../../core/model/random.js';

/** Lead-time ranges, seconds. */
export interface LeadTimeModel {
  /** Range for families not listed, seconds. @default [60, 180] */
  readonly defaultRangeSec?: readonly [number, number];
  /** Range per family prefix ("m6i"). */
  readonly byFamilySec?: Readonly<Record<string, readonly [number, number]>>;
  /** Multiplies every draw (sensitivity runs: × 2). @default 1 */
  readonly multiplier?: number;
  /** When true every instance is ready at once (the oracle's perfect-timing cloud). @default false */
  readonly instant?: boolean;
  /**
   * With `instant`: bill each instance from one drawn lead time before its launch, as if a policy with
   * perfect foresight had launched it that much ahead (the oracle pays for boot time like everyone). @default false
   */
  readonly billBoot?: boolean;
}

/** Draws one lead time, seconds, for an instance of `family`. */
export function drawLeadTimeSec(model: LeadTimeModel, family: string, rng: Random): number {
  if (model.instant) return 0;
  const [lo, hi] = model.byFamilySec?.[family] ?? model.defaultRangeSec ?? [60, 180];
  return Math.round((lo + (hi - lo) * rng.next()) * (model.multiplier ?? 1));
}

/** Median lead time of a family, seconds (what a planner is told). */
export function medianLeadTimeSec(model: LeadTimeModel, family: string): number {
  if (model.instant) return 0;
  const [lo, hi] = model.byFamilySec?.[family] ?? model.defaultRangeSec ?? [60, 180];
  return Math.round(((lo + hi) / 2) * (model.multiplier ?? 1));
}
