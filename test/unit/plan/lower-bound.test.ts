import { beforeAll, describe, expect, it } from 'vitest';
import { loadHighsSolver, type LoadedHighs } from '../../../src/adapters/highs/load-highs.js';
import { lowerBoundModel, policyFloorUsd, smallestInstanceSum, type LowerBoundPool } from '../../../src/core/plan/lower-bound.js';
import { earliestStartsSec, solveLowerBound } from '../../../src/sim/bounds/lower-bound.js';
import type { SimChain, SimTask } from '../../../src/sim/workload/types.js';

let highs: LoadedHighs;
beforeAll(async () => { highs = await loadHighsSolver({ warmUpSolves: 0 }); });

const solve = (p: LowerBoundPool, blockTicks = 1, granular = true): number => {
  const sol = highs.solveArrays(lowerBoundModel(p, 60, blockTicks, { granular }).model.toArrays(), { output_flag: false });
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

  it('lifts a group of pools that share multi-variant chains to their work at the group\'s cheapest price', async () => {
    // pool p (spot 1 USD per unit-tick) holds 2 units of demand; pools q (on-demand only, 3 USD) and r
    // (1 USD) run 10 unit-ticks of chains that may use either: 0 in their own LPs, 10 USD as a group,
    // booked on r, the cheaper; a group whose pools already cost more is not lifted
    const q = { ...base, poolId: 'q', spotUsdPerUnitHour: undefined, metricUnits: [0], releasedVcpuSec: [0] };
    const pools = [{ ...base, metricUnits: [2], releasedVcpuSec: [0] }, q, { ...base, poolId: 'r', metricUnits: [0], releasedVcpuSec: [0] }];
    const r = await solveLowerBound(pools, 60, 1, [{ poolIds: ['q', 'r'], vcpuSec: 10 * 60 }]);
    expect(r.totalUsd).toBeCloseTo(2 + 10, 6);
    expect(r.relaxedTotalUsd).toBeCloseTo(2 + 10, 6);
    expect(r.byPool.map((b) => Number(b.usd.toFixed(6)))).toEqual([2, 0, 10]);
    const none = await solveLowerBound(pools, 60, 1, [{ poolIds: ['p'], vcpuSec: 60 }]);
    expect(none.totalUsd).toBeCloseTo(2, 6);
  });

  it('rounds each tick\'s metric demand up to whole instances, and drops that rounding for a policy that left demand unmet', async () => {
    const p = { ...base, metricUnits: [3, 1, 0], releasedVcpuSec: [0, 0, 0], instanceUnits: [2, 4] };
    // 3 → 4 and 1 → 2 units at 1 USD per unit-tick; without the granularity rows 3 + 1
    expect(solve(p)).toBeCloseTo(6, 6);
    expect(solve(p, 1, false)).toBeCloseTo(4, 6);
    const r = await solveLowerBound([p], 60, 1);
    expect(r.totalUsd).toBeCloseTo(6, 6);
    expect(r.relaxedTotalUsd).toBeCloseTo(4, 6);
    expect(policyFloorUsd(r, 0, 0)).toBeCloseTo(6, 6);
    expect(policyFloorUsd(r, 60, 60)).toBeCloseTo(4 - 3, 6);
  });

  it('does not share a sample between metric demand and a task running at it, but lets short work use the same window', () => {
    // metric 1 unit at both ticks; a task running at 3 samples from tick 1 on needs 3 more units there (and after)
    expect(solve({ ...base, metricUnits: [1, 1, 1], releasedVcpuSec: [0, 0, 0], releasedSampleVcpu: [0, 3, 0] })).toBeCloseTo(6, 6);
    // the same work as vCPU-seconds between samples may use the capacity metric demand needs only at them: 1 + 1.5 + 1.5
    expect(solve({ ...base, metricUnits: [1, 1, 1], releasedVcpuSec: [0, 180, 0] })).toBeCloseTo(4, 6);
    // sampled work cannot come before its release
    expect(solve({ ...base, metricUnits: [0, 0, 0], releasedVcpuSec: [0, 0, 0], releasedSampleVcpu: [0, 0, 2] })).toBeCloseTo(2, 6);
  });

  it('enforces the pool minimum only from the tick the start fleet has booted', () => {
    const p = { ...base, minUnits: 2, metricUnits: [0, 0, 0, 0], releasedVcpuSec: [0, 0, 0, 0] };
    expect(solve(p)).toBeCloseTo(8, 6);
    expect(solve({ ...p, minFromTick: 2 })).toBeCloseTo(4, 6);
  });
});

describe('the bound\'s inputs', () => {
  it('finds the smallest sum of instance sizes that reaches a demand', () => {
    expect(smallestInstanceSum([4, 6], 5)).toBe(6);
    expect(smallestInstanceSum([4, 6], 7)).toBe(8);
    expect(smallestInstanceSum([4, 6], 11)).toBe(12);
    expect(smallestInstanceSum([2, 4, 8], 0.3)).toBe(2);
    expect(smallestInstanceSum([2.5], 3)).toBe(3);
    expect(smallestInstanceSum([2], 0)).toBe(0);
  });

  it('releases a task at its chain\'s arrival plus the longest chain of its ancestors\' runtimes less their setup', () => {
    const task = (id: string, deps: string[], runtimeSec: number, setupSec: number): SimTask => ({
      key: `c/${id}`, chainId: 'c', def: { task_id: id, dependencies: deps } as unknown as SimTask['def'], taskType: id, poolId: 'p', vcpu: 1, memoryGiB: 1,
      runtimeSec, setupSec, status: 'blocked', pendingParents: deps.length, children: [], attempt: 0,
    });
    const tasks = [task('a', [], 100, 20), task('b', ['a'], 50, 0), task('c', ['a'], 10, 0), task('d', ['b', 'c'], 5, 0)];
    const chain: SimChain = { id: 'c', workflow: 'w', variant: 'v', initialVariant: 'v', arrivalSec: 1000, tasks, doneTasks: 0, costUsd: 0, switches: 0 };
    const est = earliestStartsSec(chain);
    expect(tasks.map((t) => est.get(t))).toEqual([1000, 1080, 1080, 1130]);
  });
});
