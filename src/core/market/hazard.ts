/**
 * Spot interruption hazard from the AWS Spot Instance Advisor.
 *
 * The Advisor publishes, per instance type and region, a bucket of the "frequency of interruption":
 * the share of spot instances of that type AWS interrupted over the trailing month
 * (`spot-advisor-data.json` `ranges`: index 0..4, labels `<5%`, `5-10%`, `10-15%`, `15-20%`, `>20%`,
 * `max` 5, 11, 16, 22, 100; see shared/data/ec2/README.md §1).
 *
 * Conversion (documented assumption): take a representative monthly share `p` for the bucket and
 * assume a constant hazard over a 30-day month of 720 hours, so that an instance running the whole
 * month is interrupted with probability `p`:
 *
 *     P(interrupted within 720 h) = 1 − exp(−λ · 720) = p   ⇒   λ = −ln(1 − p) / 720   [per instance-hour]
 *
 * Representative shares: the midpoint of each closed bucket using the published `max` bounds
 * (0–5 → 2.5%, 5–11 → 8%, 11–16 → 13.5%, 16–22 → 19%); the open `>20%` bucket (max 100) uses 30%
 * rather than its arithmetic midpoint 61%, because most of those types are interrupted only somewhat
 * above 20% and a 61% month would make every such type look unusable. The Advisor figure is neither a
 * probability nor live: treat λ as an order of magnitude, and stress it (the planner bench runs ×3).
 */
import { InputError } from '../model/errors.js';

/** Published upper bounds (`max`, percent) of the Advisor's five buckets, by index. */
export const ADVISOR_BUCKET_MAX_PCT: readonly number[] = [5, 11, 16, 22, 100];

/** Representative monthly interrupted share used for each bucket index (see module comment). */
export const ADVISOR_BUCKET_MONTHLY_SHARE: readonly number[] = [0.025, 0.08, 0.135, 0.19, 0.3];

/** Hours in the Advisor's month (30 days). */
export const ADVISOR_MONTH_HOURS = 720;

/**
 * Hourly interruption hazard (interruptions per instance-hour) for a Spot Advisor bucket index.
 * @param bucket integer 0..4 (the Advisor's `r` field)
 * @returns λ = −ln(1 − p) / 720 with `p` from {@link ADVISOR_BUCKET_MONTHLY_SHARE}
 * @throws InputError when `bucket` is not an integer in 0..4
 */
export function hazardPerHourFromAdvisorBucket(bucket: number): number {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= ADVISOR_BUCKET_MONTHLY_SHARE.length) {
    throw new InputError({ field: 'interruptionBucket' }, bucket, 'a Spot Advisor bucket index 0..4');
  }
  return -Math.log(1 - ADVISOR_BUCKET_MONTHLY_SHARE[bucket]) / ADVISOR_MONTH_HOURS;
}

/**
 * Maps an interruption percentage (e.g. the Advisor's `max` value 5, 11, 16, 22, 100) to its bucket
 * index: the first bucket whose `max` is at least the value.
 * @throws InputError when `pct` is not a finite number in 0..100
 */
export function advisorBucketFromMaxPct(pct: number): number {
  if (!Number.isFinite(pct) || pct < 0 || pct > 100) {
    throw new InputError({ field: 'interruption_range_max_pct' }, pct, 'a percentage 0..100');
  }
  const i = ADVISOR_BUCKET_MAX_PCT.findIndex((max) => pct <= max);
  return i < 0 ? ADVISOR_BUCKET_MAX_PCT.length - 1 : i;
}
