/**
 * Intensity (issue 22): the remaining time of a running step from its progress report
 * (elapsed × (1 − f) ÷ f, clamped to [0, p95 remaining]), its use in the chain book's schedule, the
 * ChainView's latest progress per step, and the simulator's deterministic progress reports.
 */
import { describe, expect, it } from 'vitest';
import { longStepEvent, longStepWorkflow } from '../../builders/long-step-workflow.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { MIN_TRUSTED_PROGRESS_FRACTION, progressRemainingSec } from '../../../src/core/predict/intensity.js';
import { ChainBook, TaskCatalog } from '../../../src/core/tick/chain-book.js';
import { buildChainView, stepKey } from '../../../src/core/tick/chain-view.js';
import { SIM_LONG_STEP_SEC, SimProgressEvents } from '../../../src/sim/workload/progress-events.js';

const wf = longStepWorkflow;
const ev = longStepEvent;

describe('remaining time from progress', () => {
  it('is elapsed × (1 − f) ÷ f after the report, counted from now', () => {
    expect(progressRemainingSec(0, 700, { fraction: 0.5, atSec: 600 }, 3000)).toBe(500);
    expect(progressRemainingSec(100, 1000, { fraction: 0.75, atSec: 1000 }, Infinity)).toBe(300);
  });

  it('never exceeds the p95 remaining and never goes below 0', () => {
    expect(progressRemainingSec(0, 700, { fraction: 0.1, atSec: 600 }, 3000)).toBe(2300);
    expect(progressRemainingSec(0, 2000, { fraction: 0.9, atSec: 900 }, 3000)).toBe(0);
    expect(progressRemainingSec(0, 700, { fraction: 1, atSec: 600 }, 3000)).toBe(0);
  });

  it('is undefined for an untrustworthy report', () => {
    expect(progressRemainingSec(0, 700, { fraction: MIN_TRUSTED_PROGRESS_FRACTION / 2, atSec: 600 }, 3000)).toBeUndefined();
    for (const f of [Number.NaN, Infinity, -0.5, 1.5]) expect(progressRemainingSec(0, 700, { fraction: f, atSec: 600 }, 3000)).toBeUndefined();
    expect(progressRemainingSec(600, 700, { fraction: 0.5, atSec: 600 }, 3000)).toBeUndefined();
    expect(progressRemainingSec(0, 500, { fraction: 0.5, atSec: 600 }, 3000)).toBeUndefined();
  });
});

describe('the chain book with progress', () => {
  const started = (): { book: ChainBook; c: ReturnType<ChainBook['chains']['get']> & object } => {
    const book = new ChainBook(new TaskCatalog([wf]));
    book.ingest([ev('train', 'submitted', 0), ev('eval', 'submitted', 0), ev('train', 'started', 0)]);
    return { book, c: book.chains.get('c1')! };
  };

  it('a step reporting 25 % at 600 s is expected to end at 2400 s (past its median, within its p95), and its child then', () => {
    const { book, c } = started();
    book.ingest([ev('train', 'progress', 600, 0.25)]);
    const s = book.schedule(c, 660);
    expect(s.get('train')!.releaseSec).toBe(2400);
    expect(s.get('eval')!.startSec).toBe(2400);
    // the option off: the median end, as without reports
    expect(book.schedule(c, 660, false).get('train')!.releaseSec).toBe(1000);
  });

  it('a step reporting 2 % (too early to trust) or past its p95 keeps the median, or gets the report’s end', () => {
    const { book, c } = started();
    book.ingest([ev('train', 'progress', 60, 0.02)]);
    expect(book.schedule(c, 120).get('train')!.releaseSec).toBe(1000);
    book.ingest([ev('train', 'progress', 3100, 0.9)]);
    // past the p95 the end was unknown (Infinity); the report says 3100 + 3100 × 0.1 / 0.9
    expect(book.schedule(c, 3200).get('train')!.releaseSec).toBeCloseTo(3100 + (3100 * 0.1) / 0.9, 6);
    expect(book.schedule(c, 3200, false).get('train')!.releaseSec).toBe(Infinity);
  });

  it('ignores a progress value out of range', () => {
    const { book, c } = started();
    book.ingest([ev('train', 'progress', 600, 1.7)]);
    expect(book.schedule(c, 660).get('train')!.releaseSec).toBe(1000);
  });
});

describe('the ChainView', () => {
  it('carries the latest valid progress per step, dropped once the step has a later event', () => {
    const view = buildChainView([ev('train', 'started', 0), ev('train', 'progress', 100, 0.2), ev('train', 'progress', 200, 0.4), ev('train', 'progress', 250, Number.NaN), ev('eval', 'progress', 10, 0.5), ev('eval', 'finished', 20)], 300);
    expect(view.progressByKey.get(stepKey('c1', 'train'))).toEqual({ fraction: 0.4, atSec: 200 });
    expect(view.progressByKey.has(stepKey('c1', 'eval'))).toBe(false);
  });
});

describe('simulated progress reports', () => {
  const base = { chainId: 'c1', workflow: 'long', taskId: 'train', taskType: 'train' };

  it('a long step reports at 25, 50 and 75 % of its attempt, released only once time has passed them', () => {
    const p = new SimProgressEvents();
    p.start('c1/train', 100, 1000, base);
    const out: ExecutionEvent[] = [];
    p.release(350, out, true);
    expect(out).toEqual([]);
    p.release(600, out);
    expect(out.map((e) => [e.atSec, e.intensity])).toEqual([[350, 0.25], [600, 0.5]]);
    p.release(10_000, out);
    expect(out.map((e) => e.intensity)).toEqual([0.25, 0.5, 0.75]);
    expect(out.every((e) => e.kind === 'progress')).toBe(true);
  });

  it('an attempt that ends early cancels its later reports; short steps report nothing', () => {
    const p = new SimProgressEvents();
    p.start('c1/train', 0, 1000, base);
    p.start('c1/eval', 0, SIM_LONG_STEP_SEC - 1, { ...base, taskId: 'eval', taskType: 'eval' });
    p.end('c1/train', 400);
    const out: ExecutionEvent[] = [];
    p.release(10_000, out);
    expect(out.map((e) => [e.taskId, e.intensity])).toEqual([['train', 0.25]]);
  });
});
