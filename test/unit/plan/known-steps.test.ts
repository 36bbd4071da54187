import { describe, expect, it } from 'vitest';
import { correctKnownUnits, drainedDemandUnits, pendingArrivals, type DrainJob } from '../../../src/core/plan/index.js';
import type { CapacitySnapshot, Instance } from '../../../src/core/model/index.js';

const queued = (n: number, durationSec: number, readySec = 0, units = 1): DrainJob[] =>
  Array.from({ length: n }, () => ({ readySec, durationSec, units, running: false }));

const instance = (id: string, state: Instance['state'], launchedAtSec: number, capacityUnits: number, poolId = 'batch'): Instance => ({
  id, poolId, offeringId: 'c6i.large/spot/us-east-1a', instanceType: 'c6i.large', market: 'spot', az: 'us-east-1a', capacityUnits, state,
  launchedAtSec, priceUsdPerHour: 0.03, commandId: 'c1', tags: {},
});

describe('known steps as the capacity will face them', () => {
  it('counts a waiting fan-out of short steps as the capacity that drains it within the tolerance', () => {
    // 108 one-second steps on 8 vCPU: 108 unit-s of work present, cleared within 10 s by 10.8 units
    expect(drainedDemandUnits(queued(108, 1), 8, 0, 60, 3, { drainToleranceSec: 10 })).toEqual([10.8, 0, 0]);
    // more ready capacity runs more of it at once but needs no more: still 10.8
    expect(drainedDemandUnits(queued(108, 1), 200, 0, 60, 3, { drainToleranceSec: 10 })).toEqual([10.8, 0, 0]);
    // without the tolerance every waiting step counts its vCPU
    expect(drainedDemandUnits(queued(108, 1), 8, 0, 60, 3)).toEqual([108, 0, 0]);
  });

  it('still counts waiting steps as long as the tolerance or longer at their full units', () => {
    expect(drainedDemandUnits(queued(6, 100), 2, 0, 60, 2, { drainToleranceSec: 10 })).toEqual([6, 6]);
    // a step of unknown (infinite) runtime waiting for capacity counts its units
    expect(drainedDemandUnits(queued(1, Infinity), 0, 0, 60, 2, { drainToleranceSec: 10 })).toEqual([1, 1]);
  });

  it('lets pending capacity drain the queue from its ready time, so a queue it finishes needs nothing more', () => {
    // 6 steps of 100 s on 2 vCPU, 4 more vCPU ready at 90 s: all 6 run from 90 s, done by 190 s
    expect(drainedDemandUnits(queued(6, 100), 2, 0, 60, 6, { arrivals: [{ atSec: 90, units: 4 }] })).toEqual([6, 6, 4, 4, 0, 0]);
    // without it the queue drains two at a time until 300 s
    expect(drainedDemandUnits(queued(6, 100), 2, 0, 60, 6)).toEqual([6, 6, 4, 4, 2, 0]);
    // a step waiting on an empty pool starts when the pending instance is ready
    expect(drainedDemandUnits(queued(1, 60), 0, 0, 60, 4, { arrivals: [{ atSec: 100, units: 1 }] })).toEqual([1, 1, 1, 0]);
  });

  it('rejects a tolerance that is not positive', () => {
    expect(() => drainedDemandUnits([], 1, 0, 60, 1, { drainToleranceSec: 0 })).toThrow(RangeError);
  });

  it('reads pending instances of the pool as arrivals at launch time plus the lead time, never before now', () => {
    const snap: CapacitySnapshot = {
      atSec: 1000, caches: [],
      instances: [
        instance('a', 'pending', 950, 4), instance('b', 'running', 0, 8), instance('c', 'pending', 800, 2),
        instance('d', 'pending', 990, 4, 'web'),
      ],
    };
    expect(pendingArrivals(snap, 'batch', 1000, () => 120)).toEqual([{ atSec: 1000, units: 2 }, { atSec: 1070, units: 4 }]);
  });

  it('lowers known units to a lower calibrated quantile, predicted units first, and never raises them', () => {
    expect(correctKnownUnits({ committedUnits: 10, predictedUnits: 2 }, 7)).toEqual({ committedUnits: 7, predictedUnits: 0 });
    expect(correctKnownUnits({ committedUnits: 10, predictedUnits: 2 }, 11)).toEqual({ committedUnits: 10, predictedUnits: 1 });
    expect(correctKnownUnits({ committedUnits: 10, predictedUnits: 2 }, -3)).toEqual({ committedUnits: 0, predictedUnits: 0 });
    const known = { committedUnits: 10, predictedUnits: 2 };
    expect(correctKnownUnits(known, 15)).toBe(known);
    expect(correctKnownUnits(known, undefined)).toBe(known);
    expect(correctKnownUnits(known, Number.NaN)).toBe(known);
  });
});
