import { describe, expect, it } from 'vitest';
import { backlogRegime, buildDemandSlots } from '../../src/core/tick/demand.js';
import { POOL_CALIBRATION_MIN_SCORES, PoolQuantileCalibrator } from '../../src/core/tick/pool-calibration.js';

describe('PoolQuantileCalibrator groups (Mondrian conformal)', () => {
  it('reads a group quantile from that group scores only', () => {
    const cal = new PoolQuantileCalibrator('residual');
    // idle predictions (base 0) are followed by 0..2 units; active ones (base 4) by 4 + 10..12
    for (let i = 0; i < POOL_CALIBRATION_MIN_SCORES; i++) {
      const t = 60 * i;
      cal.predicted('batch', t, 0, 0, 'idle');
      cal.observe('batch', t, i % 3);
      cal.predicted('batch', t + 30, 0, 4, 'active');
      cal.observe('batch', t + 30, 14 + (i % 3));
    }
    expect(cal.count('batch', 0, 'idle')).toBe(POOL_CALIBRATION_MIN_SCORES);
    expect(cal.count('batch', 0, 'active')).toBe(POOL_CALIBRATION_MIN_SCORES);
    expect(cal.count('batch', 0)).toBe(0);
    expect(cal.quantile('batch', 0, 0.9, 0, 'idle')).toBe(2);
    expect(cal.quantile('batch', 0, 0.9, 4, 'active')).toBe(16);
    // the ungrouped window was never filled
    expect(cal.quantile('batch', 0, 0.9, 0)).toBeUndefined();
  });

  it('keeps a pending prediction group through toJSON and fromJSON', () => {
    const cal = new PoolQuantileCalibrator('residual');
    cal.predicted('batch', 60, 0, 1, 'idle');
    const back = PoolQuantileCalibrator.fromJSON(cal.toJSON());
    back.observe('batch', 60, 3);
    expect(back.count('batch', 0, 'idle')).toBe(1);
    expect(back.count('batch', 0)).toBe(0);
  });
});

describe('buildDemandSlots with residualRegimes', () => {
  const base = { poolId: 'batch', slotSec: 60, slots: 2, levels: [0.9], signals: [], backlogSignals: [{ seriesId: 'tasks:batch', poolId: 'batch' }], forecasts: new Map() };

  it('calls a pool idle only when nothing is known or observed now', () => {
    expect(backlogRegime(0, 0)).toBe('idle');
    expect(backlogRegime(0, undefined)).toBe('idle');
    expect(backlogRegime(2, 0)).toBe('active');
    expect(backlogRegime(0, 0.5)).toBe('active');
  });

  // a three-tick cycle: an idle tick (nothing known or observed), then a 24-unit arrival observed
  // (4 units known from then on), then 1 unit, then 0 again: idle residuals are 24, active ones −3 and −4
  const cycle = [{ committed: 0, observed: 0 }, { committed: 4, observed: 24 }, { committed: 4, observed: 1 }];
  const train = (residualRegimes: boolean): { cal: PoolQuantileCalibrator; now: number } => {
    const cal = new PoolQuantileCalibrator('residual');
    let now = 0;
    for (let i = 0; i < 3 * (POOL_CALIBRATION_MIN_SCORES + 2); i++) {
      now = 60 * (i + 1);
      const c = cycle[i % 3];
      buildDemandSlots({ ...base, nowSec: now, backlogCalibrator: cal, residualRegimes, committedUnits: [c.committed, c.committed], predictedUnits: [0, 0], recentBacklog: { atSec: now, units: c.observed } });
    }
    return { cal, now: now + 60 }; // the next tick is an idle one (i % 3 === 0)
  };
  const slotOne = (t: { cal: PoolQuantileCalibrator; now: number }, residualRegimes: boolean, committed: number, observed: number): number =>
    buildDemandSlots({ ...base, nowSec: t.now, backlogCalibrator: t.cal, residualRegimes, committedUnits: [committed, committed], predictedUnits: [0, 0], recentBacklog: { atSec: t.now, units: observed } })[1].quantiles['0.9'];

  it('holds the idle headroom when idle and none beyond the known steps when active, where pooled residuals hold the arrival everywhere', () => {
    // idle: every idle tick was followed by 24 units of new work
    expect(slotOne(train(true), true, 0, 0)).toBe(24);
    expect(slotOne(train(false), false, 0, 0)).toBe(24);
    // active: its residuals are −3 and −4, so nothing beyond the 4 known; pooled, a third of the residuals are 24
    expect(slotOne(train(true), true, 4, 1)).toBe(0);
    expect(slotOne(train(false), false, 4, 1)).toBe(24);
  });
});
