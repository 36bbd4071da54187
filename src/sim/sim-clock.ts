/**
 * The simulated clock: the Clock port backed by a settable time that only moves forward, with a
 * timer queue. Timers fire while time is advanced, in the order `(dueSec, sequence)`, the same
 * tie-break as the event queue (SimPy's `(time, priority, sequence)`), so a run is the same every
 * time. A timer's callback sees `nowSec()` equal to its due time.
 */
import type { Clock, Timer } from '../ports/clock.js';

interface Scheduled {
  dueSec: number;
  readonly seq: number;
  readonly fn: () => void;
  /** Seconds between calls of a repeating timer; undefined for a one-shot timer. */
  readonly periodSec: number | undefined;
  cancelled: boolean;
}

/** A Clock whose time the simulator (or a test) advances; timers fire during {@link advanceTo}. */
export class SimClock implements Clock {
  private timeSec: number;
  private seq = 0;
  private queue: Scheduled[] = [];

  /** @param startSec epoch seconds the simulation starts at */
  constructor(startSec: number) {
    this.timeSec = startSec;
  }

  nowSec(): number {
    return this.timeSec;
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = this.setTimer(delayMs, done);
      function done(): void {
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    return this.schedule(Math.max(0, delayMs) / 1000, fn, undefined);
  }

  /** @throws Error when `periodMs` is not positive (a zero period would never let time move) */
  setRepeating(periodMs: number, fn: () => void): Timer {
    if (!(periodMs > 0)) throw new Error(`sim clock: a repeating timer needs periodMs > 0, got ${periodMs}`);
    return this.schedule(periodMs / 1000, fn, periodMs / 1000);
  }

  /** Timers not yet fired nor cancelled. */
  pendingTimers(): number {
    return this.queue.filter((s) => !s.cancelled).length;
  }

  /** Epoch seconds of the next timer due, or undefined when none is pending. */
  nextDueSec(): number | undefined {
    this.queue = this.queue.filter((s) => !s.cancelled);
    return this.queue[0]?.dueSec;
  }

  /**
   * Moves time to `timeSec`, firing every timer due at or before it, in order (a repeating timer
   * fires once per period passed; timers a callback sets are fired too when due in the span).
   * @throws Error when `timeSec` is earlier than now (simulated time never goes back)
   */
  advanceTo(timeSec: number): void {
    if (timeSec < this.timeSec) throw new Error(`sim clock cannot go back from ${this.timeSec} to ${timeSec}`);
    for (;;) {
      const next = this.queue[0];
      if (!next || next.dueSec > timeSec) break;
      this.queue.shift();
      if (next.cancelled) continue;
      this.timeSec = Math.max(this.timeSec, next.dueSec);
      if (next.periodSec !== undefined) {
        next.dueSec += next.periodSec;
        this.insert(next);
      }
      next.fn();
    }
    this.timeSec = timeSec;
  }

  private schedule(delaySec: number, fn: () => void, periodSec: number | undefined): Timer {
    const s: Scheduled = { dueSec: this.timeSec + delaySec, seq: this.seq++, fn, periodSec, cancelled: false };
    this.insert(s);
    return { cancel: () => { s.cancelled = true; } };
  }

  /** Keeps the queue sorted by (dueSec, seq); binary search, so n timers cost O(n log n) to place. */
  private insert(s: Scheduled): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.queue[mid];
      if (q.dueSec < s.dueSec || (q.dueSec === s.dueSec && q.seq < s.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, s);
  }
}
