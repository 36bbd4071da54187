import { describe, expect, it } from 'vitest';
import type { LaunchCommand, WarmPoolCommand } from '../../src/core/model/index.js';
import { stoppedUsdPerHour, WARM_START_RANGE_SEC } from '../../src/sim/cloud/warm-pool.js';
import { simCloud, T0 } from './sim-cloud-setup.js';

const warm = (id: string, offeringId: string, minSize: number): WarmPoolCommand => ({ kind: 'warm-pool', id, poolId: 'batch', offeringId, minSize, expectedCostUsdPerHour: 0, reason: 't' });
const launch = (id: string, offeringId: string, count: number): LaunchCommand => ({ kind: 'launch', id, poolId: 'batch', offeringId, count, needAtSec: 0, expectedCostUsdPerHour: 0, reason: 't' });
const sum = (xs: ReturnType<ReturnType<typeof simCloud>['cloud']['collectCost']>): number => xs.reduce((s, c) => s + c.onDemandUsd + c.spotUsd, 0);

describe('simulated warm pool', () => {
  it('bills a warm instance its initialisation at the on-demand price, then only gp3 EBS while stopped', () => {
    const t = simCloud();
    const od = t.offerings.find((o) => o.market === 'on-demand')!;
    expect(t.cloud.applyNow(warm('w1', od.id, 2)).status).toBe('applied');
    t.advanceTo(T0 + 3600);
    const cost = sum(t.cloud.collectCost());
    // two initialisations of 60–180 s each at the on-demand price, plus under two hours of EBS
    const initLo = (2 * 60 * od.priceUsdPerHour) / 3600;
    const initHi = (2 * 180 * od.priceUsdPerHour) / 3600;
    expect(cost).toBeGreaterThanOrEqual(initLo + 2 * stoppedUsdPerHour() * ((3600 - 180) / 3600) - 1e-9);
    expect(cost).toBeLessThanOrEqual(initHi + 2 * stoppedUsdPerHour() + 1e-9);
    expect(t.cloud.stats.warmPoolUsd).toBeCloseTo(cost, 9);
    // an hour later only EBS accrues
    t.advanceTo(T0 + 7200);
    expect(sum(t.cloud.collectCost())).toBeCloseTo(2 * stoppedUsdPerHour(), 9);
  });

  it('starts stopped instances within the warm start range and counts them as warm starts', () => {
    const t = simCloud();
    const od = t.offerings.find((o) => o.market === 'on-demand')!;
    t.cloud.applyNow(warm('w2', od.id, 2));
    t.advanceTo(T0 + 600);
    const res = t.cloud.applyNow(launch('l2', od.id, 2));
    expect(t.cloud.stats.warmStarts).toBe(2);
    const started = t.cloud.liveInstances().filter((i) => res.instanceIds.includes(i.id));
    for (const i of started) {
      expect(i.readyAtSec - i.launchedAtSec).toBeGreaterThanOrEqual(WARM_START_RANGE_SEC[0]);
      expect(i.readyAtSec - i.launchedAtSec).toBeLessThanOrEqual(WARM_START_RANGE_SEC[1]);
    }
    expect(t.cloud.snapshot().warmPools?.[0]).toMatchObject({ minSize: 2, stoppedCount: 0, pendingCount: 2 });
  });

  it('returns a scaled-in instance to the pool in place of one still initialising (ReuseOnScaleIn)', () => {
    const t = simCloud();
    const od = t.offerings.find((o) => o.market === 'on-demand')!;
    t.cloud.applyNow(warm('w3', od.id, 1));
    t.advanceTo(T0 + 600);
    const res = t.cloud.applyNow(launch('l3', od.id, 1)); // draws the stopped one; the pool refills (initialising)
    t.advanceTo(T0 + 700);
    t.cloud.applyNow({ kind: 'terminate', id: 't3', poolId: 'batch', instanceIds: res.instanceIds, reason: 't' });
    expect(t.cloud.snapshot().warmPools?.[0]).toMatchObject({ minSize: 1, stoppedCount: 1, pendingCount: 0 });
  });

  it('refuses a spot warm pool and draws nothing from a warm pool for another offering', () => {
    const t = simCloud();
    const spot = t.offerings.find((o) => o.market === 'spot')!;
    const ods = t.offerings.filter((o) => o.market === 'on-demand');
    expect(t.cloud.applyNow(warm('w4', spot.id, 1)).error?.code).toBe('unsupported');
    t.cloud.applyNow(warm('w5', ods[0].id, 1));
    t.advanceTo(T0 + 600);
    t.cloud.applyNow(launch('l5', ods[1].id, 1));
    expect(t.cloud.stats.warmStarts).toBe(0);
  });
});
