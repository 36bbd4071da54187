import { describe, expect, it } from 'vitest';
import { BundleBook, feasibleBundles, FeedbackModel, restoreNextStepModel, createLearningNextStepModel, type ChainContext, type NextStepModel, type NextStepPrediction } from '../../../src/core/predict/index.js';
import { InputError, type ExecutionEvent } from '../../../src/core/model/index.js';
import { chainEvents } from './events.js';

/** A model that always says `b` with 0.9 and `c` with 0.1, starting in 10 s. */
class FixedModel implements NextStepModel {
  readonly name = 'fixed';
  observed = 0;
  observe(events: readonly ExecutionEvent[]): void { this.observed += events.length; }
  predict(_ctx: ChainContext, topN: number): NextStepPrediction[] {
    return [{ taskType: 'b', probability: 0.9, expectedStartInSec: 10 }, { taskType: 'c', probability: 0.1, expectedStartInSec: 10 }].slice(0, topN);
  }
  toJSON(): unknown { return { kind: 'markov1-like' }; }
}

const ctx = (chainId: string, nowSec: number): ChainContext => ({ chainId, workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: nowSec }, nowSec });
const started = (chainId: string, taskType: string, atSec: number): ExecutionEvent => ({ chainId, workflow: 'wf', taskId: `${chainId}-${taskType}`, taskType, kind: 'started', atSec });

describe('prediction-outcome feedback', () => {
  it('scores each predicted step when the chain\'s next step starts: came true or not, and how late', () => {
    const inner = new FixedModel();
    const m = new FeedbackModel(inner, { calibrate: false });
    m.predict(ctx('k1', 100), 2);
    m.observe([started('k1', 'b', 125)]);
    const s = m.summary(1);
    expect(s).toMatchObject({ outcomes: 2, cameTrue: 1, expired: 0, calibrated: false });
    expect(s.latenessSec).toMatchObject({ n: 1, p50: 15 });
    // 0.9 came true, 0.1 did not
    expect(s.reliability.brier).toBeCloseTo((0.1 ** 2 + 0.1 ** 2) / 2, 10);
    expect(inner.observed).toBe(1);
  });

  it('penalises predictions that keep not coming true: the calibrated probability falls toward the observed share', () => {
    const m = new FeedbackModel(new FixedModel());
    for (let i = 0; i < 400; i++) {
      m.predict(ctx(`k${i}`, i * 100), 2);
      // b comes true only half the time, c the other half
      m.observe([started(`k${i}`, i % 2 === 0 ? 'b' : 'c', i * 100 + 10)]);
    }
    const [top] = m.predict(ctx('last', 1e6), 2);
    expect(top.probability).toBeLessThan(0.65);
    expect(top.probability).toBeGreaterThan(0.35);
    const s = m.summary();
    expect(s.rawReliability.maxBinError).toBeGreaterThan(0.35);
    expect(s.reliability.brier).toBeLessThan(s.rawReliability.brier);
  });

  it('scores predictions no step answers within the expiry as not come true', () => {
    const m = new FeedbackModel(new FixedModel(), { expirySec: 60 });
    m.predict(ctx('k1', 0), 1);
    m.observe([started('other', 'x', 100)]);
    expect(m.summary(1)).toMatchObject({ outcomes: 1, cameTrue: 0, expired: 1 });
  });

  it('survives a restart: saved and restored through restoreNextStepModel with its calibration and outstanding predictions', () => {
    const m = createLearningNextStepModel('vom');
    const ev = [...chainEvents({ chainId: 'a', steps: ['x', 'y', 'z'] }), ...chainEvents({ chainId: 'b', steps: ['x', 'y', 'z'], t0: 2_000_000 })];
    m.observe(ev);
    m.predict({ chainId: 'c', workflow: 'wf', history: ['x'], running: { taskType: 'x', startedAtSec: 3_000_000 }, nowSec: 3_000_000 }, 3);
    const back = restoreNextStepModel(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back).toBeInstanceOf(FeedbackModel);
    back.observe([started('c', 'y', 3_000_010)]);
    m.observe([started('c', 'y', 3_000_010)]);
    expect((back as FeedbackModel).summary()).toEqual(m.summary());
    expect(() => FeedbackModel.fromJSON({ kind: 'vom' }, restoreNextStepModel)).toThrow(InputError);
  });
});

describe('bundle book over a rolling window', () => {
  const chains = (n: number, t0: number): ExecutionEvent[] =>
    Array.from({ length: n }, (_, i) => chainEvents({ chainId: `c${t0}-${i}`, steps: ['a', 'b', 'c'], t0: t0 + i * 10, gapSec: 30 })).flat().sort((x, y) => x.atSec - y.atSec);

  it('mines the task types that follow a root above the support threshold once chains settle', () => {
    const book = new BundleBook({ minSupport: 0.9, minChains: 3, settleSec: 600, refreshSec: 60 });
    book.observe(chains(5, 1_000_000));
    // still running: not counted yet
    expect(book.current(1_000_100)).toEqual([]);
    const bs = book.current(1_000_100 + 3600);
    const a = bs.find((b) => b.root === 'a')!;
    expect(a.members).toEqual(['b', 'c']);
    expect(a.confidence).toBe(1);
  });

  it('keeps only members a preparation made with the root can serve (lag between setup and setup + TTL)', () => {
    const b = { workflow: 'wf', root: 'a', members: ['b', 'c', 'd'], confidence: 1, rootChains: 5, medianLagSec: [30, 5, 2000] };
    const setup = (_w: string, t: string) => ({ b: 10, c: 10, d: 10 } as Record<string, number>)[t];
    // b: ready at 10 s, starts at 30 s: kept; c starts at 5 s, before its setup ends: dropped; d starts after the TTL: dropped
    expect(feasibleBundles([b], setup, 900)).toEqual([{ ...b, members: ['b'], medianLagSec: [30] }]);
    expect(feasibleBundles([b], () => undefined, 900)).toEqual([]);
  });

  it('forgets chains older than the window and mines nothing when disabled', () => {
    const book = new BundleBook({ windowSec: 86_400, refreshSec: 1, settleSec: 0, minChains: 3 });
    book.observe(chains(5, 1_000_000));
    expect(book.current(1_010_000).length).toBeGreaterThan(0);
    expect(book.current(1_000_000 + 2 * 86_400)).toEqual([]);
    expect(book.size).toBe(0);
    const off = new BundleBook({ enabled: false });
    off.observe(chains(5, 1_000_000));
    expect(off.current(2_000_000)).toEqual([]);
    expect(() => new BundleBook({ minSupport: 2 })).toThrow(InputError);
  });
});
