import { describe, expect, it } from 'vitest';
import { IsotonicCalibrator, ReliabilityTracker, binOf } from '../../../src/core/predict/index.js';
import { InputError } from '../../../src/core/model/index.js';
import { createRandom } from '../../../src/core/rng.js';

describe('reliability curve and Brier score', () => {
  it('puts predictions in deciles and measures each decile against the share that came true', () => {
    const t = new ReliabilityTracker();
    // decile 0.8–0.9: 10 predictions of 0.85, 6 came true → error 0.25
    for (let i = 0; i < 10; i++) t.observe(0.85, i < 6, 0);
    // decile 0.1–0.2: 10 predictions of 0.15, 1 came true → error 0.05
    for (let i = 0; i < 10; i++) t.observe(0.15, i < 1, 0);
    const s = t.summary(5);
    expect(s.n).toBe(20);
    expect(s.bins[8]).toMatchObject({ n: 10, observed: 0.6 });
    expect(s.bins[8].absError).toBeCloseTo(0.25, 10);
    expect(s.bins[1].absError).toBeCloseTo(0.05, 10);
    expect(s.maxBinError).toBeCloseTo(0.25, 10);
    expect(s.ece).toBeCloseTo(0.15, 10);
    // Brier: (6 × 0.15² + 4 × 0.85² + 1 × 0.85² + 9 × 0.15²) / 20
    expect(s.brier).toBeCloseTo((15 * 0.15 ** 2 + 5 * 0.85 ** 2) / 20, 10);
  });

  it('ignores deciles with fewer predictions than the minimum in the max error, and keeps Brier per time bucket', () => {
    const t = new ReliabilityTracker(10, 3600);
    t.observe(0.95, false, 100);
    t.observe(0.05, false, 3700);
    const s = t.summary(2);
    expect(s.maxBinError).toBe(0);
    expect(s.overTime).toEqual([{ startSec: 0, n: 1, brier: 0.95 ** 2 }, { startSec: 3600, n: 1, brier: 0.05 ** 2 }]);
    expect(ReliabilityTracker.fromJSON(JSON.parse(JSON.stringify(t.toJSON()))).summary(2)).toEqual(s);
  });

  it('rejects a probability outside 0..1 and bad settings with an InputError', () => {
    expect(() => new ReliabilityTracker().observe(1.2, true, 0)).toThrow(InputError);
    expect(() => new ReliabilityTracker(0)).toThrow(InputError);
    expect(binOf(1, 10)).toBe(9);
  });
});

describe('online isotonic calibration map', () => {
  it('starts as the identity and stays monotone', () => {
    const c = new IsotonicCalibrator();
    expect(c.map(0.3)).toBeCloseTo(0.3, 6);
    expect(c.map(0.8)).toBeCloseTo(0.8, 6);
    for (let i = 0; i < 200; i++) c.observe(0.7, i % 3 === 0);
    let last = -1;
    for (let p = 0; p <= 1; p += 0.01) {
      expect(c.map(p)).toBeGreaterThanOrEqual(last - 1e-12);
      last = c.map(p);
    }
  });

  it('learns an overconfident model: raw 0.9 that comes true 60 % of the time maps near 0.6, and the calibrated curve passes the 0.05 goal', () => {
    const rng = createRandom(1);
    const c = new IsotonicCalibrator();
    const raw = new ReliabilityTracker();
    const cal = new ReliabilityTracker();
    for (let i = 0; i < 20_000; i++) {
      const p = rng.next();
      // truth: P(event) = p^2 (overconfident at the top, underconfident nowhere)
      const came = rng.next() < p * p;
      raw.observe(p, came, i);
      cal.observe(c.map(p), came, i);
      c.observe(p, came);
    }
    expect(c.map(0.9)).toBeGreaterThan(0.75);
    expect(c.map(0.9)).toBeLessThan(0.87);
    expect(raw.summary().maxBinError).toBeGreaterThan(0.1);
    expect(cal.summary().maxBinError).toBeLessThan(0.05);
    expect(IsotonicCalibrator.fromJSON(JSON.parse(JSON.stringify(c.toJSON()))).map(0.9)).toBe(c.map(0.9));
  });

  it('rejects bad settings and saved states with an InputError', () => {
    expect(() => new IsotonicCalibrator({ bins: 0 })).toThrow(InputError);
    expect(() => new IsotonicCalibrator({ priorWeight: 0 })).toThrow(InputError);
    expect(() => IsotonicCalibrator.fromJSON({ bins: 3, n: [1], y: [0] })).toThrow(InputError);
  });
});
