import { describe, expect, it } from 'vitest';
import { ArrivalRateModel, arrivalForecastError, poissonQuantile, workflowProbabilities } from '../../../src/core/predict/arrival-rate.js';
import { VariantChoiceModel } from '../../../src/core/predict/behaviour-model.js';
import { createRandom, drawExponential } from '../../../src/core/rng.js';

const DAY = 86_400;

/** Poisson arrivals of `workflow` at `ratePerHour(t)` (thinning), seeded. */
function arrivals(seed: number, days: number, workflow: string, ratePerHour: (t: number) => number, maxPerHour: number): Array<{ principal: string; workflow: string; atSec: number }> {
  const rng = createRandom(seed);
  const out: Array<{ principal: string; workflow: string; atSec: number }> = [];
  for (let t = drawExponential(rng, maxPerHour / 3600); t < days * DAY; t += drawExponential(rng, maxPerHour / 3600)) {
    if (rng.next() * maxPerHour <= ratePerHour(t)) out.push({ principal: 'alice', workflow, atSec: Math.round(t) });
  }
  return out;
}

describe('the arrival-rate model', () => {
  it('inverts the Poisson CDF', () => {
    expect(poissonQuantile(0, 0.9)).toBe(0);
    expect(poissonQuantile(1, 0.5)).toBe(1);
    expect(poissonQuantile(10, 0.9)).toBe(14);
    expect(poissonQuantile(10, 0.1)).toBe(6);
    expect(poissonQuantile(1000, 0.5)).toBe(1000);
  });

  it('learns a daily profile: forecasts more in the busy hour than in the quiet one', () => {
    const busy = (t: number): number => ((t % DAY) / 3600 >= 9 && (t % DAY) / 3600 < 17 ? 60 : 6);
    const m = new ArrivalRateModel();
    for (const a of arrivals(1, 7, 'etl', busy, 60)) m.observe(a, a.atSec);
    const key = { principal: 'alice', workflow: 'etl' };
    const at10 = m.forecastKey(key, 7 * DAY + 10 * 3600, 900);
    const at3 = m.forecastKey(key, 7 * DAY + 3 * 3600, 900);
    expect(at10.mean).toBeGreaterThan(10);
    expect(at10.mean).toBeLessThan(20);
    expect(at3.mean).toBeLessThan(3);
    expect(at10.quantiles.p10).toBeLessThanOrEqual(at10.quantiles.p50);
    expect(at10.quantiles.p50).toBeLessThanOrEqual(at10.quantiles.p90);
    expect(m.forecastKey({ principal: 'bob', workflow: 'etl' }, 7 * DAY, 900).mean).toBe(0);
  });

  it('follows recent activity before it has a day of history', () => {
    const m = new ArrivalRateModel();
    for (let t = 0; t < 3600; t += 30) m.observe({ principal: 'p', workflow: 'w' }, t);
    // two arrivals a minute: about 30 in the next 15 minutes
    const f = m.forecastKey({ principal: 'p', workflow: 'w' }, 3600, 900);
    expect(f.mean).toBeGreaterThan(20);
    expect(f.mean).toBeLessThan(35);
  });

  it('rejects arrivals out of time order', () => {
    const m = new ArrivalRateModel();
    m.observe({ principal: 'p', workflow: 'w' }, 100);
    expect(() => m.observe({ principal: 'p', workflow: 'w' }, 50)).toThrow(/time order/);
  });

  it('beats the naive forecast on a seasonal stream (MASE < 1) and covers about 80% in its p10–p90 band', () => {
    const busy = (t: number): number => 20 + 40 * Math.max(0, Math.sin((2 * Math.PI * (t % DAY)) / DAY));
    const stream = arrivals(7, 10, 'etl', busy, 60);
    const [e] = arrivalForecastError(stream, 900, 3 * DAY);
    expect(e.workflow).toBe('etl');
    expect(e.origins).toBeGreaterThan(600);
    expect(e.mase).toBeLessThan(1);
    expect(e.coverage80).toBeGreaterThan(0.7);
  });

  it('gives each workflow of a principal its share of the expected arrivals', () => {
    const fc = [
      { principal: 'a', workflow: 'x', fromSec: 0, horizonSec: 900, mean: 3, quantiles: { p10: 1, p50: 3, p90: 5 } },
      { principal: 'a', workflow: 'y', fromSec: 0, horizonSec: 900, mean: 1, quantiles: { p10: 0, p50: 1, p90: 2 } },
      { principal: 'b', workflow: 'x', fromSec: 0, horizonSec: 900, mean: 0, quantiles: { p10: 0, p50: 0, p90: 0 } },
    ];
    expect(workflowProbabilities(fc, 'a')).toEqual({ x: 0.75, y: 0.25 });
    expect(workflowProbabilities(fc, 'b')).toEqual({ x: 1 });
    expect(workflowProbabilities(fc, 'c')).toEqual({});
  });
});

describe('the variant choices the composer reads', () => {
  it('learns which variant a principal\'s chains run, add-one smoothed, and knows nothing of other principals', () => {
    const m = new VariantChoiceModel();
    for (let k = 0; k < 8; k++) m.observe('alice', 'etl', 'spot');
    expect(m.probabilities('alice', 'etl', ['spot', 'on-demand'])).toEqual({ spot: 0.9, 'on-demand': 0.1 });
    expect(m.probabilities('bob', 'etl', ['spot', 'on-demand'])).toEqual({ spot: 0.5, 'on-demand': 0.5 });
    expect(m.probabilities('alice', 'etl', ['spot', 'on-demand'], { spot: 0.5, 'on-demand': 0.5 }).spot).toBeCloseTo(0.7, 10);
    expect(m.observed('alice', 'etl')).toBe(8);
    expect(JSON.parse(JSON.stringify(m.counts))).toEqual(m.counts);
  });
});
