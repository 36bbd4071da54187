/**
 * The chain view: this tick's execution events, read once from the EventSource and handed to every
 * consumer (the chain book, the next-step model, the prepared-state ledger, the critical-step
 * tracker, the prefetch filter), with the step key `chainId/taskId` built in one place.
 */
import type { ExecutionEvent } from '../model/index.js';
import type { StepProgress } from '../predict/intensity.js';

/** The key of one step of one chain, `chainId/taskId` (the one place it is built). */
export function stepKey(chainId: string, taskId: string): string {
  return `${chainId}/${taskId}`;
}

/** The execution events of one tick, as every stage reads them. */
export interface ChainView {
  /** Epoch seconds of the tick. */
  readonly nowSec: number;
  /** Events in the order the EventSource returned them (oldest first). */
  readonly events: readonly ExecutionEvent[];
  /** {@link stepKey} of every step with a `started` event this tick. */
  readonly startedKeys: ReadonlySet<string>;
  /**
   * issue 22 (intensity): the latest `progress` report of this tick per {@link stepKey}, for steps
   * whose last event this tick is a valid progress report (fraction finite in [0, 1]); a later
   * `started`, `finished` or `failed` event of the step drops it.
   */
  readonly progressByKey: ReadonlyMap<string, StepProgress>;
}

/** Builds the view of `events` (read for the tick at `nowSec`). */
export function buildChainView(events: readonly ExecutionEvent[], nowSec: number): ChainView {
  const startedKeys = new Set<string>();
  const progressByKey = new Map<string, StepProgress>();
  for (const e of events) {
    const key = stepKey(e.chainId, e.taskId);
    if (e.kind === 'started') startedKeys.add(key);
    if (e.kind === 'progress') {
      const f = e.intensity;
      if (f !== undefined && Number.isFinite(f) && f >= 0 && f <= 1) progressByKey.set(key, { fraction: f, atSec: e.atSec });
    } else if (e.kind !== 'submitted') progressByKey.delete(key);
  }
  return { nowSec, events, startedKeys, progressByKey };
}
