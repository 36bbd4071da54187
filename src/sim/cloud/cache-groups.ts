/**
 * Simulated ElastiCache replication groups: a shape change (shards × replicas) takes minutes
 * (the pool's `addLeadTimeSec` to grow, `removeLeadTimeSec` to shrink); nodes are billed per hour of
 * the current shape, and while growing also for the nodes being added.
 */
import type { CacheGroupState, CachePool } from '../../core/model/index.js';
import { accrue, type BillingRecord } from './billing.js';

/** One simulated cache group. */
export interface SimCacheGroup {
  readonly pool: CachePool;
  readonly priceUsdPerNodeHour: number;
  shards: number;
  replicasPerShard: number;
  pending?: { shards: number; replicasPerShard: number; readyAtSec: number };
  /** Billing of the node-hours so far (price is per node, multiplied by the node count on accrual). */
  costUsd: number;
  lastAccruedSec: number;
}

/** Nodes of a shape: shards × (1 primary + replicas). */
export function nodeCount(shards: number, replicasPerShard: number): number {
  return shards * (1 + replicasPerShard);
}

/** Charges node-hours up to `nowSec`; returns the USD added. */
export function accrueCache(g: SimCacheGroup, nowSec: number): number {
  const billedNodes = Math.max(
    nodeCount(g.shards, g.replicasPerShard),
    g.pending ? nodeCount(g.pending.shards, g.pending.replicasPerShard) : 0,
  );
  const rec: BillingRecord = { startSec: g.lastAccruedSec, priceUsdPerHour: g.priceUsdPerNodeHour * billedNodes, billedSec: 0 };
  const usd = accrue(rec, nowSec);
  g.lastAccruedSec = Math.max(g.lastAccruedSec, nowSec);
  g.costUsd += usd;
  return usd;
}

/** The port's view of a cache group. */
export function toCacheState(g: SimCacheGroup): CacheGroupState {
  return {
    poolId: g.pool.id,
    replicationGroupId: `prescale-${g.pool.id}`,
    nodeType: g.pool.nodeType,
    shards: g.shards,
    replicasPerShard: g.replicasPerShard,
    ...(g.pending ? { pending: { ...g.pending } } : {}),
    priceUsdPerNodeHour: g.priceUsdPerNodeHour,
  };
}
