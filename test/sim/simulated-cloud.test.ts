import { describe, expect, it } from 'vitest';
import { SPOT_INTERRUPTION_NOTICE_SEC, type LaunchCommand } from '../../src/core/model/index.js';
import { CachePoolSchema } from '../../src/core/model/index.js';
import { simCloud, T0 } from './sim-cloud-setup.js';

const launch = (offeringId: string, id: string, count = 1): LaunchCommand => ({
  kind: 'launch', id, poolId: 'batch', reason: 'test', offeringId, count, needAtSec: T0, expectedCostUsdPerHour: 0,
});

describe('SimulatedCloud', () => {
  it('makes an instance ready after a lead time drawn in 60–180 s', () => {
    const s = simCloud();
    const od = s.offerings.find((o) => o.market === 'on-demand')!;
    const r = s.cloud.applyNow(launch(od.id, 'l1', 5));
    const snap = s.cloud.snapshot();
    for (const id of r.instanceIds) {
      const i = snap.instances.find((x) => x.id === id)!;
      expect(i.state).toBe('pending');
      expect(i.readyAtSec! - T0).toBeGreaterThanOrEqual(60);
      expect(i.readyAtSec! - T0).toBeLessThanOrEqual(180);
    }
    s.advanceTo(T0 + 180);
    expect(s.cloud.snapshot().instances.every((i) => i.state === 'running')).toBe(true);
  });

  it('bills per second with a 60 s minimum', () => {
    const s = simCloud();
    const od = s.offerings.find((o) => o.market === 'on-demand')!;
    const a = s.cloud.applyNow(launch(od.id, 'short'));
    s.advanceTo(T0 + 10);
    s.cloud.applyNow({ kind: 'terminate', id: 't1', poolId: 'batch', reason: 'test', instanceIds: a.instanceIds });
    const short = s.cloud.collectCost().reduce((x, c) => x + c.onDemandUsd, 0);
    expect(short).toBeCloseTo((od.priceUsdPerHour * 60) / 3600, 10);
    const b = s.cloud.applyNow(launch(od.id, 'long'));
    s.advanceTo(T0 + 10 + 1800);
    s.cloud.applyNow({ kind: 'terminate', id: 't2', poolId: 'batch', reason: 'test', instanceIds: b.instanceIds });
    const long = s.cloud.collectCost().reduce((x, c) => x + c.onDemandUsd, 0);
    expect(long).toBeCloseTo(od.priceUsdPerHour / 2, 10);
  });

  it('gives a two-minute notice before reclaiming a spot instance and reports it once', () => {
    const s = simCloud({ hazardMultiplier: 20_000 });
    const spot = s.offerings.find((o) => o.market === 'spot')!;
    const lost: string[] = [];
    s.cloud.hooks = { lost: (i, why) => lost.push(`${i.id}:${why}`) };
    const r = s.cloud.applyNow(launch(spot.id, 'spot1', 3));
    s.advanceTo(T0 + 7 * 86_400);
    const events = s.cloud.drainCloudEvents().filter((e) => e.kind === 'spot-interruption-notice');
    expect(events.length).toBe(3);
    for (const e of events) expect(e.actionAtSec! - e.atSec).toBe(SPOT_INTERRUPTION_NOTICE_SEC);
    expect(lost.sort()).toEqual(r.instanceIds.map((id) => `${id}:spot-interruption`).sort());
    expect(s.cloud.drainCloudEvents()).toEqual([]);
    expect(s.cloud.stats.spotInterruptions).toBe(3);
  });

  it('never interrupts on-demand instances', () => {
    const s = simCloud({ hazardMultiplier: 1e6 });
    const od = s.offerings.find((o) => o.market === 'on-demand')!;
    s.cloud.applyNow(launch(od.id, 'od', 4));
    s.advanceTo(T0 + 30 * 86_400);
    expect(s.cloud.stats.spotInterruptions).toBe(0);
    expect(s.cloud.snapshot().instances.filter((i) => i.state === 'running')).toHaveLength(4);
  });

  it('changes a cache group shape only after its lead time, billing node-hours', () => {
    const pool = CachePoolSchema.parse({ kind: 'elasticache', id: 'cache', shards: 1, replicasPerShard: 0, addLeadTimeSec: 600 });
    const s = simCloud({ caches: [{ pool, priceUsdPerNodeHour: 0.2, nodeMemoryGiB: 6.38 }] });
    expect(s.cloud.applyNow({ kind: 'scale-cache', id: 'c1', poolId: 'cache', reason: 'test', shards: 1, replicasPerShard: 1 }).status).toBe('applied');
    s.advanceTo(T0 + 599);
    expect(s.cloud.snapshot().caches[0].replicasPerShard).toBe(0);
    expect(s.cloud.snapshot().caches[0].pending?.readyAtSec).toBe(T0 + 600);
    s.advanceTo(T0 + 3600);
    expect(s.cloud.snapshot().caches[0].replicasPerShard).toBe(1);
    const usd = s.cloud.collectCost().reduce((x, c) => x + c.cacheUsd, 0);
    expect(usd).toBeCloseTo(0.2 * 2, 6);
  });

  it('gives the state cache the usable memory of its shards, the smaller shape while a change runs, and none without a cache', () => {
    const pool = CachePoolSchema.parse({ kind: 'elasticache', id: 'cache', shards: 2, replicasPerShard: 0, addLeadTimeSec: 600, removeLeadTimeSec: 300 });
    const s = simCloud({ caches: [{ pool, priceUsdPerNodeHour: 0.2, nodeMemoryGiB: 4 }] });
    expect(s.cloud.prefetchCacheCapacityGiB()).toBeCloseTo(2 * 4 * 0.75, 9);
    const resized: string[] = [];
    s.cloud.hooks = { cacheResized: (id) => resized.push(id) };
    s.cloud.applyNow({ kind: 'scale-cache', id: 'c1', poolId: 'cache', reason: 'test', shards: 1, replicasPerShard: 0 });
    expect(s.cloud.prefetchCacheCapacityGiB()).toBeCloseTo(3, 9); // the data must fit the shape it shrinks to
    s.advanceTo(T0 + 300);
    expect(resized).toEqual(['cache']);
    s.cloud.applyNow({ kind: 'scale-cache', id: 'c2', poolId: 'cache', reason: 'test', shards: 3, replicasPerShard: 0 });
    expect(s.cloud.prefetchCacheCapacityGiB()).toBeCloseTo(3, 9); // new shards hold data once ready
    s.advanceTo(T0 + 900);
    expect(s.cloud.prefetchCacheCapacityGiB()).toBeCloseTo(9, 9);
    expect(simCloud({}).cloud.prefetchCacheCapacityGiB()).toBeUndefined();
  });

  it('bills every started node-hour in full, from the node\'s addition to its removal', () => {
    const pool = CachePoolSchema.parse({ kind: 'elasticache', id: 'cache', shards: 1, replicasPerShard: 0, addLeadTimeSec: 600, removeLeadTimeSec: 300 });
    const s = simCloud({ caches: [{ pool, priceUsdPerNodeHour: 0.2, nodeMemoryGiB: 6.38 }] });
    const total = (): number => s.cloud.collectCost().reduce((x, c) => x + c.cacheUsd, 0);
    s.advanceTo(T0 + 1);
    expect(total()).toBeCloseTo(0.2, 9); // the primary's first hour, billed as it starts
    // a replica added at T0 + 100 (billed from the request) and removed 20 minutes later: one full hour
    s.advanceTo(T0 + 100);
    s.cloud.applyNow({ kind: 'scale-cache', id: 'up', poolId: 'cache', reason: 'test', shards: 1, replicasPerShard: 1 });
    s.advanceTo(T0 + 700);
    expect(total()).toBeCloseTo(0.2, 9);
    s.cloud.applyNow({ kind: 'scale-cache', id: 'down', poolId: 'cache', reason: 'test', shards: 1, replicasPerShard: 0 });
    s.advanceTo(T0 + 3599);
    expect(total()).toBe(0);
    // of the two nodes, the one kept is the one with more paid time left (added at T0 + 100): its
    // second hour starts at T0 + 3700, its third at T0 + 7300; the other is never billed again
    s.advanceTo(T0 + 3700);
    expect(total()).toBe(0);
    s.advanceTo(T0 + 3701);
    expect(total()).toBeCloseTo(0.2, 9);
    s.advanceTo(T0 + 7300);
    expect(total()).toBe(0);
    s.advanceTo(T0 + 7301);
    expect(total()).toBeCloseTo(0.2, 9);
  });

  it('draws the same lead times and interruptions for the same seed', () => {
    const run = () => {
      const s = simCloud({ hazardMultiplier: 5000 });
      const spot = s.offerings.find((o) => o.market === 'spot')!;
      s.cloud.applyNow(launch(spot.id, 'x', 10));
      s.advanceTo(T0 + 86_400);
      return JSON.stringify([s.cloud.snapshot(), s.cloud.drainCloudEvents(), s.cloud.collectCost()]);
    };
    expect(run()).toBe(run());
  });
});
