/**
 * A discrete-event queue ordered by (timeSec, priority, sequence), as in SimPy's
 * `Environment._queue` (heap of `(time, priority, eid, event)`): ties at equal time break by priority
 * (lower first), then by insertion order, so every run processes events in the same order.
 */

/** One scheduled event. */
export interface QueuedEvent<T> {
  readonly timeSec: number;
  readonly priority: number;
  readonly sequence: number;
  readonly payload: T;
}

function before<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  if (a.timeSec !== b.timeSec) return a.timeSec < b.timeSec;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.sequence < b.sequence;
}

/** Binary min-heap of events. `push` and `pop` are O(log n). */
export class EventQueue<T> {
  private readonly heap: QueuedEvent<T>[] = [];
  private nextSequence = 0;

  /** Number of events waiting. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Schedules `payload` at `timeSec` (epoch seconds).
   * @param priority lower runs first among events at the same time (default 0)
   * @throws Error when `timeSec` is not finite
   */
  push(timeSec: number, payload: T, priority = 0): QueuedEvent<T> {
    if (!Number.isFinite(timeSec)) throw new Error(`event time must be finite, got ${timeSec}`);
    const ev: QueuedEvent<T> = { timeSec, priority, sequence: this.nextSequence++, payload };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
    return ev;
  }

  /** The earliest event without removing it. */
  peek(): QueuedEvent<T> | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event. */
  pop(): QueuedEvent<T> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  /** Pops every event with `timeSec <= untilSec`, in order, including ones pushed while draining. */
  *drainUntil(untilSec: number): Generator<QueuedEvent<T>> {
    while (this.heap.length > 0 && this.heap[0].timeSec <= untilSec) yield this.pop()!;
  }
}
