import { describe, expect, it } from 'vitest';
import { createNextStepModel, restoreNextStepModel, VomModel, hourOfWeek } from '../../../src/core/predict/index.js';
import { InputError } from '../../../src/core/model/index.js';
import { chainEvents } from './events.js';

const DAY = 86_400;
const ctx = (history: string[], extra: Record<string, unknown> = {}) => ({ chainId: 'q', workflow: 'wf', history, nowSec: 1_000_000, ...extra });

describe('variable-order Markov next-step model', () => {
  it('uses a longer context where the last step alone is ambiguous', () => {
    const vom = createNextStepModel('vom', { contexts: [] });
    const m1 = createNextStepModel('markov1');
    for (let i = 0; i < 10; i++) {
      const ev = chainEvents({ chainId: `c${i}`, steps: i % 2 ? ['a', 'x', 'b'] : ['c', 'x', 'd'], t0: 1_000_000 + i });
      vom.observe(ev);
      m1.observe(ev);
    }
    const v = vom.predict(ctx(['a', 'x']), 2);
    expect(v[0].taskType).toBe('b');
    expect(v[0].probability).toBeGreaterThan(0.8);
    expect(m1.predict(ctx(['a', 'x']), 2)[0].probability).toBeCloseTo(0.5);
  });

  it('backs off to shorter contexts for a history never seen', () => {
    const vom = createNextStepModel('vom', { contexts: [] });
    for (let i = 0; i < 5; i++) vom.observe(chainEvents({ chainId: `c${i}`, steps: ['a', 'x', 'b'] }));
    expect(vom.predict(ctx(['zzz', 'q', 'x']), 1)[0].taskType).toBe('b');
  });

  it('predicts from prefetch_weight priors before any history', () => {
    const vom = createNextStepModel('vom', { priors: { wf: { load: 0.9, audit: 0.1 } } });
    const p = vom.predict(ctx([]), 2);
    expect(p.map((x) => x.taskType)).toEqual(['load', 'audit']);
    expect(p[0].probability).toBeCloseTo(0.9);
  });

  it('lets recent evidence outweigh older evidence with exponential decay', () => {
    const vom = createNextStepModel('vom', { contexts: [], halfLifeSec: DAY });
    for (let i = 0; i < 8; i++) vom.observe(chainEvents({ chainId: `old${i}`, steps: ['a', 'b'], t0: 1_000_000 + i * 100 }));
    for (let i = 0; i < 3; i++) vom.observe(chainEvents({ chainId: `new${i}`, steps: ['a', 'c'], t0: 1_000_000 + 10 * DAY + i * 100 }));
    expect(vom.predict(ctx(['a'], { nowSec: 1_000_000 + 10 * DAY + 1000 }), 1)[0].taskType).toBe('c');
    const noDecay = createNextStepModel('vom', { contexts: [], halfLifeSec: null });
    for (let i = 0; i < 8; i++) noDecay.observe(chainEvents({ chainId: `old${i}`, steps: ['a', 'b'], t0: 1_000_000 + i * 100 }));
    for (let i = 0; i < 3; i++) noDecay.observe(chainEvents({ chainId: `new${i}`, steps: ['a', 'c'], t0: 1_000_000 + 10 * DAY + i * 100 }));
    expect(noDecay.predict(ctx(['a'], { nowSec: 1_000_000 + 10 * DAY + 1000 }), 1)[0].taskType).toBe('b');
  });

  it('learns that the principal context predicts better and raises its weight', () => {
    const vom = new VomModel({ contexts: ['principal', 'hourOfWeek'] });
    for (let i = 0; i < 40; i++) {
      const principal = i % 2 ? 'alice' : 'bob';
      vom.observe(chainEvents({ chainId: `c${i}`, principal, steps: ['a', principal === 'alice' ? 'b' : 'c'], t0: 1_000_000 + i * 3600 }));
    }
    expect(vom.predict(ctx(['a'], { principal: 'bob' }), 1)[0].taskType).toBe('c');
    expect(vom.predict(ctx(['a'], { principal: 'alice' }), 1)[0].taskType).toBe('b');
    const w = vom.contextWeights('wf');
    expect(w.principal).toBeGreaterThan(w.global);
    expect(w.principal).toBeGreaterThan(w.hourOfWeek);
  });

  it('scores every prediction when the truth arrives (top-1, top-3, Brier per workflow)', () => {
    const vom = new VomModel({ contexts: [] });
    for (let i = 0; i < 20; i++) vom.observe(chainEvents({ chainId: `c${i}`, steps: ['a', 'b', 'c'], t0: 1_000_000 + i }));
    const acc = vom.accuracySummary();
    expect(acc.wf.predictions).toBeGreaterThan(50);
    expect(acc.wf.top1).toBeGreaterThan(0.9);
    expect(acc.wf.top3).toBeGreaterThanOrEqual(acc.wf.top1);
    expect(acc.wf.brier).toBeGreaterThan(0);
    expect(acc.wf.brier).toBeLessThan(0.2);
    expect(acc['*'].predictions).toBe(acc.wf.predictions);
  });

  it('returns probabilities that sum to at most 1', () => {
    const vom = createNextStepModel('vom');
    for (let i = 0; i < 6; i++) vom.observe(chainEvents({ chainId: `c${i}`, steps: ['a', ['b', 'c', 'd'][i % 3], 'e'], principal: `p${i % 2}` }));
    const total = vom.predict(ctx(['a'], { principal: 'p1' }), 10).reduce((s, p) => s + p.probability, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-9);
    expect(total).toBeGreaterThan(0.99);
  });

  it('survives a JSON round trip with identical predictions', () => {
    const vom = new VomModel({ halfLifeSec: 7 * DAY });
    for (let i = 0; i < 5; i++) vom.observe(chainEvents({ chainId: `c${i}`, steps: ['a', 'x', i % 2 ? 'b' : 'c'], principal: 'p', channel: 'web' }));
    const restored = restoreNextStepModel(JSON.parse(JSON.stringify(vom.toJSON())));
    const c = ctx(['a', 'x'], { principal: 'p', channel: 'web', running: { taskType: 'x', startedAtSec: 999_990 } });
    expect(restored.predict(c, 3)).toEqual(vom.predict(c, 3));
    expect(() => restoreNextStepModel({ kind: 'nope' })).toThrow(InputError);
  });

  it('rejects options out of range with an InputError', () => {
    expect(() => createNextStepModel('vom', { maxOrder: 0 })).toThrow(InputError);
  });

  it('numbers hours of the week from Monday 00:00 UTC', () => {
    expect(hourOfWeek(Date.UTC(2024, 0, 1, 0) / 1000)).toBe(0); // a Monday
    expect(hourOfWeek(Date.UTC(2024, 0, 7, 23) / 1000)).toBe(167);
  });
});

