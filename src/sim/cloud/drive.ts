/**
 * Runs a simulated cloud on its own (no workload), e.g. for the contract suite: processes queued
 * cloud events up to a time, advancing the clock.
 */
import type { EventQueue } from '../event-queue.js';
import type { SimClock } from '../sim-clock.js';
import { isCloudEvent, type SimEvent } from '../sim-events.js';
import type { SimulatedCloud } from './simulated-cloud.js';

/** Processes every cloud event up to `untilSec` in queue order, then sets the clock to `untilSec`. */
export function advanceCloudTo(cloud: SimulatedCloud, queue: EventQueue<SimEvent>, clock: SimClock, untilSec: number): void {
  for (const ev of queue.drainUntil(untilSec)) {
    clock.advanceTo(ev.timeSec);
    if (isCloudEvent(ev.payload)) cloud.handle(ev.payload);
  }
  clock.advanceTo(untilSec);
}
