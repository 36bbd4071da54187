/**
 * Embedded default prices (us-east-1), the static fallback used when no price files or Pricing API
 * are given (Karpenter keeps such a table for the same reason). Constants only: nothing is read at
 * runtime.
 *
 * Sources (copied by hand on 2026-11-21 from /work/shared/data/ec2, see its README):
 * - `ec2_ondemand_prices_2024-04.csv` (vantage-sh/ec2instances.info, snapshot 2024-04): vCPU, memory,
 *   architecture, `ondemand_usd_per_hour` (Linux, shared tenancy) and `spot_estimate_usd_per_hour`
 *   (on-demand × (100 − Advisor savings %) / 100 as the scraper computed it in 2024-04; an estimate,
 *   not an observed spot price);
 * - `spot_advisor.csv` (AWS Spot Instance Advisor feed, about 2025-06): `interruption_range_index`
 *   for us-east-1 Linux. The bucket is a year newer than the prices; the two sources are kept as is.
 * - `elasticache_ondemand_prices_2022-02.csv` (ec2instances.info, 2022-02): us-east-1 Redis node prices.
 */
import type { CacheNodeOffering } from '../model/offering.js';
import type { InstanceTypePrice } from './types.js';

function row(
  instanceType: string,
  vcpu: number,
  memoryGiB: number,
  arch: 'x86_64' | 'arm64',
  onDemandUsdPerHour: number,
  spotUsdPerHour: number,
  interruptionBucket: number,
): InstanceTypePrice {
  return { instanceType, vcpu, memoryGiB, arch, onDemandUsdPerHour, spotUsdPerHour, interruptionBucket, currentGeneration: true };
}

/** Region the embedded tables describe. */
export const DEFAULT_PRICE_REGION = 'us-east-1';

/** 25 common instance types in us-east-1 with on-demand price, spot estimate and Advisor bucket. */
export const DEFAULT_PRICE_TABLE: readonly InstanceTypePrice[] = [
  row('m5.large', 2, 8.0, 'x86_64', 0.096, 0.0384, 3),
  row('m5.xlarge', 4, 16.0, 'x86_64', 0.192, 0.07104, 4),
  row('m5.2xlarge', 8, 32.0, 'x86_64', 0.384, 0.14976, 2),
  row('m6i.large', 2, 8.0, 'x86_64', 0.096, 0.03936, 2),
  row('m6i.xlarge', 4, 16.0, 'x86_64', 0.192, 0.0768, 1),
  row('m6i.2xlarge', 8, 32.0, 'x86_64', 0.384, 0.16512, 4),
  row('m7i.large', 2, 8.0, 'x86_64', 0.1008, 0.044352, 3),
  row('m7i.xlarge', 4, 16.0, 'x86_64', 0.2016, 0.088704, 3),
  row('m7i.2xlarge', 8, 32.0, 'x86_64', 0.4032, 0.169344, 4),
  row('c6i.large', 2, 4.0, 'x86_64', 0.085, 0.0357, 1),
  row('c6i.xlarge', 4, 8.0, 'x86_64', 0.17, 0.0799, 3),
  row('c6i.2xlarge', 8, 16.0, 'x86_64', 0.34, 0.153, 1),
  row('c7g.large', 2, 4.0, 'arm64', 0.0725, 0.0319, 0),
  row('c7g.xlarge', 4, 8.0, 'arm64', 0.145, 0.0667, 0),
  row('c7g.2xlarge', 8, 16.0, 'arm64', 0.29, 0.116, 0),
  row('r6g.large', 2, 16.0, 'arm64', 0.1008, 0.037296, 3),
  row('r6g.xlarge', 4, 32.0, 'arm64', 0.2016, 0.074592, 4),
  row('r6g.2xlarge', 8, 64.0, 'arm64', 0.4032, 0.173376, 4),
  row('m6g.large', 2, 8.0, 'arm64', 0.077, 0.03311, 2),
  row('m6g.xlarge', 4, 16.0, 'arm64', 0.154, 0.06468, 1),
  row('m6g.2xlarge', 8, 32.0, 'arm64', 0.308, 0.12628, 1),
  row('c5.large', 2, 4.0, 'x86_64', 0.085, 0.0391, 0),
  row('c5.xlarge', 4, 8.0, 'x86_64', 0.17, 0.0782, 0),
  row('m6a.large', 2, 8.0, 'x86_64', 0.0864, 0.033696, 1),
  row('m6a.xlarge', 4, 16.0, 'x86_64', 0.1728, 0.082944, 4),
];

/** A few ElastiCache (Redis) node types in us-east-1, on-demand, from the 2022-02 file. */
export const DEFAULT_CACHE_NODE_TABLE: readonly CacheNodeOffering[] = [
  { nodeType: 'cache.t4g.micro', vcpu: 2, memoryGiB: 0.5, priceUsdPerHour: 0.016, networkPerformance: 'Up to 5 Gigabit' },
  { nodeType: 'cache.t4g.small', vcpu: 2, memoryGiB: 1.37, priceUsdPerHour: 0.032, networkPerformance: 'Up to 5 Gigabit' },
  { nodeType: 'cache.t4g.medium', vcpu: 2, memoryGiB: 3.09, priceUsdPerHour: 0.065, networkPerformance: 'Up to 5 Gigabit' },
  { nodeType: 'cache.m6g.large', vcpu: 2, memoryGiB: 6.38, priceUsdPerHour: 0.149, networkPerformance: 'Up to 10 Gigabit' },
  { nodeType: 'cache.m6g.xlarge', vcpu: 4, memoryGiB: 12.93, priceUsdPerHour: 0.297, networkPerformance: 'Up to 10 Gigabit' },
  { nodeType: 'cache.m6g.2xlarge', vcpu: 8, memoryGiB: 26.04, priceUsdPerHour: 0.593, networkPerformance: 'Up to 10 Gigabit' },
  { nodeType: 'cache.r6g.large', vcpu: 2, memoryGiB: 13.07, priceUsdPerHour: 0.206, networkPerformance: 'Up to 10 Gigabit' },
  { nodeType: 'cache.r6g.xlarge', vcpu: 4, memoryGiB: 26.32, priceUsdPerHour: 0.411, networkPerformance: 'Up to 10 Gigabit' },
  { nodeType: 'cache.r6g.2xlarge', vcpu: 8, memoryGiB: 52.82, priceUsdPerHour: 0.821, networkPerformance: 'Up to 10 Gigabit' },
];
