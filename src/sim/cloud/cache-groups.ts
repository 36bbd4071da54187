/**
 * Simulated ElastiCache replication groups: a shape change (shards × replicas) takes minutes
 * (the pool's `addLeadTimeSec` to grow, `removeLeadTimeSec` to shrink). Nodes are billed per node-hour
 * with every started hour billed in full (ElastiCache node-based pricing: "each partial node-hour
 * consumed will be billed as a full hour"), from when a node is added (while growing, the nodes being
 * added count) until it is removed. A shrink removes the nodes whose paid hour ends soonest.
 */
import { billedCacheNodes, cacheUsableMemoryGiB, type CacheGroupState, type CachePool } from '../../core/model/index.js';

/** One simulated cache group. */
export interface SimCacheGroup {
  readonly pool: CachePool;
  readonly priceUsdPerNodeHour: number;
  /** Memory of one node, GiB. */
  readonly nodeMemoryGiB: number;
  shards: number;
  replicasPerShard: number;
  pending?: { shards: number; replicasPerShard: number; readyAtSec: number };
  /** Billing of the node-hours so far, USD. */
  costUsd: number;
  lastAccruedSec: number;
  /** Billed nodes: when each was added (epoch seconds) and how many of its hours are paid. */
  nodes: Array<{ readonly startSec: number; hoursPaid: number }>;
}


/**
 * Charges node-hours up to `nowSec`; returns the USD added. The node count is constant since the last
 * accrual (every shape change accrues first), so nodes added or removed take effect at that time.
 */
export function accrueCache(g: SimCacheGroup, nowSec: number): number {
  const billedNodes = billedCacheNodes(g);
  const since = g.lastAccruedSec;
  while (g.nodes.length < billedNodes) g.nodes.push({ startSec: since, hoursPaid: 0 });
  if (g.nodes.length > billedNodes) {
    // remove the nodes whose paid hour ends soonest (their next hour would be billed first)
    const endOfPaid = (n: { startSec: number; hoursPaid: number }): number => n.startSec + n.hoursPaid * 3600;
    g.nodes.sort((a, b) => endOfPaid(a) - endOfPaid(b) || a.startSec - b.startSec);
    g.nodes.splice(0, g.nodes.length - billedNodes);
  }
  let usd = 0;
  if (nowSec > since) {
    for (const n of g.nodes) {
      const started = Math.ceil((nowSec - n.startSec) / 3600 - 1e-9);
      if (started > n.hoursPaid) {
        usd += (started - n.hoursPaid) * g.priceUsdPerNodeHour;
        n.hoursPaid = started;
      }
    }
  }
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

/**
 * Memory a group holds for data, GiB: its shards' memory × the usable share (core/model
 * `cacheUsableMemoryGiB`); while a shape change runs, the smaller of the two shapes (a shrink moves
 * the data off the shards being removed first; new shards take data only once the change completes).
 */
export function cacheGroupUsableGiB(g: SimCacheGroup): number {
  const shards = g.pending ? Math.min(g.shards, g.pending.shards) : g.shards;
  return cacheUsableMemoryGiB(shards, g.nodeMemoryGiB);
}
