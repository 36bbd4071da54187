import { describe, expect, it } from 'vitest';
import { buildDemandSlots } from '../../src/core/tick/demand.js';
import { POOL_CALIBRATION_MIN_SCORES, PoolQuantileCalibrator } from '../../src/core/tick/pool-calibration.js';

describe('buildDemandSlots with lowerKnownSteps (two-way correction of known steps, issue 19)', () => {
  const base = { poolId: 'batch', slotSec: 60, slots: 2, levels: [0.5, 0.9], signals: [], backlogSignals: [{ seriesId: 'tasks:batch', poolId: 'batch' }], forecasts: new Map(), predictedUnits: [0, 2] };

  // each tick knows 10 units one slot ahead (8 committed + 2 predicted); the faced demand then observed is 4..6 units
  const train = (cal: PoolQuantileCalibrator, lowerKnownSteps: boolean): number => {
    let now = 0;
    for (let i = 0; i <= POOL_CALIBRATION_MIN_SCORES + 2; i++) {
      now = 60 * (i + 1);
      buildDemandSlots({ ...base, nowSec: now, backlogCalibrator: cal, lowerKnownSteps, committedUnits: [4 + (i % 3), 8], recentBacklog: { atSec: now, units: 4 + (i % 3) } });
    }
    return now + 60;
  };

  it('lowers the known steps to the calibrated quantile of what the pool faced when the schedule over-counts', () => {
    const cal = new PoolQuantileCalibrator('residual');
    const now = train(cal, true);
    const slots = buildDemandSlots({ ...base, nowSec: now, backlogCalibrator: cal, lowerKnownSteps: true, committedUnits: [5, 8], recentBacklog: { atSec: now, units: 5 } });
    // step-1 residuals are −6..−4: the 0.9 quantile is 10 − 4 = 6 units; the 4 over-counted come off predicted (2) then committed (2)
    expect(slots[1].predictedStepUnits).toBe(0);
    expect(slots[1].committedUnits).toBeCloseTo(6, 9);
    expect(slots[1].quantiles['0.9']).toBe(0);
    // step 0 is scored at the tick's own time: faced demand equals the known steps there, nothing lowered
    expect(slots[0].committedUnits).toBe(5);
  });

  it('keeps the known steps without the option (the additive residual only raises)', () => {
    const cal = new PoolQuantileCalibrator('residual');
    const now = train(cal, false);
    const slots = buildDemandSlots({ ...base, nowSec: now, backlogCalibrator: cal, committedUnits: [5, 8], recentBacklog: { atSec: now, units: 5 } });
    expect(slots[1].committedUnits).toBe(8);
    expect(slots[1].predictedStepUnits).toBe(2);
  });
});
