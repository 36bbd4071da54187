/**
 * ElastiCache sizing for the prefetch state cache: shards from the memory the prepared states need,
 * replicas from the request throughput, changed lead time ahead of need and shrunk only after a
 * cooldown. Pure.
 *
 * Growth for memory is also an investment: when the demand slots carry the states' value, shards are
 * added only if the states they would keep from eviction (the largest overflow over the current
 * shards in the slots they serve, up to the memory they add, × the slot's value per GiB) are worth at
 * least the added nodes' minimum billing (one node-hour each). This counts one overflow per decision,
 * not every overflow the nodes would absorb during their paid hour, so it leans towards not growing;
 * a full cache evicts (the steps run cold), it does not fail.
 *
 * Assumptions (documented, override them): usable memory per node is 75% of the node's memory
 * (ElastiCache's default `reserved-memory-percent` is 25%); one node serves `opsPerSecPerNode`
 * (default 50,000 simple GET/SET per second, a conservative figure for a Redis node of 2+ vCPU; AWS
 * publishes no per-node number); reads spread over the primary and replicas of each shard.
 */
import { CACHE_USABLE_MEMORY_SHARE, cacheNodeCount, cacheUsableMemoryGiB, type CacheGroupState } from '../model/capacity.js';
import type { ScaleCacheCommand } from '../model/command.js';
import { InputError } from '../model/errors.js';
import type { CacheNodeOffering } from '../model/offering.js';
import type { CachePool } from '../model/pool.js';
import { commandId } from './commands.js';
import type { PlannerMemory } from './types.js';

/** Cache demand in one future slot (at the service-level quantile). */
export interface CacheDemandSlot {
  readonly startSec: number;
  /** Memory the prepared states need, GiB. */
  readonly memoryGiB: number;
  /** Requests per second (reads + writes). */
  readonly opsPerSec: number;
  /**
   * What the states needing this slot's memory are worth if kept until their step starts, USD per GiB
   * (core/prefetch/cache-stage.ts). Absent: growth follows the need alone.
   */
  readonly valueUsdPerGiB?: number;
}

/**
 * Hours a node added to a cache group is billed at least: ElastiCache node-based pricing bills every
 * started node-hour in full ("each partial node-hour consumed will be billed as a full hour").
 */
export const CACHE_NODE_BILLING_MINIMUM_HOURS = 1;

/** Inputs of {@link planCacheCapacity}. */
export interface CacheSizingInput {
  readonly nowSec: number;
  readonly tickSec: number;
  readonly pool: CachePool;
  readonly node: CacheNodeOffering;
  /** Current group state (undefined when not created yet: sized from the pool's shards/replicas). */
  readonly state?: CacheGroupState;
  readonly demand: readonly CacheDemandSlot[];
  readonly memory: PlannerMemory;
  /** @default 50000 */
  readonly opsPerSecPerNode?: number;
  /** @default 0.75 */
  readonly usableMemoryShare?: number;
  /** Shrinking waits this long after the need dropped, seconds. @default 1800 */
  readonly scaleInCooldownSec?: number;
  /** Margin before need, seconds. @default 60 */
  readonly marginSec?: number;
  /**
   * Whether growing to a shape stays within the safety limits (the tick's one spend budget,
   * core/plan/limits.ts `cacheGrowthBreach`). A growth it refuses is cut back, replicas first, then
   * shards, to the largest shape it allows (possibly none: the cache keeps its shape and evicts).
   * Absent: growth is not limited here.
   */
  readonly allowGrowth?: (shards: number, replicasPerShard: number) => boolean;
}

/** The sizing decision. */
export interface CacheSizing {
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly command?: ScaleCacheCommand;
  readonly reason: string;
  readonly memory: PlannerMemory;
  /** Price of the target shape, USD per hour. */
  readonly costUsdPerHour: number;
}

/** Memory key: since when the needed shape has been smaller than the current one. */
export const CACHE_LOW_SINCE_SEC = 'cacheLowSinceSec';

