import { describe, expect, it } from 'vitest';
import { createNextStepModel, Markov1Model } from '../../../src/core/predict/index.js';
import { InputError } from '../../../src/core/model/index.js';
import { chainEvents } from './events.js';

describe('first-order Markov next-step model', () => {
  it('gives transition frequencies as probabilities, most likely first', () => {
    const m = createNextStepModel('markov1');
    m.observe(chainEvents({ chainId: 'c1', steps: ['a', 'b', 'c'] }));
    m.observe(chainEvents({ chainId: 'c2', steps: ['a', 'b', 'd'] }));
    m.observe(chainEvents({ chainId: 'c3', steps: ['a', 'b', 'c'] }));
    const p = m.predict({ chainId: 'x', workflow: 'wf', history: ['a', 'b'], nowSec: 0 }, 3);
    expect(p.map((x) => x.taskType)).toEqual(['c', 'd']);
    expect(p[0].probability).toBeCloseTo(2 / 3);
    expect(p[1].probability).toBeCloseTo(1 / 3);
  });

  it('predicts the first step of a chain with no history', () => {
    const m = createNextStepModel('markov1');
    m.observe(chainEvents({ chainId: 'c1', steps: ['a', 'b'] }));
    expect(m.predict({ chainId: 'x', workflow: 'wf', history: [], nowSec: 0 }, 1)[0].taskType).toBe('a');
  });

  it('keeps workflows apart', () => {
    const m = createNextStepModel('markov1');
    m.observe(chainEvents({ chainId: 'c1', workflow: 'w1', steps: ['a', 'b'] }));
    m.observe(chainEvents({ chainId: 'c2', workflow: 'w2', steps: ['a', 'z'] }));
    expect(m.predict({ chainId: 'x', workflow: 'w2', history: ['a'], nowSec: 0 }, 1)[0].taskType).toBe('z');
  });

  it('expects the next start after the observed delay minus the time already elapsed', () => {
    const m = createNextStepModel('markov1');
    for (let i = 0; i < 5; i++) m.observe(chainEvents({ chainId: `c${i}`, steps: ['a', 'b'], gapSec: 100, t0: 1000 * i }));
    const [p] = m.predict({ chainId: 'x', workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: 5000 }, nowSec: 5030 }, 1);
    expect(p.expectedStartInSec).toBeCloseTo(70);
    expect(p.startInSecQuantiles?.p50).toBeCloseTo(70);
  });

  it('uses the running step progress to extrapolate its remaining time', () => {
    const m = createNextStepModel('markov1');
    // b starts 5 s after a finishes.
    for (let i = 0; i < 3; i++) m.observe(chainEvents({ chainId: `c${i}`, steps: ['a', 'b'], gapSec: 105, runtimeSec: 100, t0: 1000 * i }));
    const [p] = m.predict({ chainId: 'x', workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: 5000, intensity: 0.25 }, nowSec: 5020 }, 1);
    // 20 s for 25 % → 60 s remaining, plus the 5 s gap.
    expect(p.expectedStartInSec).toBeCloseTo(65);
  });

  it('counts a retried start of the same task once', () => {
    const m = createNextStepModel('markov1');
    const ev = chainEvents({ chainId: 'c1', steps: ['a', 'b'] });
    m.observe([...ev, { ...ev[0], atSec: ev[ev.length - 1].atSec + 1 }]);
    m.observe(chainEvents({ chainId: 'c2', steps: ['a', 'c'] }));
    const p = m.predict({ chainId: 'x', workflow: 'wf', history: ['a'], nowSec: 0 }, 3);
    expect(p.map((x) => x.probability)).toEqual([0.5, 0.5]);
  });

  it('survives a JSON round trip with identical predictions', () => {
    const m = new Markov1Model();
    m.observe(chainEvents({ chainId: 'c1', steps: ['a', 'b', 'c'] }));
    const ctx = { chainId: 'x', workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: 0 }, nowSec: 3 };
    const restored = Markov1Model.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(restored.predict(ctx, 3)).toEqual(m.predict(ctx, 3));
    expect(() => Markov1Model.fromJSON({ kind: 'other' })).toThrow(InputError);
  });
});

describe('first-order Markov scoring', () => {
  it('scores each transition against the prediction made before learning it', () => {
    const m = new Markov1Model();
    for (let i = 0; i < 10; i++) m.observe(chainEvents({ chainId: `c${i}`, steps: ['a', 'b'], t0: i * 100 }));
    const acc = m.accuracySummary().wf;
    // The very first transition had nothing to predict from; the first a→b was predicted from the
    // order-0 fallback (a) and missed; the other 18 are right.
    expect(acc.predictions).toBe(19);
    expect(acc.top1).toBeCloseTo(18 / 19);
  });
});
