/**
 * Offerings that failed to launch, kept out of the plans for a while, in the persisted tick state (so
 * a Lambda cold start or another container remembers them). Modelled on Karpenter's unavailable
 * offerings cache: aws/karpenter-provider-aws marks an offering unavailable on the CreateFleet errors
 * it calls "unfulfillable capacity" (InsufficientInstanceCapacity, MaxSpotInstanceCountExceeded,
 * VcpuLimitExceeded, UnfulfillableCapacity, Unsupported; pkg/errors/errors.go) for
 * `UnavailableOfferingsTTL = 3 * time.Minute` (pkg/cache/cache.go).
 *
 * Scope: capacity and `Unsupported` mark the offering (type × market × zone); an account quota
 * (VcpuLimitExceeded, MaxSpotInstanceCountExceeded, InstanceLimitExceeded: provider code
 * `quota-exceeded`) counts every type and zone of the market, so it marks the market (`*\/spot/*`).
 */
import type { ApplyErrorCode, ApplyResult, LaunchCommand, Offering } from '../model/index.js';

/** Seconds an offering stays unavailable per provider error code (Karpenter: 3 minutes for each). */
export const UNAVAILABLE_TTL_SEC: Readonly<Partial<Record<ApplyErrorCode, number>>> = {
  'insufficient-capacity': 180,
  unsupported: 180,
  'quota-exceeded': 180,
};

/** Marks as persisted: offering id, or `*\/market/*` for a whole market → until (epoch seconds). */
export type UnavailableOfferings = Readonly<Record<string, number>>;

/** The marks after a launch answered `result` at `nowSec` (unchanged unless it failed with a listed code). */
export function markUnavailable(marks: UnavailableOfferings, cmd: LaunchCommand, result: ApplyResult, nowSec: number): UnavailableOfferings {
  const code = result.error?.code;
  const ttl = code !== undefined && (result.status === 'failed' || result.status === 'partial') ? UNAVAILABLE_TTL_SEC[code] : undefined;
  if (ttl === undefined) return marks;
  const market = cmd.offeringId.split('/')[1] ?? '';
  const key = code === 'quota-exceeded' ? `*/${market}/*` : cmd.offeringId;
  return { ...marks, [key]: nowSec + ttl };
}

/** The marks still in force at `nowSec`. */
export function liveMarks(marks: UnavailableOfferings | undefined, nowSec: number): UnavailableOfferings {
  const out: Record<string, number> = {};
  for (const [k, until] of Object.entries(marks ?? {})) if (until > nowSec) out[k] = until;
  return out;
}

/** `offerings` with the marked ones (by id or market) set `available: false`. */
export function withUnavailable(offerings: readonly Offering[], marks: UnavailableOfferings): Offering[] {
  if (Object.keys(marks).length === 0) return [...offerings];
  return offerings.map((o) => (o.available && (o.id in marks || `*/${o.market}/*` in marks) ? { ...o, available: false } : o));
}
