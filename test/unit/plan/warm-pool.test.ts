import { describe, expect, it } from 'vitest';
import { planWarmPool, routeUrgentLaunches, stoppedUsdPerHour, warmOffering, withWarmPool, type WarmPoolInput } from '../../../src/core/plan/warm-pool.js';
import type { LaunchCommand, WarmPoolState } from '../../../src/core/model/index.js';
import { flatDemand, instance, offering, pool } from './builders.js';

const od = offering('m5.large', 'on-demand', 0.096);
const odBig = offering('m5.xlarge', 'on-demand', 0.192, { capacityUnits: 4 });
const spot = offering('m5.large', 'spot', 0.035);
const now = 1000;

function sizing(over: Partial<WarmPoolInput> = {}): WarmPoolInput {
  return {
    nowSec: now, pool: pool(), offerings: [spot, od, odBig], slotSec: 60,
    capacity: { atSec: now, instances: [instance('a', spot), instance('b', spot)], caches: [] },
    demand: flatDemand(10, now, 60, 4, 8, 10), ...over,
  };
}

describe('warm-pool sizing', () => {
  it('prices a stopped instance at its 8 GiB gp3 root volume: 8 × 0.08 USD per GB-month / 730 h', () => {
    expect(stoppedUsdPerHour()).toBeCloseTo((8 * 0.08) / 730, 12);
  });

  it('holds the cheapest on-demand offering per unit, and none for a spot-only pool', () => {
    expect(warmOffering(pool(), [spot, odBig, od])?.id).toBe(od.id);
    expect(warmOffering(pool({ markets: ['spot'] }), [spot, od])).toBeUndefined();
    const none = planWarmPool(sizing({ pool: pool({ markets: ['spot'] }) }));
    expect(none.size).toBe(0);
    expect(none.command).toBeUndefined();
  });

  it('sizes the pool for the upper-quantile need within a cold lead time less the held units', () => {
    // held 4 units (two 2-unit instances); q0.95 need 10 → gap 6 units → 3 m5.large
    const plan = planWarmPool(sizing());
    expect(plan.size).toBe(3);
    expect(plan.command).toMatchObject({ kind: 'warm-pool', poolId: 'p', offeringId: od.id, minSize: 3 });
    expect(plan.command?.expectedCostUsdPerHour).toBeCloseTo(3 * stoppedUsdPerHour(), 6);
  });

  it('keeps none when the held fleet covers the window, and emits no command while the size holds', () => {
    const held = sizing({ capacity: { atSec: now, instances: ['a', 'b', 'c', 'd', 'e'].map((id) => instance(id, spot)), caches: [] } });
    const plan = planWarmPool(held);
    expect(plan.size).toBe(0);
    expect(plan.command).toBeUndefined();
    const warm: WarmPoolState = { poolId: 'p', offeringId: od.id, minSize: 3, stoppedCount: 3, pendingCount: 0 };
    expect(planWarmPool(sizing({ capacity: { atSec: now, instances: [instance('a', spot), instance('b', spot)], caches: [], warmPools: [warm] } })).command).toBeUndefined();
  });

  it('shrinks only to what the whole horizon still needs', () => {
    const warm: WarmPoolState = { poolId: 'p', offeringId: od.id, minSize: 3, stoppedCount: 3, pendingCount: 0 };
    // the window (now .. now + 90 s lead + 60 s margin: slots 0-2) needs 4 units, later slots 10
    const demand = [...flatDemand(3, now, 60, 4), ...flatDemand(7, now + 180, 60, 4, 8, 10)];
    expect(planWarmPool(sizing({ demand, capacity: { atSec: now, instances: [instance('a', spot), instance('b', spot)], caches: [], warmPools: [warm] } })).size).toBe(3);
    const quiet = flatDemand(10, now, 60, 2);
    expect(planWarmPool(sizing({ demand: quiet, capacity: { atSec: now, instances: [instance('a', spot), instance('b', spot)], caches: [], warmPools: [warm] } }))).toMatchObject({ size: 0, command: { minSize: 0 } });
  });

  it('holds none when the wait it saves is worth less than the EBS it costs', () => {
    const plan = planWarmPool(sizing({ options: { waitValueUsdPerUnitHour: 1e-9 } }));
    expect(plan.size).toBe(0);
    expect(plan.reason).toMatch(/worth less than holding/);
  });
});

describe('urgent launches from the warm pool', () => {
  const warm: WarmPoolState = { poolId: 'p', offeringId: od.id, minSize: 2, stoppedCount: 2, pendingCount: 0 };
  const byId = new Map([spot, od, odBig].map((o) => [o.id, o]));
  const launch = (count: number, needAtSec: number): LaunchCommand => ({ kind: 'launch', id: 'l', poolId: 'p', offeringId: spot.id, count, needAtSec, expectedCostUsdPerHour: count * 0.035, reason: 'r' });

  it('starts stopped instances for a launch needed sooner than its cold lead time, the rest stays cold', () => {
    const out = routeUrgentLaunches([launch(3, now)], pool(), warm, byId, now);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ kind: 'launch', offeringId: od.id, count: 2 });
    expect(out[1]).toMatchObject({ kind: 'launch', id: 'l', offeringId: spot.id, count: 1 });
  });

  it('leaves launches issued a lead time ahead, and everything when no instance is stopped', () => {
    expect(routeUrgentLaunches([launch(3, now + 200)], pool(), warm, byId, now)).toEqual([launch(3, now + 200)]);
    expect(routeUrgentLaunches([launch(3, now)], pool(), { ...warm, stoppedCount: 0 }, byId, now)).toEqual([launch(3, now)]);
  });

  it('withWarmPool leaves pools outside poolIds alone', () => {
    const out = withWarmPool(sizing({ options: { poolIds: ['other'] } }), [launch(1, now)]);
    expect(out).toEqual({ commands: [launch(1, now)], reason: '' });
  });

  it('withWarmPool routes, then appends the sizing command', () => {
    const out = withWarmPool(sizing({ capacity: { atSec: now, instances: [instance('a', spot), instance('b', spot)], caches: [], warmPools: [warm] } }), [launch(1, now)]);
    expect(out.commands.map((c) => c.kind)).toEqual(['launch', 'warm-pool']);
    expect(out.commands[0]).toMatchObject({ offeringId: od.id, count: 1 });
    expect(out.reason).toMatch(/^warm pool 3× m5.large\/on-demand\/az1/);
  });
});
