/**
 * `oracle`: perfect foresight under the same rules as every other policy. Its world's cloud makes
 * capacity ready the moment it is asked for, but bills each instance for the boot it would have
 * waited through (a policy that knows the future launches exactly one lead time ahead and pays for
 * that lead time). At every tick it holds just enough capacity for the tick's metric demand on top of
 * the running tasks, launches for tasks that would otherwise wait (at once, or, in a strategy with a
 * wait budget, for those that capacity freeing up would not start in time; packing them onto the
 * cheapest offerings per unit that fit them), and releases idle instances once their 60 s billing
 * minimum is used or after the strategy's idle time ({@link ORACLE_STRATEGIES}). Like the others it keeps the pool's on-demand floor (units and share of the units
 * it holds), the pool minimum and spot diversification (at most `maxSpotSharePerOffering` of the spot
 * units per offering, at least `minSpotOfferings` offerings). The backtest runs every strategy and
 * reports the cheapest that serves all demand: the cheapest feasible policy we know how to build, the
 * reference for "× oracle".
 *
 * EC2 warm pools (issue 19, sim/cloud/warm-pool.ts) are a tier prescale may use and the oracle does not
 * need: its capacity is already ready at once, which no warm start (30–60 s) beats, and a warm start
 * costs at least what the oracle pays per launch (a refill's initialisation, one cold lead time at the
 * on-demand price, plus the start's own 60 s minimum and the EBS held), so holding stopped instances
 * could only raise its cost.
 */
import type { Ec2Pool, Offering } from '../../core/model/index.js';
import { onDemandFloorUnits } from '../../core/plan/fleet.js';
import type { World } from '../world.js';
import type { SimTask } from '../workload/types.js';
import { cheapestPerUnit, poolFleet } from './fleet-view.js';
import type { PolicyTickContext, SimPolicy } from './types.js';
import { installBurstTier } from './burst-tier.js';

/** Units per offering id the pool holds now (ready and pending, not interrupting). */
function holdings(world: World, poolId: string): Map<string, number> {
  const f = poolFleet(world, poolId);
  const out = new Map<string, number>();
  for (const i of [...f.ready, ...f.pending]) out.set(i.offering.id, (out.get(i.offering.id) ?? 0) + i.offering.capacityUnits);
  return out;
}

/**
 * The spot offering to add one instance of: the cheapest per unit (among those fitting `fits`) that
 * keeps the pool diversified after the addition, preferring unused offerings until
 * `minSpotOfferings` are used; the cheapest fitting one when none does (diversification is then
 * restored by later additions or not attainable).
 */
export function pickSpotOffering(pool: Ec2Pool, spot: readonly Offering[], held: ReadonlyMap<string, number>, fits: (o: Offering) => boolean = () => true): Offering | undefined {
  const candidates = spot.filter(fits);
  if (candidates.length === 0) return undefined;
  let spotTotal = 0;
  let used = 0;
  for (const o of spot) { const u = held.get(o.id) ?? 0; spotTotal += u; if (u > 0) used++; }
  const ok = (o: Offering): boolean => (held.get(o.id) ?? 0) + o.capacityUnits <= pool.maxSpotSharePerOffering * (spotTotal + o.capacityUnits) + 1e-9;
  if (used < pool.minSpotOfferings) {
    const fresh = candidates.find((o) => (held.get(o.id) ?? 0) === 0);
    if (fresh) return fresh;
  }
  return candidates.find(ok) ?? candidates[0];
}

/**
 * The on-demand offering to add one instance of when the pool is `floorShortUnits` short of its
 * on-demand floor (and has a spot market for the rest): the cheapest per unit among those no larger
 * than the shortfall, else the smallest that covers it (cheapest per unit among equals), so the floor
 * is met with as few on-demand units as the sizes allow and the rest of the growth goes to spot.
 * Before this rule the oracle filled the floor with its largest on-demand size whenever the growth
 * was that large: on the 1-day suite's web pools (c7g.2xlarge, floor share 0.3) it held 88 % of
 * its web units on-demand (taxi-montage) against reactive's 22 %, and its web pool cost 1.7× reactive's.
 * @param od on-demand offerings, cheapest per unit first ({@link cheapestPerUnit})
 */
