/** The controller's count of resumed and cold prepared steps from the execution events (src/handlers/prefetch-meter.ts). */
import { describe, expect, it } from 'vitest';
import { PrefetchMeter } from '../../src/handlers/prefetch-meter.js';
import type { ExecutionEvent } from '../../src/core/model/index.js';

const ev = (kind: ExecutionEvent['kind'], setupOutcome?: ExecutionEvent['setupOutcome'], setupSavedSec?: number): ExecutionEvent => ({
  chainId: 'c', workflow: 'w', variant: 'v', taskId: 't', taskType: 't', kind, atSec: 1, ...(setupOutcome ? { setupOutcome } : {}), ...(setupSavedSec !== undefined ? { setupSavedSec } : {}),
});

describe('PrefetchMeter', () => {
  it('counts resumed steps with their saved seconds and cold steps, once per drain', () => {
    const m = new PrefetchMeter();
    m.observe([ev('started'), ev('finished', 'resumed', 12.5), ev('failed', 'resumed', 2), ev('finished', 'not-prepared'), ev('finished', 'cache-unavailable'), ev('finished', 'none'), ev('submitted')]);
    expect(m.drain()).toEqual({ resumed: 2, setupSecSaved: 14.5, cold: 2 });
    expect(m.drain()).toEqual({ resumed: 0, setupSecSaved: 0, cold: 0 });
  });
});