/** Shape one slot needs: shards for memory, then replicas for throughput, within the pool's limits. */
export function cacheShapeFor(slot: CacheDemandSlot, pool: CachePool, node: CacheNodeOffering, opsPerSecPerNode = 50_000, usableMemoryShare = CACHE_USABLE_MEMORY_SHARE): { shards: number; replicasPerShard: number } {
  if (!(slot.memoryGiB >= 0) || !(slot.opsPerSec >= 0)) throw new InputError({ field: 'cacheDemand' }, slot, 'memoryGiB and opsPerSec >= 0');
  const shards = Math.max(1, Math.ceil(slot.memoryGiB / (node.memoryGiB * usableMemoryShare) - 1e-9));
  const nodesPerShard = Math.ceil(slot.opsPerSec / shards / opsPerSecPerNode - 1e-9);
  const replicasPerShard = Math.min(pool.maxReplicasPerShard, Math.max(pool.minReplicasPerShard, nodesPerShard - 1));
  return { shards, replicasPerShard };
}

/**
 * Sizes the cache group by lead time. Growing answers the largest shape needed by the slots the new
 * nodes can serve: from when they would be ready (the slot holding now + add lead time) to one tick
 * and the margin past it; a need that ends before then cannot be served by growing (the cache evicts
 * instead), so it does not trigger a change. Shrinking waits until no slot from now to that end needs
 * the current shape, and then for the cooldown. Never changes while a modification is pending.
 */
export function planCacheCapacity(input: CacheSizingInput): CacheSizing {
  const { pool, node, nowSec } = input;
  const cur = input.state?.pending ?? input.state ?? { shards: pool.shards, replicasPerShard: pool.replicasPerShard };
  const readySec = nowSec + pool.addLeadTimeSec;
  const horizonEnd = readySec + input.tickSec + (input.marginSec ?? 60);
  const slotSec = input.demand.length > 1 ? input.demand[1].startSec - input.demand[0].startSec : input.tickSec;
  const growTo = { shards: 1, replicasPerShard: pool.minReplicasPerShard };
  const keep = { ...growTo };
  for (const s of input.demand) {
    if (s.startSec >= horizonEnd) continue;
    const shape = cacheShapeFor(s, pool, node, input.opsPerSecPerNode, input.usableMemoryShare);
    keep.shards = Math.max(keep.shards, shape.shards);
    keep.replicasPerShard = Math.max(keep.replicasPerShard, shape.replicasPerShard);
    if (s.startSec + slotSec <= readySec) continue;
    growTo.shards = Math.max(growTo.shards, shape.shards);
    growTo.replicasPerShard = Math.max(growTo.replicasPerShard, shape.replicasPerShard);
  }
  const memory: Record<string, number> = { ...input.memory };
  const cost = (sh: number, r: number): number => cacheNodeCount(sh, r) * node.priceUsdPerHour;
  const worth = growthWorth(input, cur, growTo, readySec, horizonEnd, slotSec);
  let valueNote = '';
  if (worth && worth.keptUsd < worth.costUsd) {
    valueNote = `; ${growTo.shards - cur.shards} more shard(s) would keep ${worth.keptUsd.toFixed(4)} USD of states for ${worth.costUsd.toFixed(4)} USD of node-hours`;
    growTo.shards = cur.shards;
  }
  const grow = growTo.shards > cur.shards || growTo.replicasPerShard > cur.replicasPerShard;
  const shrink = keep.shards < cur.shards || keep.replicasPerShard < cur.replicasPerShard;
  const shards = grow ? growTo.shards : keep.shards;
  const replicas = grow ? growTo.replicasPerShard : keep.replicasPerShard;
  let target = { shards, replicasPerShard: replicas };
  let reason: string;
  if (grow) {
    // never shrink one dimension while growing the other
    target = { shards: Math.max(shards, cur.shards), replicasPerShard: Math.max(replicas, cur.replicasPerShard) };
    delete memory[CACHE_LOW_SINCE_SEC];
    reason = `need ${shards} shard(s) × ${1 + replicas} node(s) within the ${pool.addLeadTimeSec}s add lead time`;
    const allow = input.allowGrowth;
    if (allow && !allow(target.shards, target.replicasPerShard)) {
      const wanted = target;
      while (!allow(target.shards, target.replicasPerShard) && (target.replicasPerShard > cur.replicasPerShard || target.shards > cur.shards)) {
        target = target.replicasPerShard > cur.replicasPerShard ? { ...target, replicasPerShard: target.replicasPerShard - 1 } : { ...target, shards: target.shards - 1 };
      }
      reason += `; the spend budget (maxSpendUsdPerHour) allows ${target.shards} × ${1 + target.replicasPerShard}, not ${wanted.shards} × ${1 + wanted.replicasPerShard}${target.shards === cur.shards && target.replicasPerShard === cur.replicasPerShard ? ' (the cache evicts)' : ''}`;
    }
  } else if (shrink) {
    const since = memory[CACHE_LOW_SINCE_SEC] ?? nowSec;
    memory[CACHE_LOW_SINCE_SEC] = since;
    if (nowSec - since >= (input.scaleInCooldownSec ?? 1800)) reason = `need only ${shards} shard(s) × ${1 + replicas} node(s) for ${nowSec - since}s`;
    else { target = { shards: cur.shards, replicasPerShard: cur.replicasPerShard }; reason = 'shrink waits for the cooldown'; }
  } else {
    delete memory[CACHE_LOW_SINCE_SEC];
    target = { shards: cur.shards, replicasPerShard: cur.replicasPerShard };
    reason = valueNote !== '' ? `need over the shape is not worth growing${valueNote}; the cache evicts`
      : keep.shards > cur.shards || keep.replicasPerShard > cur.replicasPerShard
        ? `need over the shape ends before ${pool.addLeadTimeSec}s (added nodes would come too late; the cache evicts)`
        : 'shape fits the need';
  }
  const changed = target.shards !== cur.shards || target.replicasPerShard !== cur.replicasPerShard;
  let command: ScaleCacheCommand | undefined;
  if (changed && input.state?.pending) reason += '; waiting for the pending modification';
  else if (changed) {
    command = {
      kind: 'scale-cache', id: commandId(pool.id, nowSec, 'scale-cache', `${target.shards}x${target.replicasPerShard}`), poolId: pool.id,
      shards: target.shards, replicasPerShard: target.replicasPerShard,
      reason: `${reason}; ${cur.shards}×${1 + cur.replicasPerShard} → ${target.shards}×${1 + target.replicasPerShard} nodes of ${node.nodeType}`,
    };
  }
  return { ...target, command, reason, memory, costUsdPerHour: cost(target.shards, target.replicasPerShard) };
}

