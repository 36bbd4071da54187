import { describe, expect, it } from 'vitest';
import { asapSchedule, availabilityFromOfferings, peakDemandUnits, resourceFit, retryDelaySec, taskCost } from '../../../src/core/compose/index.js';
import { RetryPolicySchema, type Offering } from '../../../src/core/model/index.js';
import { poolAvail, task } from '../../fixtures/tasks/builders.js';

describe('cost, fit and retry estimates', () => {
  it('prices spot with interruption risk times on-demand re-run cost', () => {
    const pool = poolAvail('p', 8, { spotUsdPerUnitHour: 0.02, spotInterruptionHazardPerHour: 0.5, onDemandUsdPerUnitHour: 0.05 });
    const c = taskCost(task('a', [], { resource_requirements: { vcpu: 4, memoryGiB: 8 } }), 'p', pool, 3600);
    const p = 1 - Math.exp(-0.5);
    expect(c.market).toBe('spot');
    expect(c.interruptionProbability).toBeCloseTo(p, 12);
    expect(c.expectedCostUsd).toBeCloseTo(4 * 0.02 + p * 4 * 0.05, 12);
  });

  it('chooses on-demand when the risky spot run is expected to cost more', () => {
    const pool = poolAvail('p', 8, { spotUsdPerUnitHour: 0.04, spotInterruptionHazardPerHour: 5, onDemandUsdPerUnitHour: 0.05 });
    expect(taskCost(task('a'), 'p', pool, 3600)).toMatchObject({ market: 'on-demand', expectedCostUsd: 0.05 });
  });

  it('measures fit as available over concurrent demand over the run window', () => {
    const tasks = [task('a'), task('b', ['a']), task('c', ['a'])].map((t) => ({ task: t, poolId: 'p' }));
    const schedule = asapSchedule(tasks, 60);
    expect(schedule.map((s) => [s.startOffsetSec, s.endOffsetSec])).toEqual([[0, 600], [600, 1200], [600, 1200]]);
    expect(peakDemandUnits(schedule, 'p')).toBe(2);
    const drops = { atSec: 0, pools: { p: { poolId: 'p', slots: [{ startSec: 0, availableUnits: 4 }, { startSec: 900, availableUnits: 1 }] } } };
    expect(resourceFit(schedule, drops, 0)).toBe(0.5);
    expect(resourceFit(schedule, { atSec: 0, pools: { p: { ...drops.pools.p, insufficientCapacity: true } } }, 0)).toBe(0);
  });

  it('builds pool availability from the cheapest available offerings per unit', () => {
    const o = (id: string, market: 'spot' | 'on-demand', price: number, units: number, available = true): Offering => ({
      id, instanceType: id, family: 'm6i', market, az: 'a', vcpu: units, memoryGiB: units * 4, arch: 'x86_64', capacityUnits: units, priceUsdPerHour: price, interruptionHazardPerHour: market === 'spot' ? 0.2 : 0, launchLeadTimeSec: 60, available,
    });
    const a = availabilityFromOfferings('p', [o('s1', 'spot', 0.1, 4), o('s2', 'spot', 0.01, 2, false), o('d1', 'on-demand', 0.4, 2)], [{ startSec: 0, availableUnits: 10 }]);
    expect(a).toMatchObject({ spotUsdPerUnitHour: 0.025, spotInterruptionHazardPerHour: 0.2, onDemandUsdPerUnitHour: 0.2 });
  });

  it('computes Step Functions retry delays: interval × backoff^(n−1), MaxAttempts retries, full jitter', () => {
    const policy = RetryPolicySchema.parse({ intervalSec: 2, backoffRate: 3, maxAttempts: 2 });
    expect([1, 2, 3].map((n) => retryDelaySec(policy, n, 0.5))).toEqual([2, 6, undefined]);
    expect(retryDelaySec({ ...policy, jitter: 'full' }, 2, 0.5)).toBe(3);
    expect(retryDelaySec({ ...policy, maxAttempts: 0 }, 1, 0)).toBeUndefined();
  });
});
