/**
 * Intensity (issue 22): a running step's progress events bring its expected end earlier than its
 * runtime p95, so its children's expected start moves earlier too.
 */
import { describe, expect, it } from 'vitest';
import { longStepEvent, longStepWorkflow } from '../builders/long-step-workflow.js';
import { ChainBook, TaskCatalog } from '../../src/core/tick/chain-book.js';
import { endFromProgress, expectedEndWithProgress } from '../../src/core/predict/intensity.js';

const wf = longStepWorkflow;
const ev = longStepEvent;

describe('progress of long steps', () => {
  it('extrapolates the end linearly and only ever brings it earlier', () => {
    expect(endFromProgress(0, { fraction: 0.5, atSec: 600 })).toBe(1200);
    expect(endFromProgress(0, { fraction: 0, atSec: 600 })).toBeUndefined();
    expect(expectedEndWithProgress(0, 3000, 700, { fraction: 0.5, atSec: 600 })).toBe(1200);
    expect(expectedEndWithProgress(0, 1000, 700, { fraction: 0.5, atSec: 600 })).toBe(1000);
    expect(expectedEndWithProgress(0, 3000, 1500, { fraction: 0.5, atSec: 600 })).toBe(1501);
  });

  it('a step past its median that reports 80 % done is expected to end well before its p95, and its child to start then', () => {
    const book = new ChainBook(new TaskCatalog([wf]));
    book.ingest([ev('train', 'submitted', 0), ev('eval', 'submitted', 0), ev('train', 'started', 0)]);
    const c = book.chains.get('c1')!;
    // at 1200 s, past the 1000 s median: without progress the step is expected to end at its p95 (3000 s)
    expect(book.schedule(c, 1200).get('train')!.releaseSec).toBe(3000);
    book.ingest([ev('train', 'progress', 1200, 0.8)]);
    const s = book.schedule(c, 1200);
    expect(s.get('train')!.releaseSec).toBe(1500);
    expect(s.get('eval')!.startSec).toBe(1500);
  });
});
