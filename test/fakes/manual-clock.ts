/**
 * The tests' manual clock: the simulated clock plus `advanceMs`, which moves time timer by timer and
 * lets the promise continuations each timer wakes run before the next one fires, so code that
 * loops on `clock.sleep` (poll loops, lease renewals, heartbeats) advances exactly as it would on
 * the wall clock, without any real wait and whatever the machine's speed.
 */
import type { Clock } from '../../src/ports/clock.js';
import { SimClock } from '../../src/sim/sim-clock.js';

/** Lets pending promise continuations and already-queued I/O callbacks run (a few event-loop turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** See the module comment. */
export class ManualClock extends SimClock {
  /** @param startSec epoch seconds the clock starts at (default 1,700,000,000) */
  constructor(startSec = 1_700_000_000) {
    super(startSec);
  }

  /**
   * Moves time forward by `ms` milliseconds, firing the timers due on the way one at a time and
   * settling after each (see {@link settle}); ends with time at exactly now + `ms`.
   */
  async advanceMs(ms: number): Promise<void> {
    const untilSec = this.nowSec() + ms / 1000;
    await settle();
    for (;;) {
      const due = this.nextDueSec();
      if (due === undefined || due > untilSec) break;
      this.advanceTo(Math.max(this.nowSec(), due));
      await settle();
    }
    this.advanceTo(untilSec);
    await settle();
  }

  /**
   * Advances in `stepMs` steps until `done()` holds.
   * @throws Error after `maxSteps` steps without `done()` (a test that would otherwise hang)
   */
  async advanceUntil(done: () => boolean, stepMs: number, maxSteps = 10_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return;
      await this.advanceMs(stepMs);
    }
    if (!done()) throw new Error(`manual clock: condition not reached after ${maxSteps} steps of ${stepMs} ms`);
  }
}

/**
 * A clock that only tells time, read from `now` (epoch seconds), for code under test that never
 * waits (the tick). Its timers throw, so a test that starts waiting on it fails loudly; use
 * {@link ManualClock} for code that waits.
 */
export function clockReading(now: () => number): Clock {
  const noTimers = (): never => {
    throw new Error('clockReading: this test clock only tells time; use ManualClock for code that waits');
  };
  return { nowSec: now, sleep: noTimers, setTimer: noTimers, setRepeating: noTimers };
}

/**
 * Drives `clock` while `work` runs real I/O (task processes, a store): advances `stepMs` of simulated
 * time, then gives the process one short real pause for that I/O, until `work` settles. What the
 * code under test decides depends only on simulated time; a slow machine only takes more steps.
 * @throws Error after `maxSteps` steps with `work` still pending
 */
export async function driveUntilSettled<T>(clock: ManualClock, work: Promise<T>, stepMs: number, maxSteps = 20_000): Promise<T> {
  let settled = false;
  const done = work.finally(() => { settled = true; });
  for (let i = 0; i < maxSteps && !settled; i++) {
    await clock.advanceMs(stepMs);
    if (!settled) await new Promise<void>((r) => setTimeout(r, 2));
  }
  if (!settled) throw new Error(`manual clock: work still pending after ${maxSteps} steps of ${stepMs} ms`);
  return done;
}

/**
 * Drives `clock` in `stepMs` steps until `work` settles, with no real pause at all: for code under
 * test whose only waits are on `clock` and whose work runs in this process (module tasks, an
 * in-memory store), so each step's settling ({@link settle}) lets everything due run. Use
 * {@link driveUntilSettled} when real I/O (a child process) has to make progress between steps.
 * @throws Error after `maxSteps` steps with `work` still pending
 */
export async function advanceUntilSettled<T>(clock: ManualClock, work: Promise<T>, stepMs: number, maxSteps = 2_000): Promise<T> {
  let settled = false;
  const done = work.finally(() => { settled = true; });
  done.catch(() => undefined);
  await clock.advanceUntil(() => settled, stepMs, maxSteps);
  return done;
}
