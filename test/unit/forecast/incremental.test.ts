import { describe, expect, it } from 'vitest';
import { fitIncremental, forecastIncremental, updateIncremental } from '../../../src/core/forecast/index.js';
import { DAY, request, sine } from './series-builders.js';

describe('incremental model', () => {
  const y = sine(5 * DAY, { sd: 1, seed: 21 });

  it('round-trips through JSON and forecasts the same', () => {
    const m = fitIncremental(request(y.slice(0, 4 * DAY)));
    const back = JSON.parse(JSON.stringify(m));
    expect(back).toEqual(m);
    expect(forecastIncremental(back, 12, [0.1, 0.9])).toEqual(forecastIncremental(m, 12, [0.1, 0.9]));
  });

  it('after an update, forecasts like a refit on all the data (within 10% of the amplitude)', () => {
    const base = fitIncremental(request(y.slice(0, 4 * DAY)), { refitEverySteps: 10_000 });
    const updated = updateIncremental(base, y.slice(4 * DAY, 4 * DAY + 60));
    expect(updated.stepsSinceRefit).toBe(60);
    const refit = fitIncremental(request(y.slice(0, 4 * DAY + 60)));
    const a = forecastIncremental(updated, 12, [0.5]).mean;
    const b = forecastIncremental(refit, 12, [0.5]).mean;
    for (let h = 0; h < 12; h++) expect(Math.abs(a[h] - b[h])).toBeLessThan(1);
    // Both follow the sine's continuation.
    const t = 4 * DAY + 60;
    for (let h = 0; h < 12; h++) expect(Math.abs(a[h] - (50 + 10 * Math.sin((2 * Math.PI * (t + h)) / DAY)))).toBeLessThan(3);
  });

  it('keeps the forecast timestamps moving with the new data', () => {
    const base = fitIncremental(request(y.slice(0, 4 * DAY)));
    const updated = updateIncremental(base, [50, 51, NaN]);
    expect(forecastIncremental(updated, 1, [0.5]).originSec).toBe(forecastIncremental(base, 1, [0.5]).originSec + 3 * 300);
  });

  it('refits on schedule and keeps its window bounded', () => {
    let m = fitIncremental(request(y.slice(0, 2 * DAY)), { refitEverySteps: 100, windowSteps: 3 * DAY });
    m = updateIncremental(m, y.slice(2 * DAY, 2 * DAY + 99));
    expect(m.stepsSinceRefit).toBe(99);
    m = updateIncremental(m, y.slice(2 * DAY + 99, 3 * DAY + 150));
    expect(m.stepsSinceRefit).toBe(0);
    expect(m.notes[0]).toMatch(/refitted/);
    expect(m.window.length).toBe(3 * DAY);
  });
});
