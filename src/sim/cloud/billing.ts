/**
 * EC2 billing as the simulator applies it: per-second billing with a 60-second minimum per instance
 * (EC2 User Guide, "Per second billing": Linux instances are billed per second with a minimum of
 * 60 seconds). Billing starts at the launch request (a conservative choice: on AWS it starts when the
 * instance enters `running`, a few seconds to tens of seconds later) and stops at termination or
 * spot reclaim.
 */

/** Billing state of one instance. */
export interface BillingRecord {
  readonly startSec: number;
  readonly priceUsdPerHour: number;
  /** Seconds already charged. */
  billedSec: number;
  /** Set when the instance stopped being billed. */
  endSec?: number;
}

/** Minimum billed seconds per instance. */
export const MIN_BILLED_SEC = 60;

/**
 * Charges the record up to `nowSec` and returns the USD added. Once ended, the total billed time is
 * max(60, end − start); while running it is now − start.
 */
export function accrue(rec: BillingRecord, nowSec: number): number {
  const target = rec.endSec !== undefined
    ? Math.max(MIN_BILLED_SEC, rec.endSec - rec.startSec)
    : Math.max(0, nowSec - rec.startSec);
  const add = target - rec.billedSec;
  if (add <= 0) return 0;
  rec.billedSec = target;
  return (add * rec.priceUsdPerHour) / 3600;
}
