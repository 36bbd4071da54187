import { describe, expect, it } from 'vitest';
import { createForecaster, FORECASTER_NAMES } from '../../../src/core/forecast/index.js';
import { DAY, mae, noise, request, sine, truthSine } from './series-builders.js';

const MODELS = FORECASTER_NAMES;

describe.each(MODELS)('%s on series with known structure', (name) => {
  const f = createForecaster(name);

  it('forecasts a constant series as that constant with a narrow interval', () => {
    const out = f.forecast(request(new Array(600).fill(42)));
    for (const v of out.mean) expect(v).toBeCloseTo(42, 6);
    for (let h = 0; h < 12; h++) expect(out.quantiles['0.9'][h] - out.quantiles['0.1'][h]).toBeLessThan(1e-6);
  });

  it('follows a pure daily sine (3 days of 5-minute steps) within 5% of its amplitude', () => {
    const n = 3 * DAY + 37;
    const out = f.forecast(request(sine(n, { amp: 10 })));
    expect(mae(out.mean, truthSine(n, 12, { amp: 10 }))).toBeLessThan(name === 'seasonal-naive' ? 1e-9 : 0.5);
  });

  it('forecasts white noise around its mean with an interval about as wide as the noise', () => {
    const y = noise(1000, 1, 7).map((e) => 100 + e);
    const out = f.forecast(request(y));
    for (const v of out.mean) expect(Math.abs(v - 100)).toBeLessThan(name === 'seasonal-naive' ? 4 : 1.2);
    const width = out.quantiles['0.9'][5] - out.quantiles['0.1'][5];
    // 80% of N(0,1) is 2.56 wide; seasonal naive's errors are differences of two draws (sqrt(2) wider).
    expect(width).toBeGreaterThan(1.5);
    expect(width).toBeLessThan(6);
  });

  it('extends a linear trend', () => {
    const n = 800;
    const y = noise(n, 0.2, 3).map((e, t) => 10 + 0.05 * t + e);
    const out = f.forecast(request(y));
    const truth = Array.from({ length: 12 }, (_, k) => 10 + 0.05 * (n + k));
    // Seasonal naive repeats the day before, so it lags the trend by one day of slope (288 × 0.05).
    if (name === 'seasonal-naive') expect(Math.abs(mae(out.mean, truth) - 0.05 * DAY)).toBeLessThan(1);
    // The robust median is a local-level model: it lags a trend by about half its window (12) plus
    // the mean horizon (6.5) steps of slope, ≈ 0.6, and must not do worse than that.
    else if (name === 'robust') expect(mae(out.mean, truth)).toBeLessThan(0.05 * 12.5 + 0.1);
    else expect(mae(out.mean, truth)).toBeLessThan(0.5);
  });

  it('moves to the new level after a level shift', () => {
    const y = noise(900, 0.5, 11).map((e, t) => (t < 700 ? 20 : 60) + e);
    const out = f.forecast(request(y));
    // Seasonal naive repeats the day before the last 12 steps, which is before the shift (t < 700).
    const level = name === 'seasonal-naive' ? 20 : 60;
    for (const v of out.mean) expect(Math.abs(v - level)).toBeLessThan(name === 'prophet' ? 8 : 3);
  });
});

