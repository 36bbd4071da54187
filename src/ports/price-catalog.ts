import type { CacheNodeOffering } from '../core/model/index.js';

/** One instance type's prices and shape in a region. */
export interface InstanceTypePrice {
  readonly instanceType: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly arch: 'x86_64' | 'arm64';
  readonly onDemandUsdPerHour: number;
  /** Spot price (observed or estimated from the Spot Advisor's savings), USD per hour. */
  readonly spotUsdPerHour?: number;
  /** Spot Advisor interruption bucket index 0..4 (<5%, 5-10%, 10-15%, 15-20%, >20%). */
  readonly interruptionBucket?: number;
  readonly currentGeneration: boolean;
}

/**
 * Prices: the AWS Pricing API with a static table as fallback (Karpenter's pricing provider),
 * or files under shared/data/ec2 for benchmarks.
 */
export interface PriceCatalog {
  /** Instance types with prices in `region`. */
  instanceTypes(region: string): Promise<InstanceTypePrice[]>;
  /** ElastiCache node types with on-demand prices in `region`. */
  cacheNodes(region: string): Promise<CacheNodeOffering[]>;
  /** Where the prices come from and their date, for the report's assumptions. */
  describe(): string;
}
