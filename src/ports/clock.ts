/**
 * Time and timers, injected (DESIGN.md rule 4). The system clock (adapters/clock), the simulator's
 * clock (sim/sim-clock) and the tests' manual clock (test/fakes/manual-clock) implement it, so
 * everything that waits (poll loops, lease renewals, heartbeats, step timeouts, sweeps) runs on
 * simulated time in a test or a backtest and on the wall clock in production.
 *
 * Units: `nowSec` is epoch seconds; every delay and period is milliseconds (`delayMs`, `periodMs`),
 * as Node's timers take them. The shape follows k8s.io/utils/clock (Now / Sleep / AfterFunc /
 * NewTicker), which Karpenter injects for the same reason.
 */
export interface Clock {
  /** Current time in epoch seconds (may be fractional). */
  nowSec(): number;
  /**
   * Resolves after `delayMs` milliseconds of this clock's time, or at once when `signal` aborts
   * (never rejects: the caller checks `signal.aborted`). A `delayMs` of 0 or less resolves on the
   * next turn of the clock.
   */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `delayMs` milliseconds unless cancelled first. */
  setTimer(delayMs: number, fn: () => void, options?: TimerOptions): Timer;
  /** Calls `fn` every `periodMs` milliseconds (first call after one period) until cancelled. */
  setRepeating(periodMs: number, fn: () => void, options?: TimerOptions): Timer;
}

/** A scheduled call that can be cancelled. */
export interface Timer {
  /** Stops the timer; a call not yet made is never made. Idempotent. */
  cancel(): void;
}

/** How a timer relates to the process it lives in. */
export interface TimerOptions {
  /**
   * When true the timer does not keep the process alive on the system clock (Node's
   * `timer.unref()`); simulated clocks ignore it. @default false
   */
  readonly background?: boolean;
}

export type { Random } from '../core/model/random.js';
