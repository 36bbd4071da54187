import { describe, expect, it } from 'vitest';
import { rollingOriginEvaluate } from '../../../src/core/forecast/evaluate.js';
import { createForecaster } from '../../../src/core/forecast/index.js';
import { createRandom, drawNormal } from '../../../src/core/rng.js';
import { DAY, PERIOD_SEC, START_SEC } from './series-builders.js';

/** AR(1) (phi = 0.7) noise on a daily cycle: the kind of structure CPU metrics show. */
function simulate(n: number, seed: number): number[] {
  const rng = createRandom(seed);
  let e = 0;
  return Array.from({ length: n }, (_, t) => {
    e = 0.7 * e + drawNormal(rng);
    return 40 + 8 * Math.sin((2 * Math.PI * t) / DAY) + e;
  });
}

describe('interval coverage on simulated data', () => {
  it('covers about 80% of held-out values with the stated 80% interval', () => {
    let inside = 0;
    let total = 0;
    for (const seed of [1, 2, 3, 4]) {
      const values = simulate(4 * DAY, seed);
      const score = rollingOriginEvaluate(
        createForecaster('ensemble'),
        { id: `sim${seed}`, values, startSec: START_SEC, periodSec: PERIOD_SEC },
        { horizon: 12, origins: 5, maxTrainSteps: 14 * DAY, seasonSteps: DAY, level: 0.8 },
      );
      inside += score.coverage * 60;
      total += 60;
    }
    const coverage = inside / total;
    expect(coverage).toBeGreaterThan(0.68);
    expect(coverage).toBeLessThan(0.93);
  });

  it('covers about 95% with the stated 95% interval', () => {
    let inside = 0;
    for (const seed of [5, 6, 7, 8]) {
      const values = simulate(4 * DAY, seed);
      const score = rollingOriginEvaluate(
        createForecaster('ensemble'),
        { id: `sim${seed}`, values, startSec: START_SEC, periodSec: PERIOD_SEC },
        { horizon: 12, origins: 5, maxTrainSteps: 14 * DAY, seasonSteps: DAY, level: 0.95 },
      );
      inside += score.coverage;
    }
    expect(inside / 4).toBeGreaterThan(0.86);
  });
});
