/**
 * The observed state of capacity, as `CloudProvider.describeCapacity` returns it.
 */
import type { Market } from './offering.js';

/** Lifecycle of an instance. `interrupting`: a spot interruption notice was received (two minutes). */
export type InstanceState = 'pending' | 'running' | 'interrupting' | 'terminated';

/** Tag key marking resources prescale created; only these are ever modified or terminated. */
export const OWNER_TAG_KEY = 'prescale:owner';
/** Tag key carrying the pool id. */
export const POOL_TAG_KEY = 'prescale:pool';

/** One instance known to the provider (only instances carrying prescale's owner tag are listed). */
export interface Instance {
  readonly id: string;
  readonly poolId: string;
  readonly offeringId: string;
  readonly instanceType: string;
  readonly market: Market;
  readonly az: string;
  readonly capacityUnits: number;
  readonly state: InstanceState;
  /** Epoch seconds the launch was requested. */
  readonly launchedAtSec: number;
  /** Epoch seconds it became (or will become, in the simulator's knowledge only) ready. */
  readonly readyAtSec?: number;
  /** For `interrupting`: when the instance will be reclaimed. */
  readonly interruptionAtSec?: number;
  readonly priceUsdPerHour: number;
  /**
   * Capacity units in use by running tasks, when the provider knows it (e.g. an ECS container
   * instance's or a Batch compute environment's allocated vCPU; the simulator's placement). Absent:
   * unknown. Scale-in terminates idle instances (0) and leaves busy ones to finish their work.
   */
  readonly busyUnits?: number;
  /** The command (client token) that launched it. */
  readonly commandId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** State of an ElastiCache replication group managed as a cache pool. */
export interface CacheGroupState {
  readonly poolId: string;
  readonly replicationGroupId: string;
  readonly nodeType: string;
  readonly shards: number;
  readonly replicasPerShard: number;
  /** A modification in progress, with its target and when it completes. */
  readonly pending?: { readonly shards: number; readonly replicasPerShard: number; readonly readyAtSec: number };
  readonly priceUsdPerNodeHour: number;
}

/**
 * A pool's warm pool (EC2 Auto Scaling `DescribeWarmPool`): its configured size and the instances in
 * it, which are not part of the pool's capacity until a launch starts them.
 */
export interface WarmPoolState {
  readonly poolId: string;
  /** The on-demand offering its instances are of. */
  readonly offeringId: string;
  /** Configured minimum size (WarmPoolConfiguration MinSize). */
  readonly minSize: number;
  /** Instances initialised and stopped (lifecycle state `Warmed:Stopped`), ready to start. */
  readonly stoppedCount: number;
  /** Instances still initialising before they stop (`Warmed:Pending`). */
  readonly pendingCount: number;
}

/** Everything the controller can see of its capacity at one moment. */
export interface CapacitySnapshot {
  readonly atSec: number;
  readonly instances: readonly Instance[];
  readonly caches: readonly CacheGroupState[];
  /** Warm pools of the pools that have one (absent: none). */
  readonly warmPools?: readonly WarmPoolState[];
}

/** Nodes of an ElastiCache replication group shape: shards × (1 primary + replicas). */
export function cacheNodeCount(shards: number, replicasPerShard: number): number {
  return shards * (1 + replicasPerShard);
}

/**
 * Nodes a cache group is billed for: its shape, or while a modification runs the larger of its shape
 * and the target (nodes being added are billed; nodes being removed are until they are gone).
 */
export function billedCacheNodes(g: Pick<CacheGroupState, 'shards' | 'replicasPerShard' | 'pending'>): number {
  return Math.max(cacheNodeCount(g.shards, g.replicasPerShard), g.pending ? cacheNodeCount(g.pending.shards, g.pending.replicasPerShard) : 0);
}

/**
 * Share of a cache node's memory usable for data: 75%. ElastiCache's default
 * `reserved-memory-percent` is 25% (AWS, "Managing reserved memory for Valkey and Redis OSS").
 */
export const CACHE_USABLE_MEMORY_SHARE = 0.75;

/**
 * Memory a cache group of `shards` shards of `nodeMemoryGiB` nodes holds for data, GiB: replicas copy
 * their primary and add none (`shards × nodeMemoryGiB × usableShare`).
 */
export function cacheUsableMemoryGiB(shards: number, nodeMemoryGiB: number, usableShare = CACHE_USABLE_MEMORY_SHARE): number {
  return shards * nodeMemoryGiB * usableShare;
}

/** Sum of capacity units of instances of `poolId` in the given states. */
export function poolUnits(
  snap: CapacitySnapshot,
  poolId: string,
  states: readonly InstanceState[] = ['pending', 'running'],
): number {
  let units = 0;
  for (const i of snap.instances) if (i.poolId === poolId && states.includes(i.state)) units += i.capacityUnits;
  return units;
}