/**
 * Value of growing from `cur` to `growTo` shards (see module doc): the states kept and the cost of
 * the added nodes' minimum billing, USD; undefined when no shard is added or a slot it serves carries
 * no value.
 */
function growthWorth(
  input: CacheSizingInput, cur: { shards: number; replicasPerShard: number }, growTo: { shards: number; replicasPerShard: number },
  readySec: number, horizonEnd: number, slotSec: number,
): { keptUsd: number; costUsd: number } | undefined {
  if (growTo.shards <= cur.shards) return undefined;
  const share = input.usableMemoryShare ?? CACHE_USABLE_MEMORY_SHARE;
  const usableNow = cacheUsableMemoryGiB(cur.shards, input.node.memoryGiB, share);
  const added = cacheUsableMemoryGiB(growTo.shards - cur.shards, input.node.memoryGiB, share);
  let keptUsd = 0;
  for (const s of input.demand) {
    if (s.startSec >= horizonEnd || s.startSec + slotSec <= readySec) continue;
    if (s.valueUsdPerGiB === undefined) return undefined;
    keptUsd = Math.max(keptUsd, Math.min(added, Math.max(0, s.memoryGiB - usableNow)) * s.valueUsdPerGiB);
  }
  const addedNodes = cacheNodeCount(growTo.shards, growTo.replicasPerShard) - cacheNodeCount(cur.shards, growTo.replicasPerShard);
  return { keptUsd, costUsd: addedNodes * input.node.priceUsdPerHour * CACHE_NODE_BILLING_MINIMUM_HOURS };
}
