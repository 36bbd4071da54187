import { describe, expect, it } from 'vitest';
import { LOCAL_SCALE_CHANGES, LOCAL_SCALE_FLOOR_UNITS, POOL_CALIBRATION_MIN_SCORES, PoolQuantileCalibrator } from '../../../src/core/tick/pool-calibration.js';
import { createTickMemory } from '../../../src/core/tick/memory.js';
import { buildDemandSlots } from '../../../src/core/tick/demand.js';

/** One tick of a metric pool: observe the latest value at `t`, then predict `step` slots ahead from it. */
function tick(cal: PoolQuantileCalibrator, t: number, units: number, step = 1): void {
  cal.observe('web', t, units);
  cal.predicted('web', t + 60 * step, step, units);
}

describe('PoolQuantileCalibrator with local scores', () => {
  it('spreads by the mean absolute change of the last few observations plus the floor', () => {
    const cal = new PoolQuantileCalibrator('local');
    expect(cal.localScale('web')).toBeCloseTo(LOCAL_SCALE_FLOOR_UNITS, 12);
    // 2, 4, 3, 7: changes 2, 1, 4
    [2, 4, 3, 7].forEach((u, i) => cal.observe('web', 60 * i, u));
    expect(cal.localScale('web')).toBeCloseTo(7 / 3 + LOCAL_SCALE_FLOOR_UNITS, 12);
    // the same time observed again does not count as a change
    cal.observe('web', 180, 100);
    expect(cal.localScale('web')).toBeCloseTo(7 / 3 + LOCAL_SCALE_FLOOR_UNITS, 12);
    // only the last LOCAL_SCALE_CHANGES changes count: a long flat run forgets the early moves
    for (let i = 4; i < 4 + LOCAL_SCALE_CHANGES; i++) cal.observe('web', 60 * i, 7);
    expect(cal.localScale('web')).toBeCloseTo(LOCAL_SCALE_FLOOR_UNITS, 12);
  });

  it('reads base + the conformal quantile of (observed − base) / spread, times the spread now', () => {
    const cal = new PoolQuantileCalibrator('local');
    // a flat series (spread = the floor) whose one-slot-ahead outcome is base + floor × r, r = 0..119
    for (let i = 0; i < POOL_CALIBRATION_MIN_SCORES; i++) {
      cal.predicted('web', 60 * (i + 1), 1, 5);
      cal.observe('web', 60 * (i + 1), 5 + LOCAL_SCALE_FLOOR_UNITS * i);
      cal.observe('web', 60 * (i + 1) + 30, 5); // back to 5 before the next prediction: the spread stays ~flat
    }
    expect(cal.quantile('web', 1, 0.95, 5)).toBeDefined();
    // the scores are r × floor / spread-at-prediction; read back at the spread now
    const sNow = cal.localScale('web');
    const q95 = (cal.quantile('web', 1, 0.95, 7)! - 7) / sNow;
    const q50 = (cal.quantile('web', 1, 0.5, 7)! - 7) / sNow;
    expect(q95).toBeGreaterThan(q50);
    expect(cal.quantile('web', 1, 0.95, 8)! - cal.quantile('web', 1, 0.95, 7)!).toBeCloseTo(1, 9);
  });

  /** Idle at 0.01 units for 20 minutes, a rise to 8 units over 4, 20 minutes at 8; `cycles` times. */
  function spikes(cycles: number): number[] {
    const series: number[] = [];
    for (let c = 0; c < cycles; c++) {
      for (let i = 0; i < 20; i++) series.push(0.01);
      for (let i = 1; i <= 4; i++) series.push(2 * i);
      for (let i = 0; i < 20; i++) series.push(8);
    }
    return series;
  }

  it('holds a far narrower band than ratio scores on the plateau of a spike', () => {
    const ratio = new PoolQuantileCalibrator('ratio');
    const local = new PoolQuantileCalibrator('local');
    // three slots ahead: predictions made while idle land in the rise (ratios up to 800)
    spikes(8).forEach((u, i) => { tick(ratio, 60 * i, u, 3); tick(local, 60 * i, u, 3); });
    // at the end of the last plateau (flat at 8 for 20 minutes)
    const r = ratio.quantile('web', 3, 0.95, 8)!;
    const l = local.quantile('web', 3, 0.95, 8)!;
    expect(r).toBeGreaterThan(1000);
    expect(l).toBeGreaterThanOrEqual(8);
    expect(l).toBeLessThan(20);
  });

  it('widens the band while the series moves (the start of a rise)', () => {
    const cal = new PoolQuantileCalibrator('local');
    const series = spikes(8);
    series.forEach((u, i) => tick(cal, 60 * i, u, 3));
    // idle again for 20 minutes, then the rise begins (0.01 → 2)
    for (let i = 0; i < 20; i++) tick(cal, 60 * (series.length + i), 0.01, 3);
    const flat = cal.quantile('web', 3, 0.95, 0.01)!;
    tick(cal, 60 * (series.length + 20), 2, 3);
    const rising = cal.quantile('web', 3, 0.95, 2)!;
    expect(flat - 0.01).toBeGreaterThan(0);
    // the spread grew from the floor (0.03) to 1.99 / 5 + 0.03: the headroom grows by the same factor
    expect((rising - 2) / (flat - 0.01)).toBeCloseTo((1.99 / LOCAL_SCALE_CHANGES + LOCAL_SCALE_FLOOR_UNITS) / LOCAL_SCALE_FLOOR_UNITS, 6);
  });

  it('survives toJSON / fromJSON with its recent observations and the spreads of pending predictions', () => {
    const cal = new PoolQuantileCalibrator('local');
    for (let i = 0; i < 200; i++) tick(cal, 60 * i, 3 + (i % 7), 1 + (i % 3));
    const copy = PoolQuantileCalibrator.fromJSON(cal.toJSON());
    expect(copy.localScale('web')).toBe(cal.localScale('web'));
    for (let i = 200; i < 260; i++) { tick(cal, 60 * i, 3 + (i % 5), 1 + (i % 3)); tick(copy, 60 * i, 3 + (i % 5), 1 + (i % 3)); }
    for (const step of [1, 2, 3]) expect(copy.quantile('web', step, 0.95, 4)).toBe(cal.quantile('web', step, 0.95, 4));
  });

  it('is the metric pools\' calibrator of a new tick memory', () => {
    expect(createTickMemory([], true).calibrators?.pool.score).toBe('adaptive');
  });

  it('feeds the metric demand of buildDemandSlots', () => {
    const cal = new PoolQuantileCalibrator('local');
    const base = { poolId: 'web', slotSec: 60, slots: 2, levels: [0.5, 0.95], signals: [{ seriesId: 'm', poolId: 'web', metricPerUnit: 1 }], backlogSignals: [], forecasts: new Map(), committedUnits: 0, predictedUnits: [], poolCalibrator: cal };
    let last = buildDemandSlots({ ...base, nowSec: 0, recent: new Map([['m', 4]]), recentAtSec: 0 });
    for (let i = 1; i <= POOL_CALIBRATION_MIN_SCORES + 2; i++) last = buildDemandSlots({ ...base, nowSec: 60 * i, recent: new Map([['m', 4 + (i % 2)]]), recentAtSec: 60 * i });
    // alternating 4, 5: spread 1 + floor; scores of step 1 are ±1 / (1 + floor): the 95% quantile is one change up
    const now = last[1].quantiles['0.95'];
    expect(now).toBeGreaterThan(4);
    expect(now).toBeLessThan(7);
  });
});

