/**
 * The simulated clock: the Clock port backed by a settable time that only moves forward.
 */
import type { Clock } from '../ports/clock.js';

/** A Clock whose time the simulator advances. */
export class SimClock implements Clock {
  private timeSec: number;

  /** @param startSec epoch seconds the simulation starts at */
  constructor(startSec: number) {
    this.timeSec = startSec;
  }

  nowSec(): number {
    return this.timeSec;
  }

  /**
   * Moves time to `timeSec`.
   * @throws Error when `timeSec` is earlier than now (simulated time never goes back)
   */
  advanceTo(timeSec: number): void {
    if (timeSec < this.timeSec) throw new Error(`sim clock cannot go back from ${this.timeSec} to ${timeSec}`);
    this.timeSec = timeSec;
  }
}
