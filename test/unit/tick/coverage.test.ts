import { describe, expect, it } from 'vitest';
import { coverageReadLevel, coverageStep, CoverageTracker, MAX_COVERAGE_ALPHA, MIN_COVERAGE_ALPHA } from '../../../src/core/tick/coverage.js';
import { buildDemandSlots } from '../../../src/core/tick/demand.js';
import { POOL_CALIBRATION_MIN_SCORES, PoolQuantileCalibrator } from '../../../src/core/tick/pool-calibration.js';

describe('adaptive conformal coverage (Gibbs & Candès 2021)', () => {
  it('raises the miss level by γ·α on a covered period and lowers it by γ·(1 − α) on a miss, within its clamps', () => {
    expect(coverageStep(0.05, 0.05, false, 0.01)).toBeCloseTo(0.0505, 12);
    expect(coverageStep(0.05, 0.05, true, 0.01)).toBeCloseTo(0.0405, 12);
    expect(coverageStep(0.499, 0.05, false, 1)).toBe(MAX_COVERAGE_ALPHA);
    expect(coverageStep(0.002, 0.05, true, 1)).toBe(MIN_COVERAGE_ALPHA);
  });

  it('reads a lower level when the pool over-covers and a higher one when it misses, never below the median or above 0.999', () => {
    expect(coverageReadLevel(0.95, 0.15, 0.05)).toBeCloseTo(0.85, 12);
    expect(coverageReadLevel(0.95, 0.01, 0.05)).toBeCloseTo(0.99, 12);
    expect(coverageReadLevel(0.95, 0.5, 0.05)).toBe(0.5);
    expect(coverageReadLevel(0.99, 0.001, 0.05)).toBe(0.999);
    expect(coverageReadLevel(0.1, 0.3, 0.05)).toBe(0.1);
  });

  it('converges to the target miss rate on a sequence of misses (long-run bound of its Proposition 4.1)', () => {
    const t = new CoverageTracker();
    // a capacity read off the tracker's level: demand is uniform on [0, 1) (a fixed low-discrepancy
    // sequence), the capacity of period i is the level read at 0.9, so a miss happens when demand > level
    let misses = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const demand = (i * 0.6180339887498949) % 1;
      const capacity = t.readLevel('web', 0.9, 0.9);
      t.recordReady('web', 60 * i, capacity, 0.9);
      if (demand > capacity) misses++;
      t.observe('web', 60 * i, demand, 0.9, 0.01);
    }
    expect(Math.abs(misses / n - 0.1)).toBeLessThan(0.01);
  });

  it('scores a period against the capacity ready at its start, once', () => {
    const t = new CoverageTracker();
    t.recordReady('web', 0, 2, 0.95);
    t.recordReady('web', 60, 8, 0.95);
    t.observe('web', 0, 5, 0.95, 0.01); // 5 units against the 2 ready at 0: a miss
    expect(t.missLevel('web')).toBeCloseTo(0.05 - 0.01 * 0.95, 12);
    t.observe('web', 0, 5, 0.95, 0.01); // the same period again: not scored
    t.observe('web', 30, 1, 0.95, 0.01); // nothing recorded after 0 and by 30: still the 2 ready at 0, covered
    expect(t.missLevel('web')).toBeCloseTo(0.05 - 0.01 * 0.95 + 0.01 * 0.05, 12);
    const other = new CoverageTracker();
    other.recordReady('web', 60, 8, 0.95);
    other.observe('web', 0, 5, 0.95, 0.01); // nothing ready recorded by then: not scored
    expect(other.missLevel('web')).toBeCloseTo(0.05, 12);
  });

  it('keeps each pool state through toJSON and fromJSON and drops a malformed miss level', () => {
    const t = new CoverageTracker();
    t.recordReady('web', 0, 2, 0.95);
    t.observe('web', 0, 1, 0.95, 0.01);
    const back = CoverageTracker.fromJSON(new Map([...t.toJSON(), ['bad', { alpha: Number.NaN, ready: [] }]]));
    expect(back.missLevel('web')).toBeCloseTo(0.0505, 12);
    back.observe('web', 0, 9, 0.95, 0.01); // already scored before the round trip
    expect(back.missLevel('web')).toBeCloseTo(0.0505, 12);
    expect(back.missLevel('bad')).toBeUndefined();
    expect(back.readLevel('other', 0.95, 0.95)).toBe(0.95);
  });
});

describe('buildDemandSlots with coverage', () => {
  const signal = { seriesId: 'req', poolId: 'web', metricPerUnit: 1 };
  const base = { poolId: 'web', slotSec: 60, slots: 2, levels: [0.5, 0.95], signals: [signal], backlogSignals: [], forecasts: new Map(), committedUnits: 0, predictedUnits: [0, 0] };

  // a pool whose demand spreads over [2, 4) units (a fixed low-discrepancy sequence): the calibrated
  // 0.95 quantile is near its top; a tracker that saw the pool never miss reads a lower level, hence a
  // lower quantile
  const train = (): PoolQuantileCalibrator => {
    const cal = new PoolQuantileCalibrator('local');
    for (let i = 0; i < 2 * POOL_CALIBRATION_MIN_SCORES + 4; i++) {
      const now = 60 * (i + 1);
      buildDemandSlots({ ...base, nowSec: now, poolCalibrator: cal, recent: new Map([['req', 2 + 2 * ((i * 0.6180339887498949) % 1)]]), recentAtSec: now });
    }
    return cal;
  };

  it('lowers the metric quantile of a pool that over-covers and leaves it as calibrated without a tracker', () => {
    const now = 60 * (2 * POOL_CALIBRATION_MIN_SCORES + 6);
    const recent = new Map([['req', 2]]);
    const plain = buildDemandSlots({ ...base, nowSec: now, poolCalibrator: train(), recent, recentAtSec: now })[1].quantiles['0.95'];
    const tracker = new CoverageTracker();
    for (let i = 0; i < 400; i++) { // ten units ready, two observed: never a miss
      tracker.recordReady('web', 60 * i, 10, 0.95);
      tracker.observe('web', 60 * i, 2, 0.95, 0.005);
    }
    const steered = buildDemandSlots({ ...base, nowSec: now, poolCalibrator: train(), recent, recentAtSec: now, coverage: { tracker, readyUnits: 10, serviceLevel: 0.95, gamma: 0.005 } })[1].quantiles['0.95'];
    expect(plain).toBeGreaterThan(3);
    expect(steered).toBeLessThan(plain);
    expect(steered).toBeGreaterThanOrEqual(2); // never under the latest observation
  });

  it('records the ready units now and scores the latest observation against those recorded at its start', () => {
    const tracker = new CoverageTracker();
    const cal = new PoolQuantileCalibrator('local');
    const cov = (readyUnits: number) => ({ tracker, readyUnits, serviceLevel: 0.95, gamma: 0.01 });
    buildDemandSlots({ ...base, nowSec: 600, poolCalibrator: cal, recent: new Map([['req', 1]]), recentAtSec: 540, coverage: cov(4) });
    expect(tracker.missLevel('web')).toBeCloseTo(0.05, 12); // nothing was recorded by 540
    buildDemandSlots({ ...base, nowSec: 660, poolCalibrator: cal, recent: new Map([['req', 5]]), recentAtSec: 600, coverage: cov(8) });
    expect(tracker.missLevel('web')).toBeCloseTo(0.05 - 0.01 * 0.95, 12); // 5 units over [600, 660) against the 4 ready at 600
  });
});
