/**
 * Capacity pools: where tasks run. Capacity of an EC2 pool is counted in **capacity units**, which are
 * vCPUs (EC2 Fleet "weighted capacity" with weight = vCPU count of the instance type).
 */
import { z } from 'zod';

/**
 * Instance requirements, as in EC2 attribute-based instance type selection
 * (InstanceRequirementsRequest: VCpuCount, MemoryMiB, AllowedInstanceTypes, ExcludedInstanceTypes).
 */
export const InstanceRequirementsSchema = z.object({
  vcpuMin: z.number().positive().default(2),
  vcpuMax: z.number().positive().default(16),
  memoryGiBMin: z.number().nonnegative().default(0),
  memoryGiBMax: z.number().positive().optional(),
  /** Minimum memory per vCPU in GiB (e.g. 2 for general purpose, 4 for memory-optimised). */
  memoryGiBPerVcpuMin: z.number().nonnegative().default(0),
  architectures: z.array(z.enum(['x86_64', 'arm64'])).default(['x86_64', 'arm64']),
  /** Family prefixes allowed, e.g. ["m5", "m6i", "c6g"]; empty = all current generation. */
  allowedFamilies: z.array(z.string()).default([]),
  excludedFamilies: z.array(z.string()).default([]),
  /** Exclude burstable (t*) types. */
  excludeBurstable: z.boolean().default(true),
});
/** Instance requirements of an EC2 pool. */
export type InstanceRequirements = z.infer<typeof InstanceRequirementsSchema>;

/** An EC2 capacity pool. */
export const Ec2PoolSchema = z.object({
  kind: z.literal('ec2'),
  id: z.string().min(1),
  instanceRequirements: InstanceRequirementsSchema.default({} as never),
  /** Markets the pool may buy from. */
  markets: z.array(z.enum(['spot', 'on-demand'])).min(1).default(['spot', 'on-demand']),
  availabilityZones: z.array(z.string()).min(1).default(['us-east-1a', 'us-east-1b', 'us-east-1c']),
  /** Capacity always kept, in units (vCPU). */
  minUnits: z.number().nonnegative().default(0),
  /** Hard ceiling, in units (vCPU). */
  maxUnits: z.number().positive().default(1024),
  /** On-demand floor: at least this many units, and at least this share of desired units. */
  onDemandFloorUnits: z.number().nonnegative().default(0),
  onDemandFloorShare: z.number().min(0).max(1).default(0),
  /** Demand quantile capacity must cover (the pool's service level), e.g. 0.95. */
  serviceLevel: z.number().min(0.5).max(0.999).default(0.9),
  /** Spot diversification: at most this share of spot units on one offering... */
  maxSpotSharePerOffering: z.number().min(0).max(1).default(0.5),
  /** ...and at least this many distinct spot offerings when spot is used. */
  minSpotOfferings: z.number().int().min(1).default(2),
  /**
   * Scale-in waits this long after demand drops (hysteresis), seconds. Absent: the ski-rental
   * break-even (Karlin et al., "Competitive randomized algorithms for non-uniform problems", 1994),
   * see {@link breakEvenScaleInCooldownSec}: keeping an idle unit costs its price per second, giving
   * it up and needing it back costs the replacement's billed launch lead time (EC2 bills from the
   * launch request), the launch margin and EC2's 60 s billing minimum, so idle capacity is held that
   * long and no longer.
   */
  scaleInCooldownSec: z.number().nonnegative().optional(),
  /** Largest change of units in one tick. */
  maxChangeUnitsPerTick: z.number().positive().default(256),
  /** Extra margin before need when pre-allocating, seconds. */
  launchMarginSec: z.number().nonnegative().default(60),
});
/** An EC2 capacity pool. */
export type Ec2Pool = z.infer<typeof Ec2PoolSchema>;

/**
 * The scale-in cooldown of a pool, seconds: its `scaleInCooldownSec` when set, else the ski-rental
 * break-even (deterministic, 2-competitive: hold idle capacity as long as re-acquiring it would cost,
 * then release it). Re-acquiring costs the longest launch lead time of the pool's offerings plus its
 * launch margin (a replacement is launched that far ahead of need and billed from the request) plus
 * {@link EC2_BILLING_MINIMUM_SEC} (EC2 User Guide, per-second billing: 60 s minimum per instance).
 * @param maxLeadTimeSec the longest launch lead time among the pool's offerings, seconds
 */
export function breakEvenScaleInCooldownSec(pool: Pick<Ec2Pool, 'scaleInCooldownSec' | 'launchMarginSec'>, maxLeadTimeSec: number): number {
  return pool.scaleInCooldownSec ?? maxLeadTimeSec + pool.launchMarginSec + EC2_BILLING_MINIMUM_SEC;
}

/** EC2's per-second billing minimum per instance, seconds (EC2 User Guide, "Per-second billing"). */
export const EC2_BILLING_MINIMUM_SEC = 60;

/** An ElastiCache (Redis/Valkey) replication group used as the prefetch state cache. */
export const CachePoolSchema = z.object({
  kind: z.literal('elasticache'),
  id: z.string().min(1),
  nodeType: z.string().min(1).default('cache.r6g.large'),
  shards: z.number().int().min(1).default(1),
  replicasPerShard: z.number().int().min(0).max(5).default(1),
  minReplicasPerShard: z.number().int().min(0).default(0),
  maxReplicasPerShard: z.number().int().min(0).max(5).default(5),
  /** Time for an added replica to become available, seconds (ElastiCache: minutes). */
  addLeadTimeSec: z.number().nonnegative().default(600),
  /** Time for a removal to complete, seconds. */
  removeLeadTimeSec: z.number().nonnegative().default(300),
  /**
   * Quantile of the forecast memory and throughput need the cache must hold, e.g. 0.95. Absent: the
   * tick's default (core/prefetch/cache-stage.ts `DEFAULT_CACHE_SERVICE_LEVEL`).
   */
  serviceLevel: z.number().min(0.5).max(0.999).optional(),
});
/** An ElastiCache replication group pool. */
export type CachePool = z.infer<typeof CachePoolSchema>;

/** Any capacity pool. */
export const CapacityPoolSchema = z.discriminatedUnion('kind', [Ec2PoolSchema, CachePoolSchema]);
/** Any capacity pool. */
export type CapacityPool = z.infer<typeof CapacityPoolSchema>;
