/**
 * Offerings that recently failed with insufficient capacity, remembered for a while so the planner
 * chooses others (Karpenter's UnavailableOfferings cache, aws/karpenter-provider-aws
 * pkg/cache/unavailableofferings.go, whose TTL is 3 minutes).
 */
import type { Clock } from '../../ports/index.js';

/** Karpenter's `UnavailableOfferingsTTL`: 3 minutes. */
export const DEFAULT_UNAVAILABLE_TTL_SEC = 180;

/** Offering ids marked unavailable until an expiry time (epoch seconds from the injected clock). */
export class UnavailableOfferings {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock, private readonly ttlSec = DEFAULT_UNAVAILABLE_TTL_SEC) {}

  /** Marks `offeringId` (`type/market/az`) unavailable for the TTL. */
  mark(offeringId: string): void {
    this.until.set(offeringId, this.clock.nowSec() + this.ttlSec);
  }

  /** True while `offeringId` is marked. */
  has(offeringId: string): boolean {
    const t = this.until.get(offeringId);
    if (t === undefined) return false;
    if (t <= this.clock.nowSec()) {
      this.until.delete(offeringId);
      return false;
    }
    return true;
  }

  /** The ids currently marked, sorted. */
  ids(): Set<string> {
    return new Set([...this.until.keys()].filter((id) => this.has(id)).sort());
  }
}
