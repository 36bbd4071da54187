import { describe, expect, it } from 'vitest';
import { createForecaster } from '../../../src/core/forecast/index.js';
import { MAX_HISTORY_STEPS } from '../../../src/core/forecast/forecaster.js';
import { InputError } from '../../../src/core/model/errors.js';
import { DAY, noise, request, sine } from './series-builders.js';

describe('forecaster robustness', () => {
  const f = createForecaster();

  it('defaults to the cross-validated ensemble', () => {
    expect(f.name).toBe('ensemble');
  });

  it('fills NaN gaps and says so', () => {
    const y = sine(3 * DAY, { sd: 0.3 });
    for (let i = 100; i < 140; i++) y[i] = NaN;
    y[y.length - 1] = NaN;
    const out = f.forecast(request(y));
    expect(out.mean.every(Number.isFinite)).toBe(true);
    expect(out.notes?.some((n) => n.includes('gap'))).toBe(true);
  });

  it('falls back gracefully on a series shorter than two seasons, and notes it', () => {
    const out = f.forecast(request(sine(DAY + 20, { sd: 0.3 })));
    expect(out.mean).toHaveLength(12);
    expect(out.notes?.some((n) => n.includes('shorter than two seasons'))).toBe(true);
  });

  it('handles a very short series (5 values) with a note instead of throwing', () => {
    const out = f.forecast(request([3, 4, 3, 5, 4]));
    expect(out.mean.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(out.notes?.length).toBeGreaterThan(0);
  });

  it('never returns negative values for counts near zero, unless nonNegative is false', () => {
    const y = noise(600, 1, 5).map((e) => Math.max(0, 0.3 + e));
    const out = f.forecast(request(y));
    for (const q of Object.values(out.quantiles)) for (const v of q) expect(v).toBeGreaterThanOrEqual(0);
    const signed = f.forecast(request(noise(600, 1, 5), 12, [0.1, 0.9], { nonNegative: false }));
    expect(Math.min(...signed.quantiles['0.1'])).toBeLessThan(0);
  });

  it('keeps quantiles ordered at every step', () => {
    const out = f.forecast(request(sine(4 * DAY, { sd: 2 }), 24, [0.05, 0.1, 0.5, 0.9, 0.95]));
    for (let h = 0; h < 24; h++) {
      const qs = ['0.05', '0.1', '0.5', '0.9', '0.95'].map((k) => out.quantiles[k][h]);
      for (let i = 1; i < qs.length; i++) expect(qs[i]).toBeGreaterThanOrEqual(qs[i - 1]);
    }
  });

  it('is not dragged by isolated outliers', () => {
    const y = noise(800, 0.5, 9).map((e) => 30 + e);
    for (const i of [200, 400, 650, 790]) y[i] = 300;
    const out = f.forecast(request(y));
    for (const v of out.mean) expect(Math.abs(v - 30)).toBeLessThan(5);
  });

  it('reads at most the last MAX_HISTORY_STEPS values and says so', () => {
    const y = sine(40_000, { sd: 0.5 });
    const out = createForecaster('mstl').forecast(request(y));
    expect(out.notes?.[0]).toBe(`used the last ${MAX_HISTORY_STEPS} of 40000 values`);
    expect(out.originSec).toBe(request(y).startSec + 39_999 * 300);
  });

  it('gives byte-identical output for the same input', () => {
    const y = sine(3 * DAY, { sd: 1, seed: 4 });
    expect(JSON.stringify(f.forecast(request(y)))).toBe(JSON.stringify(createForecaster().forecast(request(y))));
  });

  it('rejects bad requests with an InputError naming the field', () => {
    expect(() => f.forecast(request([1, 2, 3], 0))).toThrow(InputError);
    expect(() => f.forecast(request([NaN, NaN]))).toThrow(/values/);
    expect(() => f.forecast(request([1, 2, 3], 3, [1.2]))).toThrow(/quantiles/);
    expect(() => createForecaster('nope')).toThrow(/model/);
  });
});
