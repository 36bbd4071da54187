/**
 * The learning loop's hooks in the controller tick (issue 22), kept out of app/tick.ts so the tick
 * calls them in three small, separate places: the execution events of each tick feed the bundle book
 * (core/predict/bundles.ts), and the prefetch stage asks it for the frequent subgraphs to prepare
 * together. The next-step model's own feedback loop (core/predict/feedback.ts) needs no hook: it
 * learns from the same events through `NextStepModel.observe`.
 */
import type { ExecutionEvent } from '../../core/model/events.js';
import type { PrefetchConfig } from '../../core/model/config.js';
import { BundleBook } from '../../core/predict/bundles.js';
import type { MinedBundle } from '../../core/predict/mining.js';

/** See the module comment. */
export class LearningHooks {
  private readonly book: BundleBook;

  /** @throws InputError for bad `prefetch.bundles` settings */
  constructor(prefetch: Pick<PrefetchConfig, 'bundles'> | undefined) {
    this.book = new BundleBook(prefetch?.bundles ?? {});
  }

  /** Feeds the tick's execution events. */
  observe(events: readonly ExecutionEvent[]): void {
    this.book.observe(events);
  }

  /** Bundles the prefetch selection prepares together at `nowSec` (none when disabled). */
  bundles(nowSec: number): readonly MinedBundle[] {
    return this.book.current(nowSec);
  }
}
