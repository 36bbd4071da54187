import { describe, expect, it } from 'vitest';
import { detectSeasonality } from '../../../src/core/forecast/index.js';
import { DAY, noise, sine } from './series-builders.js';

describe('detectSeasonality', () => {
  it('finds a daily cycle in 5-minute data', () => {
    expect(detectSeasonality(sine(4 * DAY, { sd: 3 }), 300).periods).toEqual([DAY]);
  });

  it('finds daily and weekly cycles in 30-minute data', () => {
    const n = 48 * 7 * 3;
    const y = Array.from({ length: n }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / 48) + 15 * (Math.floor(t / 48) % 7 >= 5 ? -1 : 0.4));
    expect(detectSeasonality(y, 1800).periods).toEqual([48, 336]);
  });

  it('finds nothing in white noise', () => {
    expect(detectSeasonality(noise(4 * DAY, 1, 3), 300).periods).toEqual([]);
  });

  it('needs two full seasons', () => {
    expect(detectSeasonality(sine(DAY + 100), 300).periods).toEqual([]);
  });

  it('finds nothing when a day is not a whole number of steps', () => {
    expect(detectSeasonality(sine(2000), 7).periods).toEqual([]);
  });
});
