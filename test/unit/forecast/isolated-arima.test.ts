import { describe, expect, it } from 'vitest';
import { IsolatedArimaEngine } from '../../../src/adapters/forecast/isolated-arima.js';
import { createForecaster } from '../../../src/core/forecast/index.js';
import { request, sine } from './series-builders.js';

describe('isolated ARIMA engine', () => {
  const series = Array.from({ length: 300 }, (_, i) => Math.sin(i / 5) + i * 0.01);

  it('recovers after the package crashes on a long input', () => {
    const engine = new IsolatedArimaEngine();
    const before = engine.fitPredict(series, { p: 2, d: 1, q: 1 }, 3);
    const long = Array.from({ length: 30_000 }, (_, i) => Math.sin(i / 5) + Math.cos(i * 0.37));
    expect(() => engine.fitPredict(long, { p: 2, d: 1, q: 1 }, 3)).toThrow();
    expect(engine.instancesLoaded).toBe(2);
    const after = engine.fitPredict(series, { p: 2, d: 1, q: 1 }, 3);
    expect(after.mean).toEqual(before.mean);
    expect(after.variance.every((v) => v >= 0)).toBe(true);
  });

  it('returns variances that grow with the horizon (not standard errors of one step)', () => {
    const r = new IsolatedArimaEngine().fitPredict(series, { p: 1, d: 1, q: 1 }, 6);
    for (let h = 1; h < 6; h++) expect(r.variance[h]).toBeGreaterThanOrEqual(r.variance[h - 1]);
  });

  it('lets the arima model fall back to naive with a note when every fit fails', () => {
    const failing = { fitPredict: () => { throw new Error('boom'); } };
    const out = createForecaster('arima', { arimaEngine: failing }).forecast(request(sine(700, { sd: 1 })));
    expect(out.model).toMatch(/naive/);
    expect(out.notes?.join(' ')).toMatch(/boom/);
  });
});
