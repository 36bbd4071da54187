/**
 * One simulated world: the clock, the event queue, a SimulatedCloud and the workload, for one policy.
 * Every policy gets its own world built from the same scenario and seed, so all see the same demand,
 * the same chain arrivals and the same task runtimes.
 */
import type { Ec2Pool, Offering } from '../core/model/index.js';
import { buildOfferings } from '../core/market/index.js';
import { createRandom } from '../core/rng.js';
import { SimulatedCloud } from './cloud/simulated-cloud.js';
import { EventQueue } from './event-queue.js';
import { SimClock } from './sim-clock.js';
import { isCloudEvent, type SimEvent } from './sim-events.js';
import type { Scenario } from './scenario/schema.js';
import { Workload } from './workload/workload.js';
import type { DemandGrid } from './demand-grid.js';

/** Options changing a world's cloud for one policy. */
export interface WorldOptions {
  /** Capacity ready at once (the oracle). */
  readonly instantLeadTime?: boolean;
}

/** See module doc. */
export class World {
  readonly clock: SimClock;
  readonly queue = new EventQueue<SimEvent>();
  readonly cloud: SimulatedCloud;
  readonly workload: Workload;
  readonly offeringsByPool = new Map<string, Offering[]>();
  readonly endSec: number;

  /**
   * @param scenario the parsed scenario
   * @param demand metric demand per pool per tick (shared by all worlds; see demand-grid.ts)
   */
  constructor(readonly scenario: Scenario, readonly demand: DemandGrid, opts: WorldOptions = {}) {
    this.clock = new SimClock(scenario.startSec);
    this.endSec = scenario.startSec + Math.round(scenario.days * 86_400);
    const root = createRandom(scenario.seed);
    for (const pool of scenario.pools) {
      const lead = scenario.leadTime;
      const byFamily: Record<string, number> = {};
      for (const p of scenario.prices) {
        const fam = p.instanceType.split('.')[0];
        const [lo, hi] = lead.byFamilySec[fam] ?? lead.defaultRangeSec;
        byFamily[fam] = opts.instantLeadTime ? 0 : Math.round(((lo + hi) / 2) * lead.multiplier);
      }
      this.offeringsByPool.set(pool.id, buildOfferings(pool, scenario.prices, { launchLeadTimeSecByFamily: byFamily }));
    }
    this.cloud = new SimulatedCloud({
      clock: this.clock,
      queue: this.queue,
      random: root.fork('cloud'),
      pools: scenario.pools,
      catalog: (pool: Ec2Pool) => this.offeringsByPool.get(pool.id) ?? [],
      leadTime: { ...scenario.leadTime, instant: opts.instantLeadTime ?? false },
      hazardMultiplier: scenario.hazardMultiplier,
    });
    this.workload = new Workload({
      clock: this.clock,
      queue: this.queue,
      random: root.fork('workload'),
      workflows: scenario.workflows,
      arrivals: scenario.arrivals,
      poolIds: scenario.pools.map((p) => p.id),
      prefetchTtlSec: scenario.prefetchTtlSec,
    });
    this.cloud.hooks = {
      ready: (i) => this.workload.instanceReady(i),
      lost: (i) => this.workload.instanceLost(i),
      preExecute: (c) => this.workload.preExecute(c),
    };
  }

  /** Processes every event up to and including `untilSec`, placing tasks as capacity frees up. */
  advanceTo(untilSec: number): void {
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.timeSec > untilSec) break;
      if (next.timeSec !== this.clock.nowSec()) {
        // place tasks at the current time first; that may schedule earlier events
        this.workload.schedule();
        if (this.queue.peek() !== next) continue;
        this.clock.advanceTo(next.timeSec);
      }
      const ev = this.queue.pop()!;
      if (isCloudEvent(ev.payload)) this.cloud.handle(ev.payload);
      else this.workload.handle(ev.payload);
    }
    this.workload.schedule();
    if (this.queue.peek() && this.queue.peek()!.timeSec <= untilSec) {
      this.advanceTo(untilSec);
      return;
    }
    this.clock.advanceTo(untilSec);
  }

  /** Metric demand of `poolId` at tick `tickIndex`, units (0 after the series or the run end). */
  metricDemand(poolId: string, tickIndex: number): number {
    return this.demand.units.get(poolId)?.[tickIndex] ?? 0;
  }
}
