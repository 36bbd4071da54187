/**
 * One simulated world: the clock, the event queue, a SimulatedCloud and the workload, for one policy.
 * Every policy gets its own world built from the same scenario and seed, so all see the same demand,
 * the same chain arrivals and the same task runtimes.
 */
import { availabilityFromOfferings, type AvailabilityProfile, type ComposerOptions, type PoolAvailability } from '../core/compose/index.js';
import { InputError, type CachePool, type Ec2Pool, type Forecast, type Offering } from '../core/model/index.js';
import { buildOfferings, DEFAULT_CACHE_NODE_TABLE } from '../core/market/index.js';
import { createRandom } from '../core/rng.js';
import { SimulatedCloud } from './cloud/simulated-cloud.js';
import { EventQueue } from './event-queue.js';
import { SimClock } from './sim-clock.js';
import { isCloudEvent, type SimEvent } from './sim-events.js';
import type { Scenario } from './scenario/schema.js';
import { ChainComposer } from './workload/composer.js';
import { Workload } from './workload/workload.js';
import type { DemandGrid } from './demand-grid.js';

/** Options changing a world's cloud for one policy. */
export interface WorldOptions {
  /** Capacity ready at once (the oracle). */
  readonly instantLeadTime?: boolean;
  /** Hold the scenario's cache pools (for a policy that uses the prefetch state cache). @default false */
  readonly withCaches?: boolean;
}

