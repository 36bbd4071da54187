/**
 * The Forecaster interface's fit / update / predict: a one-shot model slides its window and refits
 * at predict; the incremental model absorbs new periods without a refit (the tick's incremental mode
 * goes through these, core/tick/forecast.ts).
 */
import { describe, expect, it } from 'vitest';
import { createForecaster, createIncrementalForecaster, fitIncremental, forecastIncremental, updateIncremental } from '../../../src/core/forecast/index.js';

const P = 300;
const T0 = 1_700_000_000 - (1_700_000_000 % P);
const wave = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => 100 + 30 * Math.sin((2 * Math.PI * (i + from)) / 288));
const req = (values: number[]) => ({ seriesId: 's', values, startSec: T0, periodSec: P, horizon: 12, quantiles: [0.5, 0.9] });

describe('Forecaster fit / update / predict', () => {
  it('a one-shot model: predict(fit(r)) is forecast(r), and update slides the window by the new periods', () => {
    const f = createForecaster('seasonal-naive');
    const values = wave(3 * 288);
    const st = f.fit(req(values));
    expect(st.nextSec).toBe(T0 + values.length * P);
    expect(f.predict(st, 12, [0.5, 0.9])).toEqual(f.forecast(req(values)));
    const more = wave(6, values.length);
    const next = f.update(st, more);
    expect(next.nextSec).toBe(st.nextSec + 6 * P);
    const slid = { ...req([...values.slice(6), ...more]), startSec: T0 + 6 * P };
    expect(f.predict(next, 12, [0.5, 0.9])).toEqual(f.forecast(slid));
  });

  it('the incremental model: fit, update and predict are fitIncremental, updateIncremental and forecastIncremental', () => {
    const f = createIncrementalForecaster({ refitEverySteps: Number.MAX_SAFE_INTEGER });
    const values = wave(3 * 288);
    const more = wave(6, values.length);
    const st = f.update(f.fit(req(values)), more);
    const m = updateIncremental(fitIncremental(req(values), { refitEverySteps: Number.MAX_SAFE_INTEGER, calibrationHorizon: 12 }), more);
    expect(st.nextSec).toBe(T0 + (values.length + 6) * P);
    expect(f.predict(st, 12, [0.5, 0.9])).toEqual(forecastIncremental(m, 12, [0.5, 0.9]));
    expect(f.predict(st, 12, [0.5]).model).toMatch(/^incremental:/);
  });
});
