/**
 * Offerings: instance type × market × availability zone, with price and interruption risk
 * (Karpenter's "offering" concept, kubernetes-sigs/karpenter pkg/cloudprovider/types.go).
 */

/** A market to buy EC2 capacity in. */
export type Market = 'spot' | 'on-demand';

/** One EC2 offering. */
export interface Offering {
  /** `${instanceType}/${market}/${az}`; see {@link offeringId}. */
  readonly id: string;
  readonly instanceType: string;
  /** Family prefix, e.g. "m6i" for "m6i.large". */
  readonly family: string;
  readonly market: Market;
  readonly az: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly arch: 'x86_64' | 'arm64';
  /** Capacity units one instance provides (= vCPU; see pool.ts). */
  readonly capacityUnits: number;
  /** Price per instance-hour, USD. For spot, the current (or estimated) spot price. */
  readonly priceUsdPerHour: number;
  /**
   * Spot interruption hazard, interruptions per instance-hour (0 for on-demand). Derived from the
   * Spot Instance Advisor bucket; see core/market for the conversion.
   */
  readonly interruptionHazardPerHour: number;
  /** Median time from launch request to ready, seconds. */
  readonly launchLeadTimeSec: number;
  /** False while marked unavailable (e.g. after InsufficientInstanceCapacity), as Karpenter does. */
  readonly available: boolean;
}

/** Builds an offering id. */
export function offeringId(instanceType: string, market: Market, az: string): string {
  return `${instanceType}/${market}/${az}`;
}

/** Family of an instance type ("m6i.large" → "m6i"). */
export function familyOf(instanceType: string): string {
  return instanceType.split('.')[0];
}

/** An ElastiCache node offering (on-demand only). */
export interface CacheNodeOffering {
  readonly nodeType: string;
  readonly memoryGiB: number;
  readonly vcpu: number;
  readonly priceUsdPerHour: number;
  /** Network performance as published ("Up to 10 Gigabit"). */
  readonly networkPerformance?: string;
}

/**
 * One instance type's prices and shape in a region, as a price catalog gives it (PriceCatalog port)
 * and the market model consumes it (core/market).
 */
export interface InstanceTypePrice {
  readonly instanceType: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly arch: 'x86_64' | 'arm64';
  /** Linux shared-tenancy on-demand price, USD per instance-hour. */
  readonly onDemandUsdPerHour: number;
  /** Spot price (observed or estimated from the Spot Advisor's savings), USD per instance-hour. */
  readonly spotUsdPerHour?: number;
  /** Spot Advisor interruption bucket index 0..4 (<5%, 5-10%, 10-15%, 15-20%, >20%). */
  readonly interruptionBucket?: number;
  readonly currentGeneration: boolean;
}
