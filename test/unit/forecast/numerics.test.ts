import { describe, expect, it } from 'vitest';
import { choleskySolve } from '../../../src/core/forecast/cholesky.js';
import { calibrationFrom, calibratedMultiplier } from '../../../src/core/forecast/conformal.js';
import { mstl } from '../../../src/core/forecast/decompose.js';
import { mase, seasonalNaiveMae } from '../../../src/core/forecast/evaluate.js';
import { normalQuantile, quantileOf } from '../../../src/core/forecast/stats.js';

describe('numeric helpers', () => {
  it('normalQuantile matches tabulated values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323062, 6);
  });

  it('quantileOf matches type-7 quantiles of a sorted copy', () => {
    const xs = [5, 1, 4, 4, 9, -2, 7];
    const s = [...xs].sort((a, b) => a - b);
    for (const p of [0, 0.1, 0.25, 0.5, 0.8, 1]) {
      const h = (s.length - 1) * p;
      const lo = Math.floor(h);
      expect(quantileOf(xs, p)).toBeCloseTo(s[lo] + (h - lo) * (s[Math.min(s.length - 1, lo + 1)] - s[lo]), 12);
    }
  });

  it('choleskySolve solves a symmetric positive-definite system', () => {
    const A = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    const x = Float64Array.from([1, -2, 3]);
    const b = Float64Array.from([0, 1, 2].map((i) => A[i * 3] * x[0] + A[i * 3 + 1] * x[1] + A[i * 3 + 2] * x[2]));
    const got = choleskySolve(A, b, 3);
    got.forEach((v, i) => expect(v).toBeCloseTo(x[i], 10));
    expect(() => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toThrow(/positive definite/);
  });

  it('mstl recovers two seasonal profiles', () => {
    const n = 4 * 336;
    const y = Array.from({ length: n }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / 48) + 2 * Math.cos((2 * Math.PI * t) / 336));
    const d = mstl(y, [48, 336]);
    expect(d.periods).toEqual([48, 336]);
    for (let t = 400; t < 800; t += 37) expect(Math.abs(d.adjusted[t] - 10)).toBeLessThan(0.3);
  });

  it('MASE scales MAE by the in-sample seasonal naive MAE', () => {
    const train = [1, 2, 3, 1, 2, 4];
    expect(seasonalNaiveMae(train, 3)).toBeCloseTo((0 + 0 + 1) / 3, 12);
    expect(mase([2, 2], [1, 3], 0.5)).toBe(2);
  });

  it('conformal multiplier is the stated quantile of normalised errors, shrunk toward normal', () => {
    const errors = Array.from({ length: 200 }, (_, i) => ((i % 20) - 9.5) / 5);
    const cal = calibrationFrom(errors, new Array(200).fill(1), 0);
    // scores are 0.1, 0.3, ..., 1.9 (20 each); rank ceil(201 · 0.8) = 161 of 200 is 1.7
    expect(calibratedMultiplier(cal, 0.8)).toBeCloseTo(1.7, 9);
    const shrunk = calibrationFrom(errors.slice(0, 4), [1, 1, 1, 1], 1e9);
    expect(calibratedMultiplier(shrunk, 0.8)).toBeCloseTo(1.2816, 3);
  });
});