export function floorOffering(od: readonly Offering[], floorShortUnits: number, fits: (o: Offering) => boolean = () => true): Offering | undefined {
  const ok = od.filter(fits);
  const within = ok.find((x) => x.capacityUnits <= floorShortUnits + 1e-9);
  if (within) return within;
  let best: Offering | undefined;
  for (const x of ok) if (!best || x.capacityUnits < best.capacityUnits) best = x;
  return best;
}

/**
 * `offerings` ordered by their price per unit of the `needUnits` still to add (price ÷ min(capacity,
 * need): a larger instance than the need pays for units nobody uses), then larger first (fewer
 * instances for the same price), then by price per unit and id.
 * Within one family prices are linear in size, so sizes no larger than the need come first and the
 * growth overshoots it by less than the smallest size.
 */
export function bySizeToNeed(offerings: readonly Offering[], needUnits: number): Offering[] {
  const need = Math.max(1e-9, needUnits);
  const eff = (o: Offering): number => o.priceUsdPerHour / Math.min(o.capacityUnits, need);
  return offerings.slice().sort((a, b) => eff(a) - eff(b) || b.capacityUnits - a.capacityUnits || a.priceUsdPerHour / a.capacityUnits - b.priceUsdPerHour / b.capacityUnits || (a.id < b.id ? -1 : 1));
}

/** One perfect-foresight strategy of the oracle (see {@link ORACLE_STRATEGIES}). */
export interface OracleStrategy {
  /** Name shown in the report's decision counts. */
  readonly name: string;
  /**
   * An idle ready instance is released once it has been idle this long, seconds, and only when the
   * metric demand of the ticks until then (known ahead: perfect foresight) does not need it. 60: as
   * soon as its billing minimum is used.
   */
  readonly idleReleaseSec: number;
  /**
   * 0: launch the moment a task would wait. > 0: in pools without metric demand at the tick, queued
   * tasks wait for the capacity that frees up (the running tasks' finish times and the queued ones'
   * runtimes are known ahead: perfect foresight); at each tick it launches only for the tasks that
   * would not start within this many seconds ({@link lateTasks}). @default 0
   */
  readonly waitBudgetSec?: number;
  /**
   * Whether the strategy may burst steps to the Lambda tier (when the scenario has it). The burst
   * router prices a step against a launch for it alone (a boot and a 60 s minimum), so a strategy
   * that lets steps wait for held capacity is better off without it: on asg-seismology's 818,931
   * one-second steps every strategy with the tier ran the whole batch pool on Lambda (32.97 USD,
   * no EC2 instance launched) where the work costs 4.32 USD at the cheapest spot price. @default true
   */
  readonly lambda?: boolean;
}

/**
 * The strategies the `oracle` line tries (each on its own world; the cheapest that serves every
 * sample of metric demand and finishes every chain is reported, sim/backtest.ts): launch the moment
 * a task would wait and release idle capacity once its billing minimum is used (the zero-wait
 * oracle), or let tasks wait for capacity that frees up within 5 or 30 minutes (the cheapest way to
 * serve a fan-out of short steps is often to queue it, as every real policy does), with the Lambda
 * tier or on EC2 alone (`-ec2`), keeping idle capacity 10 or 20 minutes or releasing it once its
 * billing minimum is used.
 *
 * Measured on the 1-day suite (bench/suite, session 10, one strategy at a time): the `-ec2` waiting
 * strategies are the ones that make the oracle a floor under the real policies. With the tier, the
 * burst router prices each step against a launch for it alone (a boot and a 60 s minimum), so on
 * asg-seismology (818,931 one-second steps) every strategy ran the whole batch pool on Lambda
 * (32.97 USD of 35.00) and on netin-bwa every strategy cost 58.10 USD or more against prescale's
 * 44.42. On EC2 alone, and launching one instance at a time for the steps past the wait budget
 * ({@link createOraclePolicy}'s `launchForLate`), wait-1800s-release-60s-ec2 cost 6.54 USD on
 * asg-seismology (35.00 before; bound 5.63), 16.42 on netin-bwa (58.10; bound 14.56) and 8.71 on
 * elb-1000genome (17.85; bound 7.66). Before that one-at-a-time rule, releasing at 60 s cost 226.79
 * on asg-seismology (every fan-out into an empty pool launched an instance per step) and keeping
 * idle capacity 20 minutes was the better EC2 strategy there (26.62); both are kept. `keep-idle-600s`
 * (no wait, 10 minutes idle) was dropped: it was the cheapest only on netin-bwa (58.10 USD).
 */
