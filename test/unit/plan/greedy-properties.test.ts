import { describe, expect, it } from 'vitest';
import { createGreedyPlanner } from '../../../src/core/plan/index.js';
import { expectPlanInvariants } from './planner-properties.js';
import { randomPlanInput } from './random-cases.js';

describe('greedy planner invariants over 300 seeded random inputs', () => {
  const planner = createGreedyPlanner();
  it('always keeps the on-demand floor, diversification, spend cap, max size and change limit', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const inp = randomPlanInput(seed);
      const out = planner.plan(inp);
      expectPlanInvariants(inp, out);
    }
  });

  it('is deterministic: the same input gives the same plan', () => {
    for (let seed = 1; seed <= 20; seed++) expect(planner.plan(randomPlanInput(seed))).toEqual(planner.plan(randomPlanInput(seed)));
  });
});
