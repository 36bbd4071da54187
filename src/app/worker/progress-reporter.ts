/**
 * Step progress (issue 22, seed 001 §1 intensity): registered step code calls `ctx.progress(fraction)`
 * during a long step; the worker turns the calls into `progress` execution events on the same path as
 * the step's `started`/`finished` events (the state store's execution-events log: SQLite or the
 * DynamoDB state table the controller's tick reads, or the HTTP worker channel's `POST /v1/events`).
 * Calls are untrusted input from step code: a fraction that is not a finite number in [0, 1] is
 * ignored, reports are rate-limited (one per {@link PROGRESS_MIN_INTERVAL_SEC}, only when the
 * fraction changed) and capped ({@link MAX_PROGRESS_EVENTS_PER_STEP} per attempt). Writes never
 * block or fail the step, and are done (in order) before the step's last event is written.
 */
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';

/**
 * Least seconds between two progress events of one step: the controller ticks every 60 s by default,
 * so more would not be read sooner (a choice; 12 writes per tick-minute at most).
 */
export const PROGRESS_MIN_INTERVAL_SEC = 5;
/** Most progress events one step attempt writes (bounds the events log per step). */
export const MAX_PROGRESS_EVENTS_PER_STEP = 100;

/** The reporter of one step attempt. */
export interface ProgressReporter {
  /** The step code's `progress(fraction)` callback. Never throws. */
  readonly report: (fraction: number) => void;
  /** Stops taking reports and waits for the writes in flight. */
  close(): Promise<void>;
}

/**
 * A reporter writing through `write(fraction, atSec)` (the caller builds and appends the event).
 * @param clock times the reports (epoch seconds) and the rate limit
 */
export function progressReporter(write: (fraction: number, atSec: number) => Promise<void>, clock: Clock, logger: Logger, taskId: string): ProgressReporter {
  let open = true;
  let written = 0;
  let lastSec = -Infinity;
  let lastFraction: number | undefined;
  let warned = false;
  let chain: Promise<void> = Promise.resolve();
  const report = (fraction: number): void => {
    if (!open) return;
    if (typeof fraction !== 'number' || !Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
      if (!warned) logger.warn('ignoring a progress report: expected a fraction between 0 and 1', { taskId, got: String(fraction).slice(0, 40) });
      warned = true;
      return;
    }
    const now = clock.nowSec();
    if (written >= MAX_PROGRESS_EVENTS_PER_STEP || now - lastSec < PROGRESS_MIN_INTERVAL_SEC || fraction === lastFraction) return;
    written++;
    lastSec = now;
    lastFraction = fraction;
    chain = chain.then(() => write(fraction, now)).catch((e: unknown) => logger.warn('could not write a progress event', { taskId, error: (e as Error).message }));
  };
  return {
    report,
    async close(): Promise<void> {
      open = false;
      await chain;
    },
  };
}
