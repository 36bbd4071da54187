/**
 * Progress events of long simulated steps (issue 22, seed 001 §1 intensity): a step whose attempt
 * runs at least {@link SIM_LONG_STEP_SEC} reports `progress` at fixed fractions of its duration, as a
 * worker's step code calling `progress(fraction)` would. Deterministic: the reports are computed when
 * the attempt starts and released into the time-ordered event log only once simulated time has
 * passed them; an attempt that ends earlier (finished, or its instance lost) cancels the rest. They
 * are not simulator queue events, so they never reorder the simulation itself.
 */
import type { ExecutionEvent } from '../../core/model/events.js';

/** Fractions a long simulated step reports (quartiles: a choice giving the tick three reports per long step). */
export const SIM_PROGRESS_FRACTIONS: readonly number[] = [0.25, 0.5, 0.75];
/**
 * Steps whose attempt lasts at least this many seconds report progress: five 60-s controller ticks
 * (the default tick), the shortest step a report can change a plan for (a choice).
 */
export const SIM_LONG_STEP_SEC = 300;

interface Pending {
  readonly taskKey: string;
  readonly event: ExecutionEvent;
  cancelled: boolean;
}

/** The pending progress reports of the running attempts (see the module comment). */
export class SimProgressEvents {
  /** Sorted by `event.atSec`, then insertion. */
  private pending: Pending[] = [];
  private readonly byTask = new Map<string, Pending[]>();

  /**
   * Schedules the reports of an attempt starting at `startSec` and lasting `durationSec` (nothing for
   * a step shorter than {@link SIM_LONG_STEP_SEC}). `base` is the step's event without kind and time.
   */
  start(taskKey: string, startSec: number, durationSec: number, base: Omit<ExecutionEvent, 'kind' | 'atSec' | 'intensity'>): void {
    if (!(durationSec >= SIM_LONG_STEP_SEC)) return;
    const mine: Pending[] = [];
    for (const f of SIM_PROGRESS_FRACTIONS) {
      const p: Pending = { taskKey, event: { ...base, kind: 'progress', atSec: startSec + f * durationSec, intensity: f }, cancelled: false };
      let lo = 0;
      let hi = this.pending.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.pending[mid].event.atSec <= p.event.atSec) lo = mid + 1;
        else hi = mid;
      }
      this.pending.splice(lo, 0, p);
      mine.push(p);
    }
    this.byTask.set(taskKey, mine);
  }

  /** The attempt of `taskKey` ended at `nowSec`: its reports after then are cancelled. */
  end(taskKey: string, nowSec: number): void {
    const mine = this.byTask.get(taskKey);
    if (!mine) return;
    for (const p of mine) if (p.event.atSec > nowSec) p.cancelled = true;
    this.byTask.delete(taskKey);
  }

  /** Moves the reports at or before `untilSec` (strictly before when `strict`) into `out`, in time order. */
  release(untilSec: number, out: ExecutionEvent[], strict = false): void {
    let k = 0;
    while (k < this.pending.length && (strict ? this.pending[k].event.atSec < untilSec : this.pending[k].event.atSec <= untilSec)) {
      if (!this.pending[k].cancelled) out.push(this.pending[k].event);
      k++;
    }
    if (k > 0) this.pending = this.pending.slice(k);
  }
}
