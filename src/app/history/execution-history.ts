/**
 * Execution history (seed 001): step events kept in the {@link StateStore}'s ordered log (SQLite by
 * default), read back by time window to rebuild the execution graph and mine bundles, and fed to a
 * next-step model incrementally, with the model and its log cursor saved in the store.
 */
import type { ExecutionEvent } from '../../core/model/events.js';
import type { NextStepModel } from '../../core/predict/types.js';
import { parseExecutionEvents } from '../../core/predict/event-schema.js';
import { reconstructGraph, WINDOW_7_DAYS_SEC, type ExecutionGraph } from '../../core/predict/graph.js';
import { frequentPaths, mineBundles, type FrequentPath, type MinedBundle } from '../../core/predict/mining.js';
import type { StateStore } from '../../ports/state-store.js';

/** Log holding execution events. */
export const EXECUTION_LOG = 'execution-events';
/** Table holding saved next-step models and their cursors. */
export const MODEL_TABLE = 'next-step-models';

/** A saved model with the number of log entries it has seen. */
interface SavedModel {
  readonly json: unknown;
  readonly consumed: number;
}

/** Execution history on a {@link StateStore}. See the module comment. */
export class ExecutionHistory {
  constructor(private readonly store: StateStore, private readonly log = EXECUTION_LOG) {}

  /**
   * Validates and appends events (all or nothing).
   * @throws InputError naming the bad entry and field
   */
  async record(events: readonly unknown[], source?: string): Promise<void> {
    await this.store.append(this.log, parseExecutionEvents(events, source));
  }

  /** Events with `nowSec − windowSec ≤ atSec < nowSec`, in append order. */
  async window(nowSec: number, windowSec = WINDOW_7_DAYS_SEC): Promise<ExecutionEvent[]> {
    return this.store.readLog<ExecutionEvent>(this.log, { fromSec: nowSec - windowSec, toSec: nowSec });
  }

  /** The execution graph of the window ending at `nowSec` (7 days unless given). */
  async graph(nowSec: number, windowSec = WINDOW_7_DAYS_SEC): Promise<ExecutionGraph> {
    return reconstructGraph(await this.window(nowSec, windowSec), nowSec, windowSec);
  }

  /** Frequent paths of the window (see `frequentPaths`). */
  async frequentPaths(nowSec: number, windowSec = WINDOW_7_DAYS_SEC, opts?: Parameters<typeof frequentPaths>[1]): Promise<FrequentPath[]> {
    return frequentPaths(await this.window(nowSec, windowSec), opts);
  }

  /** Prefetch bundles of the window (see `mineBundles`). */
  async bundles(nowSec: number, windowSec = WINDOW_7_DAYS_SEC, opts?: Parameters<typeof mineBundles>[1]): Promise<MinedBundle[]> {
    return mineBundles(await this.window(nowSec, windowSec), opts);
  }

  /**
   * Loads the model saved under `name` (or uses `fresh()` when none), feeds it the events logged since
   * it was saved, and saves it back with its new cursor. Conditional on the version read, so two
   * concurrent ticks cannot both advance it.
   * @param restore rebuilds a model from its JSON (e.g. `restoreNextStepModel`)
   * @returns the up-to-date model and how many new events it saw
   * @throws VersionConflictError when another writer saved the model meanwhile
   */
  async catchUp(name: string, fresh: () => NextStepModel, restore: (json: unknown) => NextStepModel, batch = 10_000): Promise<{ model: NextStepModel; newEvents: number }> {
    const saved = await this.store.get<SavedModel>(MODEL_TABLE, name);
    const model = saved ? restore(saved.value.json) : fresh();
    let consumed = saved?.value.consumed ?? 0;
    let newEvents = 0;
    for (;;) {
      const events = await this.store.readLog<ExecutionEvent>(this.log, { fromSeq: consumed, limit: batch });
      if (events.length === 0) break;
      model.observe(events);
      consumed += events.length;
      newEvents += events.length;
      if (events.length < batch) break;
    }
    if (newEvents > 0 || !saved) await this.store.put<SavedModel>(MODEL_TABLE, name, { json: model.toJSON(), consumed }, { ifVersion: saved?.version ?? 0 });
    return { model, newEvents };
  }
}