describe('variable-order model contexts from the chain state', () => {
  it('uses the most recently finished step to pick between parallel branches', () => {
    // Two branches run in parallel: whichever of p/q finishes first, its successor starts next.
    const vom = new VomModel({ contexts: ['lastFinished'] });
    for (let i = 0; i < 30; i++) {
      const t0 = 1_000_000 + i * 1000;
      const pFirst = i % 2 === 0;
      const ev = [
        { chainId: `c${i}`, workflow: 'wf', taskId: 'p', taskType: 'p', kind: 'started' as const, atSec: t0 },
        { chainId: `c${i}`, workflow: 'wf', taskId: 'q', taskType: 'q', kind: 'started' as const, atSec: t0 + 1 },
        { chainId: `c${i}`, workflow: 'wf', taskId: 'p', taskType: 'p', kind: 'finished' as const, atSec: t0 + (pFirst ? 10 : 20) },
        { chainId: `c${i}`, workflow: 'wf', taskId: 'q', taskType: 'q', kind: 'finished' as const, atSec: t0 + (pFirst ? 20 : 10) },
        { chainId: `c${i}`, workflow: 'wf', taskId: 'p2', taskType: 'after-p', kind: 'started' as const, atSec: t0 + (pFirst ? 11 : 21) },
        { chainId: `c${i}`, workflow: 'wf', taskId: 'q2', taskType: 'after-q', kind: 'started' as const, atSec: t0 + (pFirst ? 21 : 11) },
      ];
      vom.observe(ev);
    }
    const c = { chainId: 'x', workflow: 'wf', history: ['p', 'q'], nowSec: 2_000_000 };
    expect(vom.predict({ ...c, lastFinished: 'q' }, 1)[0].taskType).toBe('after-q');
    expect(vom.predict({ ...c, lastFinished: 'p' }, 1)[0].taskType).toBe('after-p');
    expect(vom.contextWeights('wf').lastFinished).toBeGreaterThan(vom.contextWeights('wf').global);
  });

  it('continues open chains after a JSON round trip', () => {
    const vom = new VomModel({ contexts: [] });
    const ev = chainEvents({ chainId: 'c1', steps: ['a', 'x', 'b'] });
    const started = ev.filter((e) => e.kind === 'started');
    vom.observe(ev.filter((e) => e.atSec < started[2].atSec));
    const restored = VomModel.fromJSON(JSON.parse(JSON.stringify(vom.toJSON())));
    restored.observe(ev.filter((e) => e.atSec >= started[2].atSec));
    expect(restored.predict({ chainId: 'q', workflow: 'wf', history: ['a', 'x'], nowSec: 2_000_000 }, 1)[0].taskType).toBe('b');
    expect(restored.predict({ chainId: 'q', workflow: 'wf', history: [], nowSec: 2_000_000 }, 1)[0].taskType).toBe('a');
  });
});
