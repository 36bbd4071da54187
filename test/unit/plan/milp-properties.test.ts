import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighsSolver } from '../../../src/adapters/highs/load-highs.js';
import { createMilpPlanner, type Planner } from '../../../src/core/plan/index.js';
import { expectPlanInvariants } from './planner-properties.js';
import { randomPlanInput } from './random-cases.js';

let planner: Planner;
beforeAll(async () => { planner = createMilpPlanner(await loadHighsSolver({ warmUpSolves: 2 }), { timeLimitSec: 30 }); });

describe('MILP planner invariants over 40 seeded random inputs', () => {
  it('always keeps the on-demand floor, diversification, spend cap, max size and change limit (solved or fallen back)', () => {
    const solvers: Record<string, number> = {};
    for (let seed = 1001; seed <= 1040; seed++) {
      const inp = randomPlanInput(seed);
      const out = planner.plan(inp);
      solvers[out.plan.solver] = (solvers[out.plan.solver] ?? 0) + 1;
      expectPlanInvariants(inp, out);
    }
    expect(solvers.highs).toBeGreaterThan(20);
  });
});

describe('MILP planner determinism', () => {
  it('gives the same plan twice for the same input (with and without the solver-free shortcut)', () => {
    for (let seed = 1001; seed <= 1020; seed++) {
      const first = planner.plan(randomPlanInput(seed));
      const again = planner.plan(randomPlanInput(seed));
      expect(again).toEqual(first);
    }
  });
});
