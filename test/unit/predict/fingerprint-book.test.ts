import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { FingerprintBook, histQuantile } from '../../../src/core/predict/fingerprint-book.js';
import { FingerprintPriorModel } from '../../../src/core/predict/fingerprint-prior.js';
import { reconstructGraph } from '../../../src/core/predict/graph.js';
import type { NextStepModel } from '../../../src/core/predict/types.js';
import { chainEvents } from './events.js';

const DAY = 86_400;

/** Chains a → b (70 %) or a → c (30 %), each step running 100 + i s, 20 s between starts. */
function history(t0: number, chains: number, prefix = 'x'): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  for (let i = 0; i < chains; i++) {
    out.push(...chainEvents({ chainId: `${prefix}${i}`, steps: ['a', i % 10 < 7 ? 'b' : 'c'], t0: t0 + i * 600, gapSec: 20, runtimeSec: 100 + (i % 10) }));
  }
  return out.sort((a, b) => a.atSec - b.atSec || (a.chainId < b.chainId ? -1 : 1));
}

describe('FingerprintBook (persisted fingerprint, issue 22)', () => {
  it('rebuilds the same graph as reconstructGraph over the window: transitions, edge probabilities, runtime quantiles within 5 %', () => {
    const events = history(10 * DAY, 100);
    const now = 12 * DAY;
    const book = new FingerprintBook({ windowSec: 7 * DAY });
    book.observe(events, now);
    const fp = book.fingerprint('wf', now);
    const g = reconstructGraph(events, now, 7 * DAY);
    expect(fp.chains).toBe(g.chains);
    expect(fp.edges.map((e) => [e.from, e.to, e.transitions])).toEqual(g.edges.map((e) => [e.from, e.to, e.transitions]));
    for (const e of fp.edges) expect(e.probability).toBeCloseTo(g.edges.find((x) => x.from === e.from && x.to === e.to)!.probability, 10);
    const a = fp.nodes.find((n) => n.taskType === 'a')!;
    const ga = g.nodes.find((n) => n.taskType === 'a')!;
    expect(a.runs).toBe(ga.runs);
    expect(a.runtimeSec.count).toBe(ga.runtimeSec.count);
    expect(Math.abs(a.runtimeSec.p50 / ga.runtimeSec.p50 - 1)).toBeLessThan(0.05);
    expect(Math.abs(a.runtimeSec.p95 / ga.runtimeSec.p95 - 1)).toBeLessThan(0.05);
    expect(book.runtime('wf', 'a', 20)?.runs).toBe(100);
    expect(book.runtime('wf', 'a', 101)).toBeUndefined();
    expect(book.successors('wf', 'a').map((s) => [s.taskType, s.probability])).toEqual([['b', 0.7], ['c', 0.3]]);
  });

  it('attributes the source step\'s output size to the edge, also when the size arrives after the next step started', () => {
    const base = { chainId: 'k', workflow: 'wf' };
    const events: ExecutionEvent[] = [
      { ...base, taskId: 's1', taskType: 'a', kind: 'started', atSec: 100 },
      { ...base, taskId: 's2', taskType: 'b', kind: 'started', atSec: 110 },
      { ...base, taskId: 's1', taskType: 'a', kind: 'finished', atSec: 120, outputBytes: 5_000_000 },
    ];
    const book = new FingerprintBook();
    book.observe(events, 200);
    const e = book.fingerprint('wf', 200).edges[0];
    expect(e.dataBytes.count).toBe(1);
    expect(Math.abs(e.dataBytes.p50 / 5_000_000 - 1)).toBeLessThan(0.05);
  });

  it('evicts whole day buckets that left the rolling window', () => {
    const book = new FingerprintBook({ windowSec: 7 * DAY });
    book.observe(history(0, 20, 'old'), 1 * DAY);
    expect(book.runtime('wf', 'a')?.runs).toBe(20);
    book.observe(history(9 * DAY, 5, 'new'), 9.5 * DAY);
    // day 0 ended 9.5 days ago: only the 5 new chains are left
    expect(book.runtime('wf', 'a')?.runs).toBe(5);
    expect(book.fingerprint('wf', 9.5 * DAY).chains).toBe(5);
    expect(book.state().buckets.map((b) => b.startSec)).toEqual([9 * DAY]);
    book.observe([], 30 * DAY);
    expect(book.workflows()).toEqual([]);
    expect(book.runtime('wf', 'a')).toBeUndefined();
  });

  it('round-trips through JSON and counts nothing twice when a restarted tick re-reads its window', () => {
    const events = history(DAY, 40);
    const book = new FingerprintBook({ windowSec: 30 * DAY });
    book.observe(events.filter((e) => e.atSec < DAY + 12_000), DAY + 12_000);
    const saved = JSON.parse(JSON.stringify(book.state()));
    const restored = new FingerprintBook({ windowSec: 30 * DAY }, saved);
    expect(restored.fingerprint('wf', DAY + 12_000)).toEqual(book.fingerprint('wf', DAY + 12_000));
    // the new process re-reads every event from the start; only those after throughSec count
    restored.observe(events, 2 * DAY);
    const once = new FingerprintBook({ windowSec: 30 * DAY });
    once.observe(events, 2 * DAY);
    expect(restored.fingerprint('wf', 2 * DAY)).toEqual(once.fingerprint('wf', 2 * DAY));
    // a state saved with another window is not reused
    expect(new FingerprintBook({ windowSec: 7 * DAY }, saved).workflows()).toEqual([]);
  });

  it('histogram quantiles are the middle of the bin holding them', () => {
    const h = { n: 0, sum: 0, bins: {} as Record<string, number> };
    const b = new FingerprintBook();
    expect(histQuantile(h, 0.5)).toBeNaN();
    b.observe(history(0, 10), DAY);
    expect(b.runtime('wf', 'b')!.p50Sec).toBeGreaterThan(95);
    expect(b.runtime('wf', 'b')!.p50Sec).toBeLessThan(110);
  });
});

