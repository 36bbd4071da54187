import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighsSolver } from '../../../src/adapters/highs/load-highs.js';
import { createGreedyPlanner, createMilpPlanner, type LpSolver } from '../../../src/core/plan/index.js';
import { flatDemand, input, instance, offering, pool } from './builders.js';

let highs: LpSolver;
beforeAll(async () => { highs = await loadHighsSolver({ warmUpSolves: 2 }); });

describe('MILP planner on hand-solved cases', () => {
  it('finds the cheaper exact cover that the greedy rule misses', () => {
    // need 6 units: A (4 units, 0.15/h) + B (3 units, 0.12/h) = 0.27 greedy; 2 × B = 0.24 optimal
    const p = pool({ markets: ['on-demand'] });
    const a = offering('m5.xlarge', 'on-demand', 0.15, { capacityUnits: 4 });
    const b = offering('c5.odd', 'on-demand', 0.12, { capacityUnits: 3 });
    const inp = input({ pool: p, offerings: [a, b], demand: flatDemand(5, 1000, 60, 6) });
    const milp = createMilpPlanner(highs).plan(inp).plan;
    expect(milp.solver).toBe('highs');
    expect(milp.slots[0].countsByOffering).toEqual({ [b.id]: 2 });
    expect(milp.expectedCostUsdPerHour).toBeCloseTo(0.24, 9);
    const greedy = createGreedyPlanner().plan(inp).plan;
    expect(greedy.expectedCostUsdPerHour).toBeCloseTo(0.27, 9);
  });

  it('uses at least k spot offerings when the share cap alone would allow one', () => {
    // maxShare 1, k = 2: the single cheapest 4-unit offering is not allowed; s1 + s2 (0.05/h) is optimal
    const p = pool({ maxSpotSharePerOffering: 1, minSpotOfferings: 2 });
    const s1 = offering('a.large', 'spot', 0.02);
    const s2 = offering('b.large', 'spot', 0.03);
    const s3 = offering('c.xlarge', 'spot', 0.035, { capacityUnits: 4 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const plan = createMilpPlanner(highs).plan(input({ pool: p, offerings: [s1, s2, s3, od], demand: flatDemand(3, 1000, 60, 4) })).plan;
    expect(plan.slots[0].countsByOffering).toEqual({ [s1.id]: 1, [s2.id]: 1 });
  });

  it('lets the spend cap override the on-demand floor and says both bind', () => {
    // floor 4 on-demand units = 0.2/h > cap 0.15: one on-demand + two diversified spot = 0.15/h
    const p = pool({ onDemandFloorUnits: 4 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const s1 = offering('a.large', 'spot', 0.02);
    const s2 = offering('b.large', 'spot', 0.03);
    const plan = createMilpPlanner(highs).plan(input({ pool: p, offerings: [od, s1, s2], spendCapUsdPerHour: 0.15, demand: flatDemand(3, 1000, 60, 4) })).plan;
    expect(plan.solver).toBe('highs');
    expect(plan.slots[0].countsByOffering).toEqual({ [od.id]: 1, [s1.id]: 1, [s2.id]: 1 });
    expect(plan.bindingConstraints).toEqual(expect.arrayContaining(['spend cap', 'on-demand floor']));
  });

  it('falls back to greedy, saying so, when kept instances make the MILP infeasible', () => {
    // a running spot instance in the only spot offering cannot be diversified (x ≥ base, share ≤ 0.5)
    const p = pool({ maxSpotSharePerOffering: 0.5, minSpotOfferings: 2 });
    const od = offering('m5.large', 'on-demand', 0.1);
    const s1 = offering('a.large', 'spot', 0.02);
    const capacity = { atSec: 1000, caches: [], instances: [instance('i-1', s1)] };
    const plan = createMilpPlanner(highs).plan(input({ pool: p, offerings: [od, s1], capacity, demand: flatDemand(3, 1000, 60, 4) })).plan;
    expect(plan.solver).toBe('greedy');
    expect(plan.reason).toMatch(/^greedy \(HiGHS Infeasible; greedy fallback\)/);
    expect(plan.slots[0].countsByOffering).toEqual({ [od.id]: 2 });
  });

  it('falls back to greedy with the error when the solver throws', () => {
    // the greedy cover (A + B, 0.27/h) is 12% above the bound (2 × B, 0.24/h), so the solver is asked
    const broken: LpSolver = { solve: () => { throw new Error('Aborted(OOM)'); }, solveArrays: () => { throw new Error('Aborted(OOM)'); } };
    const p = pool({ markets: ['on-demand'] });
    const a = offering('m5.xlarge', 'on-demand', 0.15, { capacityUnits: 4 });
    const b = offering('c5.odd', 'on-demand', 0.12, { capacityUnits: 3 });
    const plan = createMilpPlanner(broken).plan(input({ pool: p, offerings: [a, b], demand: flatDemand(5, 1000, 60, 6) })).plan;
    expect(plan.solver).toBe('greedy');
    expect(plan.reason).toContain('HiGHS error: Aborted(OOM); greedy fallback');
    expect(plan.slots[0].plannedUnits).toBe(7);
  });

  it('falls back to greedy when the node limit stops the search', () => {
    const p = pool({ maxSpotSharePerOffering: 0.3, minSpotOfferings: 3 });
    const offs = Array.from({ length: 8 }, (_, i) => offering(`s${i}.large`, 'spot', 0.02 + i * 0.001, { capacityUnits: 2 + (i % 3) }));
    // a change limit of 8 units makes the greedy plan infeasible for the MILP, so the search must run
    const p2 = { ...p, maxChangeUnitsPerTick: 8 };
    const plan = createMilpPlanner(highs, { maxNodes: 0 }).plan(input({ pool: p2, offerings: [...offs, offering('m5.large', 'on-demand', 0.1)], demand: flatDemand(10, 1000, 60, 37) })).plan;
    expect(plan.solver).toBe('greedy');
    expect(plan.reason).toMatch(/^greedy \(HiGHS [^;]+; greedy fallback\)/);
  });

  it('meets the service-level demand and explains cost and binding constraints', () => {
    const p = pool({ onDemandFloorShare: 0.25 });
    const offs = [offering('m5.large', 'on-demand', 0.1), offering('a.large', 'spot', 0.03), offering('b.large', 'spot', 0.035), offering('c.large', 'spot', 0.04)];
    const plan = createMilpPlanner(highs).plan(input({ pool: p, offerings: offs, demand: flatDemand(10, 1000, 60, 10, 14, 16) })).plan;
    expect(plan.slots[0].demandUnits).toBeCloseTo(14, 9);
    expect(plan.slots[0].plannedUnits).toBeGreaterThanOrEqual(14);
    expect(plan.bindingConstraints).toContain('on-demand floor');
    expect(plan.reason).toMatch(/^highs( \(greedy plan proven optimal\))?: needs 14 units/);
    expect(plan.expectedCostUsdPerHour).toBeGreaterThan(0);
  });
});
