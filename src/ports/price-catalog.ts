import type { CacheNodeOffering, InstanceTypePrice } from '../core/model/index.js';

export type { InstanceTypePrice } from '../core/model/offering.js';

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
