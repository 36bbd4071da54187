/** A SimulatedCloud on its own queue and clock, for tests. */
import { createRandom } from '../../src/core/rng.js';
import { EventQueue } from '../../src/sim/event-queue.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import type { SimEvent } from '../../src/sim/sim-events.js';
import { SimulatedCloud, type SimulatedCloudOptions } from '../../src/sim/cloud/simulated-cloud.js';
import { advanceCloudTo } from '../../src/sim/cloud/drive.js';
import { testOfferings, testPool } from '../fakes/offerings.js';

export const T0 = 1_000_000;

export function simCloud(over: Partial<SimulatedCloudOptions> = {}) {
  const pool = testPool();
  const clock = new SimClock(T0);
  const queue = new EventQueue<SimEvent>();
  const offerings = testOfferings(pool);
  const cloud = new SimulatedCloud({ clock, queue, random: createRandom(11), pools: [pool], catalog: () => offerings, ...over });
  return { pool, clock, queue, offerings, cloud, advanceTo: (t: number) => advanceCloudTo(cloud, queue, clock, t) };
}
