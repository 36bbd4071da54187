/**
 * What pre-execution did in AWS, from the execution events the tick reads: steps that resumed from a
 * prepared state (`setupOutcome: resumed`) and the setup seconds they skipped, and steps with a
 * `prepare` phase that ran cold (`not-prepared`, `cache-unavailable`). The controller emits them per
 * tick (src/handlers/controller-runner.ts) for the dashboard's hit rate, seconds saved and waste.
 */
import type { ExecutionEvent } from '../core/model/index.js';

/** Counts since the last {@link PrefetchMeter.drain}. */
export interface PrefetchCounts {
  readonly resumed: number;
  readonly setupSecSaved: number;
  /** Steps with a prepare phase that found no prepared state. */
  readonly cold: number;
}

/** See the module comment. */
export class PrefetchMeter {
  private counts = { resumed: 0, setupSecSaved: 0, cold: 0 };

  /** Takes a batch of execution events. */
  observe(events: readonly ExecutionEvent[]): void {
    for (const e of events) {
      if (e.kind !== 'finished' && e.kind !== 'failed') continue;
      if (e.setupOutcome === 'resumed') {
        this.counts.resumed++;
        this.counts.setupSecSaved += e.setupSavedSec ?? 0;
      } else if (e.setupOutcome === 'not-prepared' || e.setupOutcome === 'cache-unavailable') this.counts.cold++;
    }
  }

  /** The counts since the previous call, and resets them. */
  drain(): PrefetchCounts {
    const c = this.counts;
    this.counts = { resumed: 0, setupSecSaved: 0, cold: 0 };
    return c;
  }
}