/** See module doc. */
export class World {
  readonly clock: SimClock;
  readonly queue = new EventQueue<SimEvent>();
  readonly cloud: SimulatedCloud;
  readonly workload: Workload;
  readonly offeringsByPool = new Map<string, Offering[]>();
  readonly endSec: number;
  /** The chain service's composer (absent when the scenario disables composition). */
  readonly composer?: ChainComposer;
  /** Forecasts a policy planned with, in the order recorded (see {@link recordForecasts}). */
  readonly forecasts: Forecast[] = [];

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
      leadTime: { ...scenario.leadTime, instant: opts.instantLeadTime ?? false, billBoot: opts.instantLeadTime ?? false },
      hazardMultiplier: scenario.hazardMultiplier,
      spotRisk: scenario.spotRisk,
      caches: opts.withCaches ? scenario.caches.map((pool) => cacheOf(pool)) : [],
    });
    const c = scenario.composer;
    if (c.enabled) {
      const options: Partial<ComposerOptions> = {
        ...(c.weights ? { weights: c.weights } : {}),
        ...(c.minFit !== undefined ? { minFit: c.minFit } : {}),
        fallback: c.fallback === 'queue' ? { kind: 'queue' } : { kind: 'request-capacity' },
      };
      this.composer = new ChainComposer(
        { principals: scenario.principals, policies: scenario.policies, options, overrunFactor: c.overrunFactor, maxSwitchesPerChain: c.maxSwitchesPerChain },
        (nowSec) => this.availability(nowSec),
      );
    }
    this.workload = new Workload({
      clock: this.clock,
      queue: this.queue,
      random: root.fork('workload'),
      workflows: scenario.workflows,
      arrivals: scenario.arrivals,
      poolIds: scenario.pools.map((p) => p.id),
      prefetchTtlSec: scenario.prefetchTtlSec,
      prefetchPrices: scenario.prefetchCost,
      composer: this.composer,
      cacheCapacityGiB: () => this.cloud.prefetchCacheCapacityGiB(),
    });
    this.cloud.hooks = {
      ready: (i) => this.workload.instanceReady(i),
      lost: (i, reason) => {
        if (reason === 'spot-interruption') this.workload.notes.push({ timestamp: this.clock.nowSec(), pool: i.poolId, kind: 'spot-interruption', detail: `${i.id} (${i.offering.id}) reclaimed` });
        this.workload.instanceLost(i);
      },
      cacheResized: () => this.workload.cacheResized(),
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
      if (isCloudEvent(ev.payload)) {
        this.cloud.handle(ev.payload);
        if (ev.payload.kind === 'spot-notice') {
          const inst = this.cloud.liveInstances().find((i) => i.id === (ev.payload as { instanceId: string }).instanceId);
          if (inst) this.workload.instanceNoticed(inst);
        }
      } else this.workload.handle(ev.payload);
    }
    this.workload.schedule();
    if (this.queue.peek() && this.queue.peek()!.timeSec <= untilSec) {
      this.advanceTo(untilSec);
      return;
    }
    this.clock.advanceTo(untilSec);
    if (this.composer) {
      this.workload.checkTriggers(untilSec, this.unavailablePools());
      this.workload.schedule();
    }
    this.workload.notePreps();
  }

  /**
   * Records forecasts a policy planned with (each refit's forecasts of its demand and backlog series),
   * for forecast.csv. The prescale policy calls it after every tick with the tick's new forecasts.
   */
  recordForecasts(forecasts: readonly Forecast[]): void {
    for (const f of forecasts) this.forecasts.push(f);
  }

  /** Pools whose every offering reports insufficient capacity now. */
  unavailablePools(): Set<string> {
    const out = new Set<string>();
    for (const pool of this.scenario.pools) {
      const os = this.cloud.offeringsOf(pool);
      if (os.length > 0 && os.every((o) => !o.available)) out.add(pool.id);
    }
    return out;
  }

  /**
   * The availability profile the composer scores against at `nowSec`: per pool, the units free for
   * new work — ready units not used or claimed by tasks, plus the units the pool may still launch up
   * to its `maxUnits` (every policy launches on demand) — with the cheapest spot and on-demand price
   * per unit-hour of its available offerings; a pool with no available offering is flagged
   * `insufficientCapacity`.
   */
  availability(nowSec: number): AvailabilityProfile {
    const held = new Map<string, number>();
    for (const i of this.cloud.liveInstances()) if (i.commandId !== 'foreign') held.set(i.poolId, (held.get(i.poolId) ?? 0) + i.offering.capacityUnits);
    const pools: Record<string, PoolAvailability> = {};
    for (const pool of this.scenario.pools) {
      const place = this.workload.pools.get(pool.id)!;
      const offerings = this.cloud.offeringsOf(pool);
      const freeReady = Math.max(0, place.readyUnits() - place.runningVcpu - place.queuedVcpu);
      const headroom = Math.max(0, pool.maxUnits - (held.get(pool.id) ?? 0));
      const a = availabilityFromOfferings(pool.id, offerings, [{ startSec: nowSec, availableUnits: freeReady + headroom }]);
      pools[pool.id] = offerings.some((o) => o.available) ? a : { ...a, insufficientCapacity: true };
    }
    return { atSec: nowSec, pools };
  }

  /** Metric demand of `poolId` at tick `tickIndex`, units (0 after the series or the run end). */
  metricDemand(poolId: string, tickIndex: number): number {
    return this.demand.units.get(poolId)?.[tickIndex] ?? 0;
  }
}

/**
 * A cache pool with its node's price and memory from core/market's `DEFAULT_CACHE_NODE_TABLE`.
 * @throws InputError naming the pool when its node type is not in the table
 */
function cacheOf(pool: CachePool): { pool: CachePool; priceUsdPerNodeHour: number; nodeMemoryGiB: number } {
  const node = DEFAULT_CACHE_NODE_TABLE.find((n) => n.nodeType === pool.nodeType);
  if (!node) throw new InputError({ field: `caches[${pool.id}].nodeType` }, pool.nodeType, `a node type of the cache node table (${DEFAULT_CACHE_NODE_TABLE.map((n) => n.nodeType).join(', ')})`);
  return { pool, priceUsdPerNodeHour: node.priceUsdPerHour, nodeMemoryGiB: node.memoryGiB };
}
