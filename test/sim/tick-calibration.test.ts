/**
 * The tick's online recalibration of demand quantiles from its own forecast errors.
 */
import { describe, expect, it } from 'vitest';
import type { Forecast } from '../../src/core/model/index.js';
import { CALIBRATION_MIN_SCORES, QuantileCalibrator, empiricalQuantile } from '../../src/core/tick/calibration.js';
import { forecastAt } from '../../src/core/model/forecast.js';
import { createRandom } from '../../src/core/rng.js';

/** A flat forecast at `median` with q0.9 and q0.95 `spread` and 1.3 × `spread` above it. */
const flat = (median: number, spread: number): Forecast => ({
  seriesId: 's', model: 'test', originSec: 0, periodSec: 300, mean: [median, median],
  quantiles: { '0.5': [median, median], '0.9': [median + spread, median + spread], '0.95': [median + 1.3 * spread, median + 1.3 * spread] },
});

/** Feeds `n` observations of median + uniform noise in [-noise, noise]. */
function feed(c: QuantileCalibrator, f: Forecast, n: number, noise: number): void {
  const rng = createRandom(11);
  for (let i = 0; i < n; i++) c.observe('s', f, 60 * i, 100 + (2 * rng.next() - 1) * noise);
}

describe('tick quantile recalibration', () => {
  it('uses the forecast own quantiles until enough errors are scored', () => {
    const c = new QuantileCalibrator();
    const f = flat(100, 50);
    feed(c, f, CALIBRATION_MIN_SCORES - 1, 1);
    expect(c.quantile('s', f, 0.95, 300)).toBe(forecastAt(f, 0.95, 300));
  });

  it('narrows an interval far wider than the observed errors', () => {
    const c = new QuantileCalibrator();
    const f = flat(100, 50);
    feed(c, f, 500, 2);
    const q95 = c.quantile('s', f, 0.95, 300);
    // errors within ±2: the 95% quantile sits near median + 1.8, not at the model's 165
    expect(q95).toBeGreaterThan(101);
    expect(q95).toBeLessThan(102.5);
  });

  it('widens an interval narrower than the observed errors', () => {
    const c = new QuantileCalibrator();
    const f = flat(100, 1);
    feed(c, f, 500, 20);
    expect(c.quantile('s', f, 0.95, 300)).toBeGreaterThan(115);
    expect(c.quantile('s', f, 0.05, 300)).toBeLessThan(85);
  });

  it('takes the conformal rank ceil((n + 1) level) of sorted scores', () => {
    const sorted = Array.from({ length: 19 }, (_, i) => i + 1);
    expect(empiricalQuantile(sorted, 0.95)).toBe(19);
    expect(empiricalQuantile(sorted, 0.5)).toBe(10);
    expect(empiricalQuantile(sorted, 0.01)).toBe(1);
  });
});
