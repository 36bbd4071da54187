import { describe, expect, it } from 'vitest';
import { SPOT_INTERRUPTION_NOTICE_SEC, type LaunchCommand } from '../../src/core/model/index.js';
import { createRandom } from '../../src/core/rng.js';
import { DEFAULT_SPOT_RISK, nextIceEpisodeSec, rebalanceAtSec } from '../../src/sim/cloud/spot-risk.js';
import { simCloud, T0 } from './sim-cloud-setup.js';

describe('spot risk signals', () => {
  it('puts the true rebalance recommendation between the lead maximum before the notice and the notice itself', () => {
    const rng = createRandom(3);
    for (let k = 0; k < 200; k++) {
      const reclaim = T0 + 10_000;
      const at = rebalanceAtSec({ ...DEFAULT_SPOT_RISK, falseRebalancesPerInterruption: 0 }, rng, T0, 1e-6, reclaim)!;
      expect(at).toBeGreaterThanOrEqual(reclaim - SPOT_INTERRUPTION_NOTICE_SEC - DEFAULT_SPOT_RISK.rebalanceLeadMaxSec);
      expect(at).toBeLessThanOrEqual(reclaim - SPOT_INTERRUPTION_NOTICE_SEC);
    }
  });

  it('draws false alarms at the stated multiple of the hazard, and nothing when disabled or without hazard', () => {
    const rng = createRandom(5);
    const hazardPerSec = 1 / 3600;
    const n = 4000;
    let within = 0;
    for (let k = 0; k < n; k++) if (rebalanceAtSec(DEFAULT_SPOT_RISK, rng, 0, hazardPerSec, undefined)! <= 3600) within++;
    // P(a false alarm within one hour) = 1 − exp(−2) ≈ 0.865 at twice the hazard
    expect(within / n).toBeGreaterThan(0.84);
    expect(within / n).toBeLessThan(0.89);
    expect(rebalanceAtSec({ ...DEFAULT_SPOT_RISK, enabled: false }, rng, 0, hazardPerSec, 100)).toBeUndefined();
    expect(rebalanceAtSec(DEFAULT_SPOT_RISK, rng, 0, 0, undefined)).toBeUndefined();
    expect(nextIceEpisodeSec(DEFAULT_SPOT_RISK, rng, 0, 0)).toBeUndefined();
    expect(nextIceEpisodeSec(DEFAULT_SPOT_RISK, rng, 50, 1e-3)!).toBeGreaterThan(50);
  });

  it('makes the simulated cloud emit rebalance recommendations and fail launches with insufficient capacity during an episode', () => {
    const s = simCloud({ hazardMultiplier: 5000, spotRisk: { ...DEFAULT_SPOT_RISK, iceEpisodeSec: 3600 } });
    const spot = s.offerings.filter((o) => o.market === 'spot' && o.interruptionHazardPerHour > 0);
    expect(spot.length).toBeGreaterThan(0);
    const ids: string[] = [];
    for (const [k, o] of spot.entries()) {
      const launch: LaunchCommand = { kind: 'launch', id: `l${k}`, poolId: s.pool.id, reason: 'test', offeringId: o.id, count: 20, needAtSec: T0, expectedCostUsdPerHour: 0 };
      ids.push(...s.cloud.applyNow(launch).instanceIds);
    }
    s.advanceTo(T0 + 6 * 3600);
    const events = s.cloud.drainCloudEvents();
    expect(s.cloud.stats.rebalanceRecommendations).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'rebalance-recommendation').length).toBe(s.cloud.stats.rebalanceRecommendations);
    expect(s.cloud.stats.iceEpisodes).toBeGreaterThan(0);
    expect(s.cloud.stats.spotInterruptions).toBeGreaterThan(0);
    const out = s.cloud.offeringsOf(s.pool).filter((o) => !o.available);
    expect(out.length).toBeGreaterThan(0);
    const r = s.cloud.applyNow({ kind: 'launch', id: 'ice', poolId: s.pool.id, reason: 'test', offeringId: out[0].id, count: 1, needAtSec: T0, expectedCostUsdPerHour: 0 });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('insufficient-capacity');
    expect(s.cloud.stats.insufficientCapacityErrors).toBe(1);
    expect(s.cloud.drainCloudEvents().some((e) => e.kind === 'insufficient-capacity' && e.offeringId === out[0].id)).toBe(true);
  });

  it('changes nothing when no spot risk model is given (the default of a bare SimulatedCloud)', () => {
    const s = simCloud({ hazardMultiplier: 5000 });
    const o = s.offerings.find((x) => x.market === 'spot' && x.interruptionHazardPerHour > 0)!;
    s.cloud.applyNow({ kind: 'launch', id: 'l', poolId: s.pool.id, reason: 'test', offeringId: o.id, count: 10, needAtSec: T0, expectedCostUsdPerHour: 0 });
    s.advanceTo(T0 + 6 * 3600);
    expect(s.cloud.stats.rebalanceRecommendations).toBe(0);
    expect(s.cloud.stats.iceEpisodes).toBe(0);
  });
});
