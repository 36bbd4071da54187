import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/rng.js';

describe('createRandom', () => {
  it('gives the same sequence for the same seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    const ys = Array.from({ length: 100 }, () => b.next());
    expect(xs).toEqual(ys);
  });

  it('gives different sequences for different seeds and for different fork labels', () => {
    const a = createRandom(1);
    const b = createRandom(2);
    expect(a.next()).not.toEqual(b.next());
    const root = createRandom(7);
    expect(root.fork('spot').next()).not.toEqual(root.fork('launch').next());
    expect(createRandom(7).fork('spot').next()).toEqual(createRandom(7).fork('spot').next());
  });

  it('draws uniformly in [0, 1)', () => {
    const r = createRandom(123);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
  });
});
