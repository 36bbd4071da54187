import { describe, expect, it } from 'vitest';
import { CACHE_LOW_SINCE_SEC, cacheShapeFor, planCacheCapacity, type CacheDemandSlot } from '../../../src/core/plan/index.js';
import { CachePoolSchema, type CacheGroupState } from '../../../src/core/model/index.js';
import { DEFAULT_CACHE_NODE_TABLE } from '../../../src/core/market/index.js';

const pool = CachePoolSchema.parse({ kind: 'elasticache', id: 'cache', shards: 1, replicasPerShard: 1, addLeadTimeSec: 600, maxReplicasPerShard: 5 });
const node = DEFAULT_CACHE_NODE_TABLE.find((n) => n.nodeType === 'cache.r6g.large')!; // 13.07 GiB, 0.206 USD/h
const state = (shards: number, replicasPerShard: number, pending?: CacheGroupState['pending']): CacheGroupState => ({
  poolId: 'cache', replicationGroupId: 'rg', nodeType: node.nodeType, shards, replicasPerShard, priceUsdPerNodeHour: node.priceUsdPerHour, ...(pending ? { pending } : {}),
});
const slots = (nowSec: number, f: (t: number) => [number, number]): CacheDemandSlot[] =>
  Array.from({ length: 30 }, (_, i) => { const t = nowSec + i * 60; const [memoryGiB, opsPerSec] = f(t); return { startSec: t, memoryGiB, opsPerSec }; });

describe('ElastiCache sizing', () => {
  it('sizes shards from memory (75% usable) and replicas from throughput', () => {
    // 20 GiB / (13.07 × 0.75 = 9.8) → 3 shards; 240k ops/s / 3 shards / 50k per node → 2 nodes → 1 replica
    expect(cacheShapeFor({ startSec: 0, memoryGiB: 20, opsPerSec: 240_000 }, pool, node)).toEqual({ shards: 3, replicasPerShard: 1 });
    expect(cacheShapeFor({ startSec: 0, memoryGiB: 1, opsPerSec: 400_000 }, pool, node)).toEqual({ shards: 1, replicasPerShard: 5 });
  });

  it('grows lead time ahead of need: a need 12 minutes out is acted on once it falls inside add lead + margin + tick', () => {
    const need = (t: number): [number, number] => (t >= 2000 ? [20, 10_000] : [2, 10_000]);
    // slots start every 60 s from now; at 1290 the first big slot (2010) is not before 1290 + 60 + 600 + 60
    expect(planCacheCapacity({ nowSec: 1290, tickSec: 60, pool, node, state: state(1, 1), demand: slots(1290, need), memory: {} }).command).toBeUndefined();
    const r = planCacheCapacity({ nowSec: 1350, tickSec: 60, pool, node, state: state(1, 1), demand: slots(1350, need), memory: {} });
    expect(r.command).toMatchObject({ kind: 'scale-cache', shards: 3, replicasPerShard: 1, id: 'cache@1350/scale-cache/3x1' });
    expect(r.costUsdPerHour).toBeCloseTo(3 * 2 * 0.206, 9);
  });

  it('does not grow for a need that ends before added nodes would be ready, and does not shrink under it', () => {
    // 20 GiB for the next 9 minutes only: nodes asked for now are ready in 10 minutes, too late
    const burst = (t: number): [number, number] => (t < 1000 + 540 ? [20, 10_000] : [2, 10_000]);
    const r = planCacheCapacity({ nowSec: 1000, tickSec: 60, pool, node, state: state(1, 0), demand: slots(1000, burst), memory: {} });
    expect(r.command).toBeUndefined();
    expect(r.reason).toMatch(/too late/);
    const big = planCacheCapacity({ nowSec: 1000, tickSec: 60, pool, node, state: state(3, 0), demand: slots(1000, burst), memory: {} });
    expect(big.command).toBeUndefined();
    expect(big.memory[CACHE_LOW_SINCE_SEC]).toBeUndefined();
    // the same need lasting into the slot the added nodes would serve does grow the cache
    const lasting = (t: number): [number, number] => (t < 1000 + 660 ? [20, 10_000] : [2, 10_000]);
    expect(planCacheCapacity({ nowSec: 1000, tickSec: 60, pool, node, state: state(1, 0), demand: slots(1000, lasting), memory: {} }).command).toMatchObject({ shards: 3 });
  });

  it('grows for memory only when the states the added shards keep are worth their node-hours', () => {
    // one shard holds 13.07 × 0.75 = 9.8025 GiB; 12 GiB need a second: 2.1975 GiB would be evicted
    const valued = (usdPerGiB: number) => (t: number): CacheDemandSlot => ({ startSec: t, memoryGiB: 12, opsPerSec: 10_000, valueUsdPerGiB: usdPerGiB });
    const demand = (usdPerGiB: number): CacheDemandSlot[] => Array.from({ length: 30 }, (_, i) => valued(usdPerGiB)(1000 + i * 60));
    // one more node (no replicas wanted) costs one node-hour: 0.206 USD; 2.1975 GiB × 0.1 USD/GiB ≈ 0.2198 USD ≥ 0.206
    const worth = planCacheCapacity({ nowSec: 1000, tickSec: 60, pool, node, state: state(1, 0), demand: demand(0.1), memory: {} });
    expect(worth.command).toMatchObject({ shards: 2, replicasPerShard: 0 });
    // 2.1975 GiB × 0.09 ≈ 0.1978 USD < 0.206: the cache keeps one shard and evicts
    const not = planCacheCapacity({ nowSec: 1000, tickSec: 60, pool, node, state: state(1, 0), demand: demand(0.09), memory: {} });
    expect(not.command).toBeUndefined();
    expect(not.reason).toMatch(/not worth growing; 1 more shard\(s\) would keep 0\.1978 USD of states for 0\.2060 USD/);
    // without values the need alone decides
    const unvalued = demand(0.09).map(({ valueUsdPerGiB: _v, ...rest }) => rest);
    expect(planCacheCapacity({ nowSec: 1000, tickSec: 60, pool, node, state: state(1, 0), demand: unvalued, memory: {} }).command).toMatchObject({ shards: 2 });
  });

  it('shrinks only after the cooldown and never while a modification is pending', () => {
    const low = (): [number, number] => [2, 10_000];
    const first = planCacheCapacity({ nowSec: 5000, tickSec: 60, pool, node, state: state(3, 1), demand: slots(5000, low), memory: {} });
    expect(first.command).toBeUndefined();
    expect(first.memory[CACHE_LOW_SINCE_SEC]).toBe(5000);
    const later = planCacheCapacity({ nowSec: 6800, tickSec: 60, pool, node, state: state(3, 1), demand: slots(6800, low), memory: first.memory });
    // 10k ops/s need one node per shard: replicas go to the pool's minimum (0)
    expect(later.command).toMatchObject({ shards: 1, replicasPerShard: 0 });
    const pending = planCacheCapacity({ nowSec: 6800, tickSec: 60, pool, node, state: state(1, 1, { shards: 3, replicasPerShard: 1, readyAtSec: 7000 }), demand: slots(6800, low), memory: first.memory });
    expect(pending.command).toBeUndefined();
    expect(pending.reason).toMatch(/pending modification/);
  });
});
