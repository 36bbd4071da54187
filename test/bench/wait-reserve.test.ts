import { describe, expect, it } from 'vitest';
import { chainRoots, lateRoots, waitReserve } from '../../bench/wait-reserve.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';
import { task, workflow } from '../builders/tasks.js';

const ones = (n: number, runtimeSec: number, vcpu = 1): Array<{ vcpu: number; runtimeSec: number }> => Array.from({ length: n }, () => ({ vcpu, runtimeSec }));

describe('lateRoots', () => {
  it('counts every root late without a reserve', () => {
    expect(lateRoots(ones(7, 1), 0, 30)).toBe(7);
  });

  it('starts one-second roots back to back on one vCPU until the goal', () => {
    // starts at 0, 1, 2, 3, 4 s; the sixth would start at 5 s > 4.5 s
    expect(lateRoots(ones(10, 1), 1, 4.5)).toBe(5);
  });

  it('starts the shortest roots first and backfills around a wide one', () => {
    // reserve 2: the three 1 s roots go first (two at 0 s, one at 1 s), the 2-vCPU root at 2 s > 1.5 s
    expect(lateRoots([{ vcpu: 2, runtimeSec: 10 }, ...ones(3, 1)], 2, 1.5)).toBe(1);
  });

  it('counts a root wider than the reserve late', () => {
    expect(lateRoots([{ vcpu: 4, runtimeSec: 1 }], 3, 60)).toBe(1);
  });
});

describe('waitReserve', () => {
  const sc = defaultScenario({ days: 1, seed: 3 });

  it('finds the smallest reserve that keeps late steps within 5% of all steps', () => {
    const goalSec = 5;
    const r = waitReserve(sc, goalSec);
    expect(r.allowedLate).toBe(Math.floor(0.05 * r.steps));
    expect(r.lateSteps).toBeLessThanOrEqual(r.allowedLate);
    expect(r.totalUsd).toBeCloseTo(r.pools.reduce((s, p) => s + p.reserveVcpu * p.cheapestUsdPerVcpuHour * 24, 0), 6);
    const { rootsByPool } = chainRoots(sc);
    const lateWith = (poolId: string, reserve: number): number => rootsByPool.get(poolId)!.reduce((s, roots) => s + lateRoots(roots, reserve, goalSec), 0);
    expect(r.pools.reduce((s, p) => s + lateWith(p.poolId, p.reserveVcpu), 0)).toBe(r.lateSteps);
    // one vCPU less on any pool breaks the goal
    for (const p of r.pools.filter((x) => x.reserveVcpu > 0)) {
      const others = r.pools.filter((x) => x !== p).reduce((s, x) => s + lateWith(x.poolId, x.reserveVcpu), 0);
      expect(others + lateWith(p.poolId, p.reserveVcpu - 1)).toBeGreaterThan(r.allowedLate);
    }
  });

  it('prices the reserve at the pool\'s cheapest vCPU-hour', () => {
    const r = waitReserve(sc, 5);
    // default batch pool: m6g.2xlarge spot is its cheapest vCPU (0.12628 USD/h for 8 vCPU, embedded table)
    expect(r.pools.find((p) => p.poolId === 'batch')?.cheapestUsdPerVcpuHour).toBeCloseTo(0.12628 / 8, 5);
  });

  it('matches a hand-solved fan-out: 20 roots of 10 s per chain, 10 chains, 5% of 210 steps may wait', () => {
    const fanOut = workflow('fan-out', [
      ...Array.from({ length: 20 }, (_, k) => task(`r${k}`, [], { runtime: { meanSec: 10, p50Sec: 10, p95Sec: 10, samplesSec: [] } })),
      task('merge', Array.from({ length: 20 }, (_, k) => `r${k}`)),
    ]);
    const arrivals = Array.from({ length: 10 }, (_, k) => ({ atSec: sc.startSec + k * 3600, chainId: `c${k}`, workflow: 'fan-out' }));
    const fan = parseScenario({ ...sc, workflows: [fanOut], arrivals, composer: { ...sc.composer, enabled: false } });
    // 10 late steps allowed: at most 1 root per chain late. Goal 5 s: only starts at 0 s count, so 19 vCPU.
    expect(waitReserve(fan, 5).pools).toMatchObject([{ poolId: 'batch', reserveVcpu: 19 }]);
    // goal 15 s: starts at 0 s and 10 s count, 2 × 10 ≥ 19
    expect(waitReserve(fan, 15).pools).toMatchObject([{ poolId: 'batch', reserveVcpu: 10 }]);
  });
});