export const ORACLE_STRATEGIES: readonly OracleStrategy[] = [
  { name: 'release-at-60s', idleReleaseSec: 60 },
  { name: 'wait-300s-keep-600s', idleReleaseSec: 600, waitBudgetSec: 300 },
  { name: 'wait-1800s-keep-1200s', idleReleaseSec: 1200, waitBudgetSec: 1800 },
  { name: 'wait-1800s-keep-1200s-ec2', idleReleaseSec: 1200, waitBudgetSec: 1800, lambda: false },
  { name: 'wait-1800s-release-60s-ec2', idleReleaseSec: 60, waitBudgetSec: 1800, lambda: false },
];

/** Instances the oracle opens one at a time per pool and tick for tasks past the wait budget, before it packs the rest at once. */
export const MAX_LATE_LAUNCHES = 64;

/** A task as {@link lateTasks} sees it. */
export interface DrainTask {
  /** vCPU it occupies. */
  readonly vcpu: number;
  /** Seconds it runs once started. */
  readonly runtimeSec: number;
}

/**
 * Which queued tasks would not start within `budgetSec` of `nowSec` on the capacity held, FIFO:
 * each vCPU of the pool is a server free from a known time (now for free vCPU, a running task's
 * finish time otherwise); a queued task takes its vCPU's earliest-free servers and starts when the
 * last of them frees, and frees them again after its runtime. Memory and instance boundaries are
 * ignored (the tasks it lets wait are re-checked at the next tick). Returns the indices of the late
 * tasks, in queue order.
 * @param freeAtSec one entry per vCPU of capacity held: when it is free, epoch seconds
 */
