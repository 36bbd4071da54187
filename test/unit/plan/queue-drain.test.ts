import { describe, expect, it } from 'vitest';
import { drainedDemandUnits, type DrainJob } from '../../../src/core/plan/index.js';

const queued = (n: number, durationSec: number, readySec = 0, units = 1): DrainJob[] =>
  Array.from({ length: n }, () => ({ readySec, durationSec, units, running: false }));

describe('known steps drained by the ready capacity', () => {
  it('counts a burst of short steps only in the slot the ready capacity finishes it in', () => {
    // 8 one-vCPU steps of 30 s on 4 vCPU: 4 run and 4 wait, all done at 60 s
    expect(drainedDemandUnits(queued(8, 30), 4, 0, 60, 3)).toEqual([8, 0, 0]);
    // the unconstrained view would also say 8 then 0; 300 one-second steps on 20 vCPU are gone in 15 s
    expect(drainedDemandUnits(queued(300, 1), 20, 0, 60, 3)).toEqual([300, 0, 0]);
  });

  it('holds a queue that outlasts one runtime for as long as it takes to drain', () => {
    // 6 steps of 100 s on 2 vCPU: 6 units until 100 s, 4 until 200 s, 2 until 300 s
    expect(drainedDemandUnits(queued(6, 100), 2, 0, 60, 6)).toEqual([6, 6, 4, 4, 2, 0]);
  });

  it('keeps steps waiting for capacity the pool does not have (they need a launch) over the whole horizon', () => {
    expect(drainedDemandUnits(queued(1, 60), 0, 0, 60, 4)).toEqual([1, 1, 1, 1]);
    // a step wider than the whole pool waits too, and backfilling lets narrower ones pass it
    const jobs: DrainJob[] = [{ readySec: 0, durationSec: 60, units: 8, running: false }, ...queued(2, 60)];
    expect(drainedDemandUnits(jobs, 4, 0, 60, 3)).toEqual([10, 8, 8]);
  });

  it('releases running steps at their expected end and starts future steps when they become ready', () => {
    const jobs: DrainJob[] = [
      { readySec: -30, durationSec: 90, units: 2, running: true }, // ends at 60
      { readySec: 120, durationSec: 60, units: 3, running: false }, // ready at 120, runs to 180
      { readySec: 0, durationSec: Infinity, units: 1, running: true }, // unknown runtime: held
    ];
    expect(drainedDemandUnits(jobs, 4, 0, 60, 5)).toEqual([3, 1, 4, 1, 1]);
  });

  it('with ample capacity, counts the steps when the schedule runs them (the most units at once in each slot)', () => {
    const jobs: DrainJob[] = [...queued(3, 90), { readySec: 150, durationSec: 30, units: 2, running: false }];
    expect(drainedDemandUnits(jobs, 100, 0, 60, 4)).toEqual([3, 3, 2, 0]);
  });

  it('holds a step until the parents it lists end in the drained schedule', () => {
    // 3 parents of 60 s on 2 vCPU: two run 0-60, the third 60-120; the child (ready at 60 in the book) waits for it
    const jobs: DrainJob[] = [...queued(3, 60), { readySec: 60, durationSec: 30, units: 2, running: false, after: [0, 1, 2] }];
    expect(drainedDemandUnits(jobs, 2, 0, 60, 4)).toEqual([3, 1, 2, 0]);
  });

  it('rejects a non-positive slot length', () => {
    expect(() => drainedDemandUnits([], 1, 0, 0, 3)).toThrow(RangeError);
  });
});
