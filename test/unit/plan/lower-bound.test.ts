import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighsSolver, type LoadedHighs } from '../../../src/adapters/highs/load-highs.js';
import { lowerBoundModel, policyFloorUsd, type LowerBoundPool } from '../../../src/core/plan/lower-bound.js';
import { solveLowerBound } from '../../../src/sim/bounds/lower-bound.js';

let highs: LoadedHighs;
beforeAll(async () => { highs = await loadHighsSolver({ warmUpSolves: 0 }); });

const solve = (p: LowerBoundPool, blockTicks = 1): number => {
  const sol = highs.solveArrays(lowerBoundModel(p, 60, blockTicks).model.toArrays(), { output_flag: false });
  expect(sol.Status).toBe('Optimal');
  return sol.ObjectiveValue!;
};
// prices per unit-hour chosen so one unit-tick (60 s) costs 1 USD spot and 3 USD on-demand
const base = { poolId: 'p', minUnits: 0, onDemandShare: 0, spotUsdPerUnitHour: 60, onDemandUsdPerUnitHour: 180 };

describe('the lower-bound LP', () => {
  it('holds the metric demand or the pool minimum, whichever is larger, at the spot price', () => {
    // ticks: max(2, 1) + max(2, 5) + max(2, 0) = 9 unit-ticks at 1 USD
    expect(solve({ ...base, minUnits: 2, metricUnits: [1, 5, 0], releasedVcpuSec: [0, 0, 0] })).toBeCloseTo(9, 6);
  });

  it('keeps the on-demand share: 30% of 10 units at 3 USD and 70% at 1 USD', () => {
    expect(solve({ ...base, onDemandShare: 0.3, metricUnits: [10], releasedVcpuSec: [0] })).toBeCloseTo(3 * 3 + 7 * 1, 6);
  });

  it('serves task work in the pool minimum\'s slack after its release, never before', () => {
    // minimum 4 units idle over 3 ticks; 8 vCPU-ticks of work released at tick 1 fit in ticks 1-2 for free
    expect(solve({ ...base, minUnits: 4, metricUnits: [0, 0, 0], releasedVcpuSec: [0, 8 * 60, 0] })).toBeCloseTo(12, 6);
    // released at tick 2 only 4 fit in the slack: 4 more unit-ticks are bought
    expect(solve({ ...base, minUnits: 4, metricUnits: [0, 0, 0], releasedVcpuSec: [0, 0, 8 * 60] })).toBeCloseTo(16, 6);
  });

  it('is never above the per-tick bound when ticks are summed into blocks (a weaker, still valid relaxation)', () => {
    const p = { ...base, minUnits: 1, onDemandShare: 0.2, metricUnits: [0, 6, 1, 3, 0, 8], releasedVcpuSec: [120, 0, 600, 0, 0, 60] };
    expect(solve(p, 3)).toBeLessThanOrEqual(solve(p, 1) + 1e-9);
  });

  it('sums pools and gives each policy a floor lowered by the demand it skipped, at the dearest unit price', async () => {
    const r = await solveLowerBound([{ ...base, metricUnits: [2], releasedVcpuSec: [0] }, { ...base, poolId: 'q', metricUnits: [1], releasedVcpuSec: [0] }], 60, 1);
    expect(r.totalUsd).toBeCloseTo(3, 6);
    expect(r.maxUsdPerUnitHour).toBe(180);
    expect(policyFloorUsd(r, 60)).toBeCloseTo(0, 6);
  });
});