export function lateTasks(freeAtSec: readonly number[], queue: readonly DrainTask[], nowSec: number, budgetSec: number): number[] {
  const heap = new MinHeap(freeAtSec.map((t) => Math.max(t, nowSec)));
  const late: number[] = [];
  queue.forEach((t, i) => {
    const need = Math.max(1, Math.ceil(t.vcpu - 1e-9));
    if (heap.size < need) { late.push(i); return; }
    const taken: number[] = [];
    for (let k = 0; k < need; k++) taken.push(heap.pop());
    const start = taken[taken.length - 1];
    if (start > nowSec + budgetSec + 1e-9) {
      for (const x of taken) heap.push(x);
      late.push(i);
      return;
    }
    for (let k = 0; k < need; k++) heap.push(start + t.runtimeSec);
  });
  return late;
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly a: number[];
  constructor(values: readonly number[]) {
    this.a = [...values].sort((x, y) => x - y);
  }

  get size(): number { return this.a.length; }

  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Creates the oracle for a world built with `instantLeadTime: true`. */
export function createOraclePolicy(world: World, name = 'oracle', strategy: OracleStrategy = ORACLE_STRATEGIES[0]): SimPolicy {
  const pools = new Map(world.scenario.pools.map((p) => [p.id, p]));
  const idleSince = new Map<string, number>();
  const aheadTicks = Math.max(0, Math.ceil(strategy.idleReleaseSec / world.scenario.tickSec) - 1);
  let seq = 0;
  const launch = (pool: Ec2Pool, o: Offering, count: number, why: string): void => {
    world.cloud.applyNow({ kind: 'launch', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, offeringId: o.id, count, needAtSec: world.clock.nowSec(), expectedCostUsdPerHour: count * o.priceUsdPerHour, reason: why });
  };
  const onDemandHeld = (pool: Ec2Pool, held: ReadonlyMap<string, number>): number => {
    let u = 0;
    for (const o of world.cloud.offeringsOf(pool)) if (o.market === 'on-demand') u += held.get(o.id) ?? 0;
    return u;
  };
  /**
   * Adds `units` (at least) to the pool: on-demand up to the floor of the new total, spot for the
   * rest. With `sizeToNeed`, each spot instance is the one cheapest per unit of the growth still
   * needed ({@link bySizeToNeed}), so metric demand is followed in the smaller sizes instead of
   * rounding up to the largest one. Returns the offerings of the instances launched, in the order chosen.
   */
  const grow = (pool: Ec2Pool, units: number, why: string, fits: (o: Offering) => boolean = () => true, sizeToNeed = false): Offering[] => {
    const offerings = world.cloud.offeringsOf(pool);
    const spot = pool.markets.includes('spot') ? cheapestPerUnit(offerings, 'spot') : [];
    const od = pool.markets.includes('on-demand') ? cheapestPerUnit(offerings, 'on-demand') : [];
    const held = holdings(world, pool.id);
    let total = [...held.values()].reduce((a, b) => a + b, 0);
    const target = total + units;
    const opened: Offering[] = [];
    const counts = new Map<string, { o: Offering; n: number }>();
    const add = (o: Offering): void => {
      const c = counts.get(o.id) ?? { o, n: 0 };
      c.n++;
      counts.set(o.id, c);
      held.set(o.id, (held.get(o.id) ?? 0) + o.capacityUnits);
      total += o.capacityUnits;
      opened.push(o);
    };
    while (total < target - 1e-9 && total < pool.maxUnits) {
      const floorShort = onDemandFloorUnits(pool, target) - onDemandHeld(pool, held);
      const needOd = spot.length === 0 || floorShort > 1e-9;
      const o = needOd
        ? (spot.length === 0 ? od.find((x) => fits(x) && x.capacityUnits <= target - total + 1e-9) ?? od.find(fits) : floorOffering(od, floorShort, fits))
        : pickSpotOffering(pool, sizeToNeed ? bySizeToNeed(spot, target - total) : spot, held, fits);
      if (!o) break;
      add(o);
    }
    for (const { o, n } of [...counts.values()].sort((a, b) => (a.o.id < b.o.id ? -1 : 1))) launch(pool, o, n, why);
    return opened;
  };

  // the oracle may use every tier prescale may: a step cheaper on Lambda than on a launch for it bursts
  if (strategy.lambda !== false) installBurstTier(world, 'oracle');
  /** Opens one new instance per task of `tasks` that fits nowhere in the instances opened so far. */
  const launchFor = (pool: Ec2Pool, tasks: readonly SimTask[], why: string): void => {
    const bins: Array<{ vcpu: number; mem: number }> = [];
    for (const t of tasks) {
      let bin = bins.find((b) => b.vcpu + 1e-9 >= t.vcpu && b.mem + 1e-9 >= t.memoryGiB);
      if (!bin) {
        const fits = (o: Offering): boolean => o.vcpu + 1e-9 >= t.vcpu && o.memoryGiB + 1e-9 >= t.memoryGiB;
        const opened = grow(pool, t.vcpu, why, fits);
        if (opened.length === 0) continue;
        for (const o of opened) bins.push({ vcpu: o.vcpu, mem: o.memoryGiB });
        bin = bins.find((b) => b.vcpu + 1e-9 >= t.vcpu && b.mem + 1e-9 >= t.memoryGiB)!;
      }
      bin.vcpu -= t.vcpu;
      bin.mem -= t.memoryGiB;
    }
  };
  const waitBudgetSec = strategy.waitBudgetSec ?? 0;
  /** Whether the pool's queued tasks may wait for freed capacity now (no metric demand shares it). */
  const mayWait = (poolId: string): boolean => waitBudgetSec > 0 && world.metricDemand(poolId, Math.round((world.clock.nowSec() - world.scenario.startSec) / world.scenario.tickSec)) <= 0;

  world.workload.onShortage = (poolId) => {
    if (mayWait(poolId)) return;
    launchFor(pools.get(poolId)!, world.workload.pools.get(poolId)!.queue, 'task would wait');
  };

  /**
   * Launches for the queued tasks of `pool` that would not start within the wait budget: one
   * instance at a time (the cheapest per unit that fits the first late task), each counted as free
   * vCPU from now (the oracle's capacity is ready at once), until every queued task starts within
   * the budget ({@link lateTasks}). Before session 10 it opened an instance for every late task that
   * fitted in none opened so far, so an empty pool launched enough to run a whole fan-out at once
   * (19 instances for 300 one-second steps on asg-seismology, each billed a boot and 60 s) where one
   * instance starts them all within seconds. After `MAX_LATE_LAUNCHES` instances it falls back to
   * that packing for the rest (bounded work per tick).
   */
  const launchForLate = (pool: Ec2Pool, nowSec: number): void => {
    const place = world.workload.pools.get(pool.id)!;
    if (place.queue.length === 0) return;
    const freeAt: number[] = [];
    for (const slot of place.slots.values()) {
      if (slot.instance.state !== 'running') continue;
      for (let k = 0; k < Math.floor(slot.freeVcpu + 1e-9); k++) freeAt.push(nowSec);
      for (const t of slot.tasks) for (let k = 0; k < Math.ceil(t.vcpu - 1e-9); k++) freeAt.push((t.startedAtSec ?? nowSec) + t.runtimeSec);
    }
    const why = `tasks would wait over ${waitBudgetSec} s`;
    let late = lateTasks(freeAt, place.queue, nowSec, waitBudgetSec);
    for (let n = 0; late.length > 0 && n < MAX_LATE_LAUNCHES; n++) {
      const t = place.queue[late[0]];
      const opened = grow(pool, t.vcpu, why, (o) => o.vcpu + 1e-9 >= t.vcpu && o.memoryGiB + 1e-9 >= t.memoryGiB);
      if (opened.length === 0) return;
      for (const o of opened) for (let k = 0; k < Math.floor(o.vcpu + 1e-9); k++) freeAt.push(nowSec);
      late = lateTasks(freeAt, place.queue, nowSec, waitBudgetSec);
    }
    if (late.length > 0) launchFor(pool, late.map((i) => place.queue[i]), why);
  };

  return {
    name,
    async tick({ tickIndex, nowSec }: PolicyTickContext) {
      for (const pool of pools.values()) {
        if (mayWait(pool.id)) launchForLate(pool, nowSec);
        const place = world.workload.pools.get(pool.id)!;
        const fleet = poolFleet(world, pool.id);
        const demand = world.metricDemand(pool.id, tickIndex);
        const need = Math.max(pool.minUnits, demand + place.runningVcpu);
        const held = holdings(world, pool.id);
        const heldUnits = [...held.values()].reduce((a, b) => a + b, 0);
        const floorShort = onDemandFloorUnits(pool, need) - onDemandHeld(pool, held);
        const deficit = Math.max(need - heldUnits, floorShort);
        if (deficit > 1e-9) {
          grow(pool, deficit, `metric demand ${demand.toFixed(2)} units`, undefined, true);
          continue;
        }
        // release idle instances, dearest per unit first, keeping the floor, the minimum and diversification,
        // and the metric demand of the ticks the strategy looks ahead
        let ahead = demand;
        for (let j = 1; j <= aheadTicks; j++) ahead = Math.max(ahead, world.metricDemand(pool.id, tickIndex + j));
        const keep = Math.max(pool.minUnits, ahead + place.runningVcpu);
        let spare = heldUnits - keep;
        let odSpare = onDemandHeld(pool, held) - onDemandFloorUnits(pool, need);
        const victims: string[] = [];
        const ordered = fleet.ready.slice().sort((a, b) => b.offering.priceUsdPerHour / b.offering.capacityUnits - a.offering.priceUsdPerHour / a.offering.capacityUnits || (a.id < b.id ? -1 : 1));
        for (const i of ordered) {
          const busy = (place.slots.get(i.id)?.tasks.size ?? 0) > 0;
          if (busy) { idleSince.delete(i.id); continue; }
          const since = idleSince.get(i.id) ?? Math.max(i.launchedAtSec, nowSec - world.scenario.tickSec);
          idleSince.set(i.id, since);
          const u = i.offering.capacityUnits;
          if (u > spare + 1e-9 || nowSec - i.launchedAtSec < 60 || nowSec - since < strategy.idleReleaseSec - world.scenario.tickSec) continue;
          if (i.offering.market === 'on-demand' && u > odSpare + 1e-9) continue;
          victims.push(i.id);
          spare -= u;
          if (i.offering.market === 'on-demand') odSpare -= u;
        }
        if (victims.length > 0) world.cloud.applyNow({ kind: 'terminate', id: `${name}:${pool.id}#${++seq}`, poolId: pool.id, reason: 'idle', instanceIds: victims });
      }
    },
    extras: () => ({ forecastError: null, nextStep: null, usesPrefetch: false, decisionCounts: { [`oracle strategy ${strategy.name}`]: 1 } }),
  };
}
