import { describe, expect, it } from 'vitest';
import { frequentPaths, mineBundles } from '../../../src/core/predict/index.js';
import { InputError } from '../../../src/core/model/index.js';
import { chainEvents } from './events.js';

const chains = (n: number, steps: (i: number) => string[], gapSec = 10) =>
  Array.from({ length: n }, (_, i) => chainEvents({ chainId: `c${i}`, steps: steps(i), gapSec, t0: 1000 * i })).flat();

describe('mining frequent paths and bundles', () => {
  it('finds common sequences with their support, collapsing fan-outs of one type', () => {
    const ev = chains(4, (i) => (i < 3 ? ['split', 'map', 'map', 'map', 'merge'] : ['split', 'other']));
    const paths = frequentPaths(ev, { minSupport: 0.5, maxLength: 3 });
    expect(paths[0]).toMatchObject({ workflow: 'wf', path: ['split', 'map', 'merge'], chains: 3, support: 0.75 });
    expect(paths.some((p) => p.path.join() === 'map,map')).toBe(false);
    expect(paths.some((p) => p.path.includes('other'))).toBe(false);
  });

  it('bundles the steps that always follow a root soon after it', () => {
    const ev = chains(5, (i) => ['load', 'clean', 'index', i % 2 ? 'report' : 'email']);
    const bundles = mineBundles(ev, { minConfidence: 0.95, maxLagSec: 60 });
    const load = bundles.find((b) => b.root === 'load')!;
    expect(load.members).toEqual(['clean', 'index']);
    expect(load.confidence).toBe(1);
    expect(load.medianLagSec).toEqual([10, 20]);
  });

  it('leaves out members that start later than the lag limit', () => {
    const ev = chains(5, () => ['load', 'clean', 'index'], 400);
    const load = mineBundles(ev, { maxLagSec: 600 }).find((b) => b.root === 'load')!;
    expect(load.members).toEqual(['clean']);
  });

  it('rejects shares outside 0..1', () => {
    expect(() => frequentPaths([], { minSupport: 1.5 })).toThrow(InputError);
    expect(() => mineBundles([], { minConfidence: -1 })).toThrow(InputError);
  });
});