describe('PoolQuantileCalibrator, adaptive (local or ratio by pinball loss)', () => {
  /** A deterministic pseudo-random sequence in [0, 1) (a linear congruential generator; no Math.random). */
  function lcg(seed: number): () => number {
    let x = seed;
    return () => { x = (x * 1_103_515_245 + 12_345) % 2_147_483_648; return x / 2_147_483_648; };
  }

  it('keeps the ratio on a series whose errors are proportional to its level', () => {
    // a level that alternates between 1 and 50 units for an hour each, ± 10 % noise every minute: a
    // residual spread of the 50-unit hours is far too wide for the 1-unit hours, a ratio fits both
    const rnd = lcg(7);
    const adaptive = new PoolQuantileCalibrator('adaptive');
    const ratio = new PoolQuantileCalibrator('ratio');
    for (let i = 0; i < 1200; i++) {
      const u = (Math.floor(i / 60) % 2 === 0 ? 1 : 50) * (0.9 + 0.2 * rnd());
      for (const c of [adaptive, ratio]) {
        c.observe('web', 60 * i, u);
        c.predicted('web', 60 * (i + 1), 1, u);
        c.quantile('web', 1, 0.95, u);
      }
    }
    const l = adaptive.modelLosses('web', 1, 0.95)!;
    expect(l.ratio).toBeLessThan(l.local);
    expect(adaptive.quantile('web', 1, 0.95, 1)).toBeCloseTo(ratio.quantile('web', 1, 0.95, 1)!, 12);
  });

  it('takes the local score on a series that idles and spikes', () => {
    const series: number[] = [];
    for (let c = 0; c < 8; c++) {
      for (let i = 0; i < 20; i++) series.push(0.01);
      for (let i = 1; i <= 4; i++) series.push(2 * i);
      for (let i = 0; i < 20; i++) series.push(8);
    }
    const adaptive = new PoolQuantileCalibrator('adaptive');
    const local = new PoolQuantileCalibrator('local');
    series.forEach((u, i) => {
      for (const c of [adaptive, local]) {
        c.observe('web', 60 * i, u);
        c.predicted('web', 60 * (i + 3), 3, u);
        c.quantile('web', 3, 0.95, u);
      }
    });
    const l = adaptive.modelLosses('web', 3, 0.95)!;
    expect(l.local).toBeLessThan(l.ratio);
    expect(adaptive.quantile('web', 3, 0.95, 8)).toBeCloseTo(local.quantile('web', 3, 0.95, 8)!, 12);
  });

  it('survives toJSON / fromJSON with its losses and levels', () => {
    const cal = new PoolQuantileCalibrator('adaptive');
    const rnd = lcg(3);
    const step = (c: PoolQuantileCalibrator, i: number, u: number): void => { c.observe('web', 60 * i, u); c.predicted('web', 60 * (i + 2), 2, u); c.quantile('web', 2, 0.9, u); };
    for (let i = 0; i < 300; i++) step(cal, i, 5 + 3 * rnd());
    const copy = PoolQuantileCalibrator.fromJSON(cal.toJSON());
    expect(copy.modelLosses('web', 2, 0.9)).toEqual(cal.modelLosses('web', 2, 0.9));
    for (let i = 300; i < 360; i++) { const u = 5 + 3 * rnd(); step(cal, i, u); step(copy, i, u); }
    expect(copy.quantile('web', 2, 0.9, 6)).toBe(cal.quantile('web', 2, 0.9, 6));
    expect(copy.modelLosses('web', 2, 0.9)).toEqual(cal.modelLosses('web', 2, 0.9));
  });
});
