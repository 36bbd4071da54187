import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighsSolver, type LoadedHighs } from '../../../src/adapters/highs/load-highs.js';
import { buildCapacityMilp, createMilpPlanner, planWithFrame, greedyComposer, type ComposeRequest, type LpSolver } from '../../../src/core/plan/index.js';
import { blockLowerBoundUsd } from '../../../src/core/plan/milp-bound.js';
import { flatDemand, input, offering, pool } from './builders.js';
import { randomPlanInput } from './random-cases.js';

let highs: LoadedHighs;
beforeAll(async () => { highs = await loadHighsSolver({ warmUpSolves: 1 }); });

const spot = (usdPerUnit: number, baseUnits = 0, launchable = true) => ({ usdPerUnit, baseUnits, spot: true, launchable });
const od = (usdPerUnit: number, baseUnits = 0, launchable = true) => ({ usdPerUnit, baseUnits, spot: false, launchable });

describe('solver-free lower bound of the capacity MILP', () => {
  it('spreads spot units over the cheapest offerings at the share cap', () => {
    // 10 units, at most half in one offering: 5 × 1 + 5 × 2 = 15
    const usd = blockLowerBoundUsd({ offerings: [spot(1), spot(2), spot(3), od(5)], targetUnits: 10, floorUnits: 0, penaltyUsdPerUnit: 100, maxSpotShare: 0.5 });
    expect(usd).toBeCloseTo(15, 6);
  });

  it('buys the on-demand floor at the cheapest on-demand rate and spot for the rest', () => {
    // floor 4 on-demand × 5 + 6 spot split 3/3 at 1 and 2 = 29
    const usd = blockLowerBoundUsd({ offerings: [spot(1), spot(2), od(5), od(6)], targetUnits: 10, floorUnits: 4, penaltyUsdPerUnit: 100, maxSpotShare: 0.5 });
    expect(usd).toBeCloseTo(29, 6);
  });

  it('counts kept instances at their own cost, even dear ones', () => {
    // the 6 kept units at 4 are within 60% only when S ≥ 10; the other 4 go to the cheap offering at 1
    const usd = blockLowerBoundUsd({ offerings: [spot(4, 6, false), spot(1)], targetUnits: 10, floorUnits: 0, penaltyUsdPerUnit: 100, maxSpotShare: 0.6 });
    expect(usd).toBeCloseTo(6 * 4 + 4 * 1, 6);
  });

  it('is infinite when kept spot instances cannot be diversified', () => {
    expect(blockLowerBoundUsd({ offerings: [spot(1, 4, false), od(5)], targetUnits: 4, floorUnits: 0, penaltyUsdPerUnit: 100, maxSpotShare: 0.5 })).toBe(Infinity);
  });

  it('never exceeds the MILP optimum HiGHS proves, over 40 seeded random inputs', () => {
    let compared = 0;
    for (let seed = 1001; seed <= 1040; seed++) {
      let req: ComposeRequest | undefined;
      planWithFrame(randomPlanInput(seed), {}, (r) => { req = r; return greedyComposer(r); });
      const milp = buildCapacityMilp(req as ComposeRequest);
      const sol = highs.solveArrays(milp.model.toArrays(), { output_flag: false, mip_rel_gap: 0, random_seed: 0 });
      if (sol.Status !== 'Optimal' || sol.ObjectiveValue === null) continue;
      compared++;
      expect(milp.lowerBoundUsd).toBeLessThanOrEqual(sol.ObjectiveValue + 1e-9 * Math.max(1, Math.abs(sol.ObjectiveValue)));
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('lets the planner keep a greedy plan within the gap without calling the solver', () => {
    let calls = 0;
    const counting: LpSolver = {
      solve: (p, o) => { calls++; return highs.solve(p, o); },
      solveArrays: (m, o, s) => { calls++; return highs.solveArrays(m, o, s); },
    };
    const p = pool({ markets: ['on-demand'] });
    const plan = createMilpPlanner(counting).plan(input({ pool: p, offerings: [offering('m5.large', 'on-demand', 0.1)], demand: flatDemand(5, 1000, 60, 4) })).plan;
    expect(calls).toBe(0);
    expect(plan.solver).toBe('highs');
    expect(plan.reason).toMatch(/^highs \(greedy plan within 0% of the relaxation bound; no solve needed\)/);
    expect(plan.slots[0].plannedUnits).toBe(4);
  });
});
