import { describe, expect, it } from 'vitest';
import { createGreedyPlanner } from '../../../src/core/plan/index.js';
import type { LaunchCommand } from '../../../src/core/model/index.js';
import { flatDemand, input, instance, offering, pool } from './builders.js';

const planner = createGreedyPlanner();
const launches = (cmds: readonly { kind: string }[]): LaunchCommand[] => cmds.filter((c): c is LaunchCommand => c.kind === 'launch');

describe('greedy planner on hand-solved cases', () => {
  it('covers the service-level quantile with the cheapest on-demand offering per unit', () => {
    const p = pool({ markets: ['on-demand'], serviceLevel: 0.9 });
    const a = offering('m5.large', 'on-demand', 0.1);
    const b = offering('m6g.large', 'on-demand', 0.08);
    // q0.9 = 5 units → 3 × 2-unit instances of the cheaper b, 0.24 USD/h
    const { plan } = planner.plan(input({ pool: p, offerings: [a, b], demand: flatDemand(5, 1000, 60, 3, 5) }));
    expect(plan.slots[0]).toMatchObject({ demandUnits: 5, plannedUnits: 6, countsByOffering: { [b.id]: 3 } });
    expect(plan.expectedCostUsdPerHour).toBeCloseTo(0.24, 9);
    expect(launches(plan.commands)).toEqual([expect.objectContaining({ offeringId: b.id, count: 3, needAtSec: 1000, expectedCostUsdPerHour: 0.24 })]);
    expect(plan.solver).toBe('greedy');
  });

  it('puts the on-demand floor share on on-demand and spreads spot over two offerings at most half each', () => {
    const p = pool({ onDemandFloorShare: 0.5, maxSpotSharePerOffering: 0.5, minSpotOfferings: 2 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const s1 = offering('m5.large', 'spot', 0.03);
    const s2 = offering('c5.large', 'spot', 0.035);
    const s3 = offering('r5.large', 'spot', 0.05);
    const { plan } = planner.plan(input({ pool: p, offerings: [od, s1, s2, s3], demand: flatDemand(3, 1000, 60, 8) }));
    // 8 units: floor 4 on-demand (2 × od); spot 4 units, at most 2 per offering → s1 + s2
    expect(plan.slots[0].countsByOffering).toEqual({ [od.id]: 2, [s1.id]: 1, [s2.id]: 1 });
    expect(plan.bindingConstraints).toContain('on-demand floor');
  });

  it('falls back to on-demand with the reason when too few spot offerings exist for diversification', () => {
    const p = pool({ minSpotOfferings: 2 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const s1 = offering('m5.large', 'spot', 0.03);
    const { plan } = planner.plan(input({ pool: p, offerings: [od, s1], demand: flatDemand(3, 1000, 60, 6) }));
    expect(plan.slots[0].countsByOffering).toEqual({ [od.id]: 3 });
    expect(plan.bindingConstraints).toContain('spot diversification');
    expect(plan.reason).toMatch(/binding: .*spot diversification/);
  });

  it('stops at the spend cap and reports the expected shortfall it leaves', () => {
    const p = pool({ markets: ['on-demand'] });
    const od = offering('m5.large', 'on-demand', 0.1);
    const { plan } = planner.plan(input({ pool: p, offerings: [od], spendCapUsdPerHour: 0.25, demand: flatDemand(2, 1000, 60, 10) }));
    expect(plan.slots[0].countsByOffering).toEqual({ [od.id]: 2 });
    expect(plan.bindingConstraints).toContain('spend cap');
    // demand 10, at most 4 units ever ready → ≥ 6 units × 60 s in the second slot alone
    expect(plan.expectedShortfallUnitSec).toBeGreaterThanOrEqual(6 * 60);
  });

  it('never plans past the maximum pool size', () => {
    const p = pool({ markets: ['on-demand'], maxUnits: 6 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const { plan } = planner.plan(input({ pool: p, offerings: [od], demand: flatDemand(2, 1000, 60, 20) }));
    expect(plan.slots.map((s) => s.plannedUnits)).toEqual([6, 6]);
    expect(plan.slots[0].demandUnits).toBe(6);
  });

  it('adds committed and predicted step units to the quantile', () => {
    const p = pool({ markets: ['on-demand'] });
    const od = offering('m5.large', 'on-demand', 0.1);
    const demand = flatDemand(2, 1000, 60, 2).map((s) => ({ ...s, predictedStepUnits: 1.5, committedUnits: 2 }));
    const { plan } = planner.plan(input({ pool: p, offerings: [od], demand }));
    expect(plan.slots[0].demandUnits).toBeCloseTo(5.5, 9);
    expect(plan.slots[0].plannedUnits).toBe(6);
  });

  it('replaces an instance under a spot interruption notice', () => {
    const p = pool({ markets: ['on-demand'] });
    const od = offering('m5.large', 'on-demand', 0.1);
    const capacity = { atSec: 1000, caches: [], instances: [instance('i-1', od), instance('i-2', od, { state: 'interrupting' as const, interruptionAtSec: 1100 })] };
    const { plan } = planner.plan(input({ pool: p, offerings: [od], capacity, demand: flatDemand(2, 1000, 60, 4) }));
    expect(launches(plan.commands)).toEqual([expect.objectContaining({ offeringId: od.id, count: 1 })]);
  });

  it('gives deterministic command ids derived from pool, tick time and offering', () => {
    const p = pool({ markets: ['on-demand'] });
    const od = offering('m5.large', 'on-demand', 0.1);
    const a = planner.plan(input({ pool: p, offerings: [od] }));
    const b = planner.plan(input({ pool: p, offerings: [od] }));
    const c = planner.plan(input({ pool: p, offerings: [od], nowSec: 1060, demand: flatDemand(10, 1060, 60, 4) }));
    expect(a).toEqual(b);
    expect(a.plan.commands[0].id).toBe(`p@1000/launch/${od.id}`);
    expect(c.plan.commands[0].id).not.toBe(a.plan.commands[0].id);
  });

  it('never launches in an unavailable offering', () => {
    const p = pool({ markets: ['on-demand'] });
    const cheap = offering('m6g.large', 'on-demand', 0.05, { available: false });
    const dear = offering('m5.large', 'on-demand', 0.1);
    const { plan } = planner.plan(input({ pool: p, offerings: [cheap, dear], demand: flatDemand(2, 1000, 60, 4) }));
    expect(launches(plan.commands).map((l) => l.offeringId)).toEqual([dear.id]);
  });

  it('limits launched units per tick to maxChangeUnitsPerTick', () => {
    const p = pool({ markets: ['on-demand'], maxChangeUnitsPerTick: 4 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const { plan } = planner.plan(input({ pool: p, offerings: [od], demand: flatDemand(2, 1000, 60, 20) }));
    expect(launches(plan.commands)[0].count).toBe(2);
    expect(plan.bindingConstraints).toContain('change limit per tick');
  });
});
