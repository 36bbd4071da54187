/**
 * Bundle and preparation feedback (issue 22): the outcome of each chosen preparation is read from
 * the steps' `started`/`finished` events (hit, aborted, expired, evicted) and bundle edges or task
 * types that save less setup per wasted CPU-second than the single-step preparations are gated.
 */
import { describe, expect, it } from 'vitest';
import { BundleOutcomeBook, bundleEdgeKey, EDGE_MIN_SETTLED, SINGLE_STEP_GROUP, STEP_GATE_MIN_SETTLED, stepGroupKey } from '../../../src/core/predict/index.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';

const started = (chainId: string, taskId: string, atSec: number, extra: Partial<ExecutionEvent> = {}): ExecutionEvent => ({ chainId, workflow: 'wf', taskId, taskType: taskId, kind: 'started', atSec, ...extra });
const edge = bundleEdgeKey('wf', 'a', 'b');

describe('bundle outcome book', () => {
  it('scores a start between ready and ready + TTL as a hit saving the setup seconds', () => {
    const b = new BundleOutcomeBook();
    b.record(edge, 'c1', 'b', 100, 20, 2, 300); // ready at 120
    b.observe([started('c1', 'b', 150)], 150);
    expect(b.totalsOf(edge)).toMatchObject({ settled: 1, hits: 1, savedSec: 20, wastedCpuSec: 0 });
  });

  it('scores a start before the state is ready as aborted, wasting the CPU spent so far', () => {
    const b = new BundleOutcomeBook();
    b.record(edge, 'c1', 'b', 100, 20, 2, 300);
    b.observe([started('c1', 'b', 108)], 108);
    expect(b.totalsOf(edge)).toMatchObject({ settled: 1, hits: 0, savedSec: 0, wastedCpuSec: 16 });
  });

  it('scores a state unused past its TTL as expired, wasting the whole setup', () => {
    const b = new BundleOutcomeBook();
    b.record(edge, 'c1', 'b', 100, 20, 2, 300);
    b.observe([], 400);
    expect(b.openCount).toBe(1);
    b.observe([], 421);
    expect(b.totalsOf(edge)).toMatchObject({ settled: 1, hits: 0, savedSec: 0, wastedCpuSec: 40 });
    expect(b.openCount).toBe(0);
  });

  it('turns a hit into a miss when the worker reports it found no state (evicted)', () => {
    const onStart = new BundleOutcomeBook();
    onStart.record(edge, 'c1', 'b', 100, 20, 2, 300);
    onStart.observe([started('c1', 'b', 150, { setupOutcome: 'not-prepared' })], 150);
    expect(onStart.totalsOf(edge)).toMatchObject({ settled: 1, hits: 0, savedSec: 0, wastedCpuSec: 40 });
    const onFinish = new BundleOutcomeBook();
    onFinish.record(edge, 'c1', 'b', 100, 20, 2, 300);
    onFinish.observe([started('c1', 'b', 150)], 150);
    onFinish.observe([{ ...started('c1', 'b', 200), kind: 'finished', setupOutcome: 'cache-unavailable' }], 200);
    expect(onFinish.totalsOf(edge)).toMatchObject({ settled: 1, hits: 0, savedSec: 0, wastedCpuSec: 40 });
  });

  it('opens a bundle edge once its shadow outcomes pay for one miss at the single-step ratio, and closes it when its misses outweigh that', () => {
    const b = new BundleOutcomeBook();
    expect(b.admits(edge)).toBe(false); // nothing measured yet: not prepared, only scored
    // single-step: 2 hits of 30 s, one abort wasting 10 CPU-s → ratio 6
    for (const s of ['s1', 's2', 's3']) b.record(SINGLE_STEP_GROUP, 'c1', s, 0, 30, 1, 300);
    const n = 12; // 240 s saved pays for one 40 CPU-s miss at the bar of 6
    expect(n).toBeGreaterThanOrEqual(EDGE_MIN_SETTLED);
    for (let i = 0; i < n; i++) b.recordShadow(edge, `c${i}`, 'b', 0, 20, 2, 300);
    // shadow preparations are judged by timing only: the worker's `not-prepared` is expected for them
    b.observe([started('c1', 's1', 40), started('c1', 's2', 40), started('c1', 's3', 10), ...Array.from({ length: n }, (_, i) => started(`c${i}`, 'b', 25, { setupOutcome: 'not-prepared' }))], 40);
    expect(b.totalsOf(SINGLE_STEP_GROUP)).toMatchObject({ savedSec: 60, wastedCpuSec: 10 });
    expect(b.totalsOf(edge)).toMatchObject({ settled: n, savedSec: 20 * n, wastedCpuSec: 0, missCpuSec: 40 });
    expect(b.admits(edge)).toBe(true);
    b.record(edge, 'd1', 'b', 100, 20, 2, 300);
    b.record(edge, 'd2', 'b', 100, 20, 2, 300);
    b.observe([started('d1', 'b', 110), started('d2', 'b', 110)], 110); // two aborts: 40 CPU-s → 240 s < 6 × (40 + 40)
    expect(b.admits(edge)).toBe(false);
  });

  it('gates a predicted task type only after enough outcomes and below half the single-step ratio', () => {
    const b = new BundleOutcomeBook();
    const good = stepGroupKey('wf', 'good'), bad = stepGroupKey('wf', 'bad');
    for (let i = 0; i < 10; i++) b.record(SINGLE_STEP_GROUP, `g${i}`, 'good', 0, 10, 1, 300, good);
    b.observe(Array.from({ length: 10 }, (_, i) => started(`g${i}`, 'good', 20)), 20); // 100 s saved, no waste
    b.record(SINGLE_STEP_GROUP, 'x', 'bad', 0, 10, 1, 300, bad);
    b.observe([started('x', 'bad', 5)], 5); // one abort: 5 CPU-s
    expect(b.admitsStep('wf', 'bad')).toBe(true); // one outcome is not enough to judge
    for (let i = 1; i < STEP_GATE_MIN_SETTLED; i++) b.record(SINGLE_STEP_GROUP, `b${i}`, 'bad', 100, 10, 1, 300, bad);
    b.observe(Array.from({ length: STEP_GATE_MIN_SETTLED - 1 }, (_, i) => started(`b${i + 1}`, 'bad', 105)), 105);
    expect(b.totalsOf(bad).settled).toBe(STEP_GATE_MIN_SETTLED);
    expect(b.admitsStep('wf', 'bad')).toBe(false); // saved 0 against 25 CPU-s wasted
    expect(b.admitsStep('wf', 'good')).toBe(true);
  });

  it('restores what it saved and keeps scoring the open preparations', () => {
    const b = new BundleOutcomeBook();
    b.record(edge, 'c1', 'b', 100, 20, 2, 300);
    b.record(SINGLE_STEP_GROUP, 'c1', 's', 100, 10, 1, 300);
    b.observe([started('c1', 's', 150)], 150);
    const r = new BundleOutcomeBook();
    r.restore(b.toJSON());
    for (const x of [b, r]) x.observe([started('c1', 'b', 104)], 104);
    expect(r.toJSON()).toEqual(b.toJSON());
    expect(r.totalsOf(edge)).toMatchObject({ settled: 1, hits: 0, savedSec: 0, wastedCpuSec: 8 });
  });
});
