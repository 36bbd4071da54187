import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/sim/backtest.js';
import { belowLowerBound } from '../../src/sim/bounds/lower-bound.js';
import { karpenterOffering } from '../../src/sim/policies/karpenter.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import type { Offering } from '../../src/core/model/index.js';

const off = (id: string, market: Offering['market'], vcpu: number, price: number, hazard = 0): Offering => ({
  id, instanceType: id, family: id.split('.')[0], market, az: 'a', vcpu, memoryGiB: vcpu * 4, arch: 'x86_64', capacityUnits: vcpu,
  priceUsdPerHour: price, interruptionHazardPerHour: hazard, launchLeadTimeSec: 60, available: true,
} as Offering);

describe('the karpenter baseline', () => {
  it('launches the cheapest fitting on-demand offering and, for spot, the least interrupted of the cheapest fitting ones', () => {
    const offerings = [off('a.large', 'spot', 2, 0.02, 5e-4), off('b.large', 'spot', 2, 0.021, 3.5e-5), off('c.xlarge', 'spot', 4, 0.05, 0), off('d.large', 'on-demand', 2, 0.1), off('e.xlarge', 'on-demand', 4, 0.16)];
    expect(karpenterOffering(offerings, 'on-demand', 1, 1)?.id).toBe('e.xlarge');
    expect(karpenterOffering(offerings, 'spot', 1, 1)?.id).toBe('c.xlarge');
    expect(karpenterOffering(offerings, 'spot', 3, 1)?.id).toBe('c.xlarge');
    expect(karpenterOffering(offerings, 'spot', 8, 1)).toBeUndefined();
  });

  it('serves the default scenario\'s steps, consolidates, and neither it nor any other policy costs less than the lower bound', async () => {
    const sc = defaultScenario({ days: 0.25, seed: 3 });
    const { report, lowerBound } = await runBacktest(sc, { policies: ['reactive', 'karpenter', 'oracle'], lowerBound: true });
    const k = report.policies.find((p) => p.policy === 'karpenter')!;
    expect(k.tasksCompleted).toBe(k.tasksSubmitted);
    expect(k.terminations).toBeGreaterThan(0);
    expect(lowerBound!.totalUsd).toBeGreaterThan(0);
    for (const p of report.policies) expect(p.cost.spotUsd + p.cost.onDemandUsd).toBeGreaterThanOrEqual(lowerBound!.totalUsd - (p.unmetDemandUnitSec * lowerBound!.maxUsdPerUnitHour) / 3600 - 1e-6);
    expect(belowLowerBound(report, lowerBound!, 16)).toEqual([]);
  });

  it('flags a policy whose cost is under its floor', async () => {
    const sc = defaultScenario({ days: 0.1, seed: 3 });
    const { report, lowerBound } = await runBacktest(sc, { policies: ['oracle'], lowerBound: true });
    const cheat = { ...report, policies: report.policies.map((p) => ({ ...p, policy: 'cheat', cost: { ...p.cost, spotUsd: 0, onDemandUsd: 0 } })) };
    expect(belowLowerBound(cheat, lowerBound!, 16).map((v) => v.policy)).toEqual(['cheat']);
  });
});
