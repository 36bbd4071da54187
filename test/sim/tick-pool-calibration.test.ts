import { describe, expect, it } from 'vitest';
import { POOL_CALIBRATION_MIN_SCORES, PoolQuantileCalibrator } from '../../src/core/tick/pool-calibration.js';
import { buildDemandSlots } from '../../src/core/tick/demand.js';

/** Feeds `n` ticks where the demand one step ahead is `ratio(i)` × the base of 100 units. */
function feed(cal: PoolQuantileCalibrator, n: number, ratio: (i: number) => number): void {
  for (let i = 0; i < n; i++) {
    cal.predicted('web', 60 * (i + 1), 1, 100);
    cal.observe('web', 60 * (i + 1), 100 * ratio(i));
  }
}

describe('PoolQuantileCalibrator', () => {
  it('gives no quantile until enough scores are held for the step', () => {
    const cal = new PoolQuantileCalibrator();
    feed(cal, POOL_CALIBRATION_MIN_SCORES - 1, () => 1);
    expect(cal.quantile('web', 1, 0.95, 100)).toBeUndefined();
    feed(cal, 1, () => 1);
    expect(cal.quantile('web', 1, 0.95, 100)).toBeCloseTo(100, 9);
    expect(cal.quantile('web', 2, 0.95, 100)).toBeUndefined();
  });

  it('reads the conformal quantile of observed / base ratios and scales it by the new base', () => {
    const cal = new PoolQuantileCalibrator();
    // ratios 0.80, 0.81, ..., 1.99 (120 scores): the 95% conformal quantile is the ⌈121 × 0.95⌉ = 115th smallest
    feed(cal, 120, (i) => 0.8 + i / 100);
    expect(cal.quantile('web', 1, 0.95, 50)).toBeCloseTo(50 * (0.8 + 114 / 100), 9);
    expect(cal.quantile('web', 1, 0.5, 50)).toBeCloseTo(50 * (0.8 + 60 / 100), 9);
  });

  it('scores only predictions made for the observed time and forgets older ones', () => {
    const cal = new PoolQuantileCalibrator();
    cal.predicted('web', 60, 1, 100);
    cal.predicted('web', 120, 2, 100);
    cal.observe('web', 120, 150);
    expect(cal.count('web', 2)).toBe(1);
    expect(cal.count('web', 1)).toBe(0);
    cal.observe('web', 60, 100);
    expect(cal.count('web', 1)).toBe(0);
  });
});

describe('PoolQuantileCalibrator with residual scores', () => {
  it('adds the conformal quantile of observed − base to the new base, and accepts a base of 0', () => {
    const cal = new PoolQuantileCalibrator('residual');
    // residuals 0, 0.1, ..., 11.9 (120 scores) around known work of 0 to 5 units
    for (let i = 0; i < 120; i++) {
      cal.predicted('batch', 60 * (i + 1), 2, i % 6);
      cal.observe('batch', 60 * (i + 1), (i % 6) + i / 10);
    }
    expect(cal.quantile('batch', 2, 0.9, 0)).toBeCloseTo(108 / 10, 9); // ⌈121 × 0.9⌉ = 109th smallest
    expect(cal.quantile('batch', 2, 0.9, 4)).toBeCloseTo(4 + 108 / 10, 9);
    expect(cal.quantile('batch', 2, 0.9, -1)).toBeUndefined();
  });

  it('never returns a negative quantile when observed work falls short of the known work', () => {
    const cal = new PoolQuantileCalibrator('residual');
    for (let i = 0; i < 120; i++) {
      cal.predicted('batch', 60 * (i + 1), 1, 10);
      cal.observe('batch', 60 * (i + 1), 2);
    }
    expect(cal.quantile('batch', 1, 0.5, 3)).toBe(0);
  });
});

describe('buildDemandSlots with a backlog residual calibrator', () => {
  it('holds the known steps plus the calibrated residual headroom instead of the backlog forecast', () => {
    const cal = new PoolQuantileCalibrator('residual');
    const base = { poolId: 'batch', slotSec: 60, slots: 2, levels: [0.5, 0.9], signals: [], backlogSignals: [{ seriesId: 'tasks:batch', poolId: 'batch' }], forecasts: new Map(), predictedUnits: [0, 1], backlogCalibrator: cal };
    // 2 units known one slot ahead (1 committed + 1 predicted); the backlog then observed is 2 + 0..9 units
    for (let i = 0; i <= POOL_CALIBRATION_MIN_SCORES + 1; i++) {
      const now = 60 * (i + 1);
      buildDemandSlots({ ...base, nowSec: now, committedUnits: [2, 1], recentBacklog: { atSec: now, units: 2 + ((i - 1 + 10) % 10) } });
    }
    const now = 60 * (POOL_CALIBRATION_MIN_SCORES + 3);
    const slots = buildDemandSlots({ ...base, nowSec: now, committedUnits: [5, 4] });
    // step-1 residuals are 0..9, twelve of each: the 90% conformal quantile is 9 units beyond the 5 known
    expect(slots[1].committedUnits).toBe(4);
    expect(slots[1].predictedStepUnits).toBe(1);
    expect(slots[1].quantiles['0.9']).toBeCloseTo(9, 9);
    expect(slots[1].quantiles['0.5']).toBeCloseTo(4, 9);
  });
});

describe('buildDemandSlots with a pool calibrator', () => {
  it('uses the latest pool observation times the calibrated ratio instead of the forecast interval', () => {
    const cal = new PoolQuantileCalibrator();
    const base = { poolId: 'web', slotSec: 60, slots: 2, levels: [0.5, 0.95], signals: [{ seriesId: 'a', poolId: 'web', metricPerUnit: 10 }, { seriesId: 'b', poolId: 'web', metricPerUnit: 10 }], backlogSignals: [], forecasts: new Map(), committedUnits: 0, predictedUnits: [], poolCalibrator: cal };
    // pool demand grows 10% a minute: every step-1 score is 1.1
    let units = 10;
    for (let i = 0; i <= POOL_CALIBRATION_MIN_SCORES + 1; i++) {
      const now = 60 * (i + 1);
      buildDemandSlots({ ...base, nowSec: now, recent: new Map([['a', units * 5], ['b', units * 5]]), recentAtSec: now });
      units *= 1.1;
    }
    const now = 60 * (POOL_CALIBRATION_MIN_SCORES + 3);
    const slots = buildDemandSlots({ ...base, nowSec: now, recent: new Map([['a', 100], ['b', 100]]), recentAtSec: now });
    expect(slots[1].quantiles['0.95']).toBeCloseTo(20 * 1.1, 6);
    // without forecasts the uncalibrated interval would be 0: the observation floor alone
    expect(slots[0].quantiles['0.95']).toBeCloseTo(20, 6);
  });
});
