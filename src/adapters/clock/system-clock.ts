/**
 * The Clock port on the wall clock: `Date.now()` and Node's timers.
 */
import type { Clock, Timer, TimerOptions } from '../../ports/clock.js';

/** The wall clock (see the module comment). Stateless; share {@link systemClock}. */
export class SystemClock implements Clock {
  nowSec(): number {
    return Date.now() / 1000;
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, delayMs));
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  setTimer(delayMs: number, fn: () => void, options?: TimerOptions): Timer {
    const t = setTimeout(fn, Math.max(0, delayMs));
    if (options?.background) t.unref();
    return { cancel: () => clearTimeout(t) };
  }

  setRepeating(periodMs: number, fn: () => void, options?: TimerOptions): Timer {
    const t = setInterval(fn, Math.max(1, periodMs));
    if (options?.background) t.unref();
    return { cancel: () => clearInterval(t) };
  }
}

/** The one system clock a composition root passes in. */
export const systemClock: Clock = new SystemClock();