describe('FingerprintPriorModel (edge probabilities as the next-step prior)', () => {
  const empty: NextStepModel = { name: 'empty', observe() {}, predict: () => [], toJSON: () => ({}) };
  const book = new FingerprintBook();
  book.observe(history(0, 50), DAY);

  it('answers from the fingerprint when the model has nothing, with the edge delay as expected start', () => {
    const m = new FingerprintPriorModel(empty, (w, t) => book.successors(w, t));
    const p = m.predict({ chainId: 'n', workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: DAY - 5 }, nowSec: DAY }, 3);
    expect(p.map((x) => x.taskType)).toEqual(['b', 'c']);
    expect(p[0].probability).toBeCloseTo(0.7, 10);
    expect(p[0].expectedStartInSec).toBeGreaterThan(10);
    expect(p[0].expectedStartInSec).toBeLessThan(17);
  });

  it('keeps the model\'s predictions and fills only the mass it leaves', () => {
    const partial: NextStepModel = { ...empty, predict: () => [{ taskType: 'c', probability: 0.5, expectedStartInSec: 3 }] };
    const m = new FingerprintPriorModel(partial, (w, t) => book.successors(w, t));
    const p = m.predict({ chainId: 'n', workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: DAY }, nowSec: DAY }, 3);
    expect(p).toEqual([{ taskType: 'c', probability: 0.5, expectedStartInSec: 3 }, expect.objectContaining({ taskType: 'b', probability: 0.5 })]);
    const full: NextStepModel = { ...empty, predict: () => [{ taskType: 'c', probability: 1, expectedStartInSec: 3 }] };
    expect(new FingerprintPriorModel(full, (w, t) => book.successors(w, t)).predict({ chainId: 'n', workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: DAY }, nowSec: DAY }, 3)).toHaveLength(1);
  });
});
