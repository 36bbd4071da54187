import { describe, expect, it } from 'vitest';
import { detectSeasonality } from '../../../src/core/forecast/index.js';
import { createMstlModel } from '../../../src/core/forecast/models/mstl-model.js';
import { createProphetModel } from '../../../src/core/forecast/models/prophet.js';
import { modelForecaster } from '../../../src/core/forecast/forecaster.js';
import { mae, noise, START_SEC } from './series-builders.js';

describe('Prophet-style model', () => {
  it('learns a holiday effect and applies it inside a future holiday window', () => {
    const periodSec = 3600;
    const n = 24 * 21;
    // +30 during hours 10-14 of days 3, 10, 17 (and day 21, the forecast day)
    const holidays = [3, 10, 17, 21].map((d) => ({ name: 'promo', startSec: START_SEC + (d * 24 + 10) * periodSec, endSec: START_SEC + (d * 24 + 15) * periodSec }));
    const promo = (tSec: number): boolean => holidays.some((h) => tSec >= h.startSec && tSec < h.endSec);
    const e = noise(n, 0.5, 2);
    const values = Array.from({ length: n }, (_, i) => 100 + e[i] + (promo(START_SEC + i * periodSec) ? 30 : 0));
    const model = createProphetModel({ holidays });
    const out = modelForecaster(model).forecast({ seriesId: 'p', values, startSec: START_SEC, periodSec, horizon: 16, quantiles: [0.5] });
    // steps 11..15 are hours 10..14 of day 21
    for (let h = 0; h < 16; h++) {
      const inPromo = h >= 10 && h < 15;
      expect(Math.abs(out.mean[h] - (inPromo ? 130 : 100))).toBeLessThan(4);
    }
  });

  it('uses extra regressors known over the horizon', () => {
    const periodSec = 3600;
    const n = 24 * 10;
    const load = (t: number): number => ((t / periodSec) % 5) * 2;
    const values = Array.from({ length: n }, (_, i) => 40 + 3 * load(START_SEC + i * periodSec));
    const out = modelForecaster(createProphetModel({ regressors: [load] })).forecast({ seriesId: 'r', values, startSec: START_SEC, periodSec, horizon: 5, quantiles: [0.5] });
    for (let h = 0; h < 5; h++) expect(out.mean[h]).toBeCloseTo(40 + 3 * load(START_SEC + (n + h) * periodSec), 0);
  });

  it('captures daily and weekly Fourier seasonality', () => {
    const periodSec = 1800;
    const n = 48 * 7 * 3;
    const f = (i: number): number => 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + 5 * Math.cos((2 * Math.PI * i) / 336);
    const values = Array.from({ length: n }, (_, i) => f(i));
    const out = modelForecaster(createProphetModel({ maxInput: n })).forecast({ seriesId: 'p', values, startSec: START_SEC, periodSec, horizon: 48, quantiles: [0.5] });
    expect(out.model).toMatch(/daily6,weekly3/);
    expect(mae(out.mean, Array.from({ length: 48 }, (_, k) => f(n + k)))).toBeLessThan(0.5);
  });
});

describe('MSTL model on 1-minute data', () => {
  it('detects the 1440-step day and forecasts through it', () => {
    const n = 3 * 1440;
    const e = noise(n, 0.3, 8);
    const f = (i: number): number => 20 + 8 * Math.sin((2 * Math.PI * i) / 1440);
    const values = Array.from({ length: n }, (_, i) => f(i) + e[i]);
    expect(detectSeasonality(values, 60).periods).toEqual([1440]);
    const out = modelForecaster(createMstlModel()).forecast({ seriesId: 'm', values, startSec: START_SEC, periodSec: 60, horizon: 60, quantiles: [0.1, 0.9] });
    expect(out.model).toMatch(/mstl\(1440\)/);
    expect(mae(out.mean, Array.from({ length: 60 }, (_, k) => f(n + k)))).toBeLessThan(0.5);
  });
});
