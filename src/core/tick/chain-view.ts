/**
 * The chain view: this tick's execution events, read once from the EventSource and handed to every
 * consumer (the chain book, the next-step model, the prepared-state ledger, the critical-step
 * tracker, the prefetch filter), with the step key `chainId/taskId` built in one place.
 */
import type { ExecutionEvent } from '../model/index.js';

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
}

/** Builds the view of `events` (read for the tick at `nowSec`). */
export function buildChainView(events: readonly ExecutionEvent[], nowSec: number): ChainView {
  const startedKeys = new Set<string>();
  for (const e of events) if (e.kind === 'started') startedKeys.add(stepKey(e.chainId, e.taskId));
  return { nowSec, events, startedKeys };
}
