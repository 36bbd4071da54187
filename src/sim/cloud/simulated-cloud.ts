/**
 * SimulatedCloud: the CloudProvider port over a discrete-event simulation (DESIGN.md rule 2: the
 * simulator is just another provider). Models launch lead times, per-second billing with a 60 s
 * minimum, spot interruptions with a two-minute notice drawn from each offering's hazard, rebalance
 * recommendations and insufficient-capacity episodes (spot-risk.ts, when `spotRisk` is given), ElastiCache
 * shape changes taking minutes, owner tags, idempotent apply per command id, insufficient capacity
 * for unavailable offerings and `not-owned` for foreign instances, and EC2 Auto Scaling warm pools of
 * stopped on-demand instances (warm-pool.ts: faster starts, EBS-only holding cost, reuse on scale-in).
 */
import {
  cacheNodeCount, commandRequestKey, OWNER_TAG_KEY, POOL_TAG_KEY, SPOT_INTERRUPTION_NOTICE_SEC,
  type ApplyResult, type CachePool, type CapacitySnapshot, type CloudEvent, type Command, type Ec2Pool,
  type LaunchCommand, type Offering, type Random, type ScaleCacheCommand, type TerminateCommand, type WarmPoolCommand,
} from '../../core/model/index.js';
import { drawExponential } from '../../core/rng.js';
import type { CloudProvider } from '../../ports/cloud-provider.js';
import type { EventQueue } from '../event-queue.js';
import type { SimClock } from '../sim-clock.js';
import { EVENT_PRIORITY, type CloudSimEvent, type SimEvent } from '../sim-events.js';
import { cacheGroupUsableGiB, toCacheState, type SimCacheGroup } from './cache-groups.js';
import { CostLedger, type CostAccrual } from './cost-ledger.js';
import { drawLeadTimeSec, type LeadTimeModel } from './lead-time.js';
import { toPortInstance, type SimInstance } from './sim-instance.js';
import { nextIceEpisodeSec, rebalanceAtSec, type SpotRiskModel } from './spot-risk.js';
import {
  accrueWarm, drawWarmStartSec, newWarmInstance, returnedWarmInstance, stoppedInstances, stoppedUsdPerHour,
  type SimWarmPool, type WarmPoolModel,
} from './warm-pool.js';

export type { CostAccrual } from './cost-ledger.js';

/** Callbacks the workload registers to learn about capacity changes. */
export interface SimCloudHooks {
  /** An instance became ready. */
  ready?(instance: SimInstance): void;
  /** An instance stopped (terminated or reclaimed); running work on it is lost. */
  lost?(instance: SimInstance, reason: 'terminated' | 'spot-interruption'): void;
  /** Capacity units in use by tasks running on an instance (reported as Instance.busyUnits). */
  busyUnits?(instance: SimInstance): number;
  /** A cache group finished changing shape (its usable memory may have changed). */
  cacheResized?(poolId: string): void;
}

/** Options of a simulated cloud. */
export interface SimulatedCloudOptions {
  readonly clock: SimClock;
  readonly queue: EventQueue<SimEvent>;
  /** Seeded randomness; each instance draws from `random.fork(instanceId)`. */
  readonly random: Random;
  /** EC2 pools it serves (for tags and offering look-up). */
  readonly pools: readonly Ec2Pool[];
  /** Offerings of a pool (e.g. core/market's buildOfferings). */
  readonly catalog: (pool: Ec2Pool) => readonly Offering[];
  readonly leadTime?: LeadTimeModel;
  /** Multiplies every offering's spot hazard (sensitivity runs). @default 1 */
  readonly hazardMultiplier?: number;
  /** Cache pools with their node price and memory (GiB per node). */
  readonly caches?: ReadonlyArray<{ readonly pool: CachePool; readonly priceUsdPerNodeHour: number; readonly nodeMemoryGiB: number }>;
  /** Owner tag value written on every launch. @default "prescale" */
  readonly owner?: string;
  /**
   * Seconds before `describeCapacity` lists a new instance, like EC2's eventual consistency ("it can
   * take up to several minutes", EC2 API reference "Eventual consistency"). @default 0 (backtests unchanged)
   */
  readonly describeLagSec?: number;
  /** Rebalance recommendations and insufficient-capacity episodes (spot-risk.ts). @default none */
  readonly spotRisk?: SpotRiskModel;
  /** Warm pool start times and EBS price (warm-pool.ts). @default warm-pool.ts's constants */
  readonly warmPool?: WarmPoolModel;
}

/** A simulated EC2 + ElastiCache account. See module doc. */
export class SimulatedCloud implements CloudProvider {
  private readonly instances = new Map<string, SimInstance>();
  /** Instances not terminated, in launch order (the foreign ones included). */
  private readonly live = new Map<string, SimInstance>();
  private readonly applied = new Map<string, ApplyResult>();
  private readonly requestKeys = new Map<string, string>();
  private describeLagSec: number;
  private readonly caches = new Map<string, SimCacheGroup>();
  private readonly unavailable = new Set<string>();
  /** Offerings in an insufficient-capacity episode now (spot-risk.ts). */
  private readonly iceNow = new Set<string>();
  private readonly iceHazardPerSec = new Map<string, number>();
  private readonly pendingEvents: CloudEvent[] = [];
  /** Cost per pool since the last collectCost (cost-ledger.ts). */
  private readonly cost = new CostLedger();
  private readonly reclaimAt = new Map<string, number>();
  private seq = 0;
  /** Warm pools per pool id (warm-pool.ts). */
  private readonly warm = new Map<string, SimWarmPool>();
  /** Counters for the report (`warmStarts`: launches served from a warm pool; `warmPoolUsd`: what holding and refilling them cost). */
  readonly stats = { launches: 0, terminations: 0, spotInterruptions: 0, rebalanceRecommendations: 0, insufficientCapacityErrors: 0, iceEpisodes: 0, warmStarts: 0, warmPoolUsd: 0 };
  hooks: SimCloudHooks = {};

  constructor(private readonly opts: SimulatedCloudOptions) {
    this.describeLagSec = opts.describeLagSec ?? 0;
    for (const c of opts.caches ?? []) {
      this.caches.set(c.pool.id, {
        pool: c.pool, priceUsdPerNodeHour: c.priceUsdPerNodeHour, nodeMemoryGiB: c.nodeMemoryGiB, shards: c.pool.shards,
        replicasPerShard: c.pool.replicasPerShard, costUsd: 0, lastAccruedSec: opts.clock.nowSec(),
        nodes: Array.from({ length: cacheNodeCount(c.pool.shards, c.pool.replicasPerShard) }, () => ({ startSec: opts.clock.nowSec(), hoursPaid: 0 })),
      });
    }
    if (opts.spotRisk?.enabled) this.scheduleIceEpisodes(opts.spotRisk);
  }

  /** Draws each spot offering's first insufficient-capacity episode (offerings in id order). */
  private scheduleIceEpisodes(model: SpotRiskModel): void {
    for (const pool of this.opts.pools) {
      for (const o of this.opts.catalog(pool)) {
        if (o.market !== 'spot' || this.iceHazardPerSec.has(o.id)) continue;
        this.iceHazardPerSec.set(o.id, (o.interruptionHazardPerHour * (this.opts.hazardMultiplier ?? 1)) / 3600);
      }
    }
    for (const id of [...this.iceHazardPerSec.keys()].sort()) this.pushIceStart(model, id, this.opts.clock.nowSec());
  }

  private pushIceStart(model: SpotRiskModel, offeringId: string, fromSec: number): void {
    const at = nextIceEpisodeSec(model, this.opts.random.fork(`ice:${offeringId}:${fromSec}`), fromSec, this.iceHazardPerSec.get(offeringId) ?? 0);
    if (at !== undefined && Number.isFinite(at)) this.opts.queue.push(at, { kind: 'ice-start', offeringId }, EVENT_PRIORITY.cloud);
  }

  async describeCapacity(): Promise<CapacitySnapshot> {
    const snap = this.snapshot();
    if (this.describeLagSec <= 0) return snap;
    const listedBy = this.opts.clock.nowSec() - this.describeLagSec;
    return { ...snap, instances: snap.instances.filter((i) => (this.instances.get(i.id)?.launchedAtSec ?? 0) <= listedBy) };
  }

  /** Sets the describe lag (see {@link SimulatedCloudOptions.describeLagSec}). */
  setDescribeLagSec(sec: number): void {
    this.describeLagSec = sec;
  }

  /** Synchronous describeCapacity for the simulator's own use. */
  snapshot(): CapacitySnapshot {
    const instances = [];
    for (const i of this.live.values()) {
      if (i.tags[OWNER_TAG_KEY] !== undefined) instances.push(toPortInstance(i, this.hooks.busyUnits?.(i)));
    }
    const now = this.opts.clock.nowSec();
    const warmPools = [...this.warm.values()].map((p) => {
      const stoppedCount = stoppedInstances(p, now).length;
      return { poolId: p.poolId, offeringId: p.offering.id, minSize: p.minSize, stoppedCount, pendingCount: p.instances.length - stoppedCount };
    });
    return { atSec: now, instances, caches: [...this.caches.values()].map(toCacheState), ...(warmPools.length > 0 ? { warmPools } : {}) };
  }

  async offerings(pool: Ec2Pool): Promise<Offering[]> {
    return this.offeringsOf(pool);
  }

  /** Offerings of a pool with current availability. */
  offeringsOf(pool: Ec2Pool): Offering[] {
    return this.opts.catalog(pool).map((o) => (this.unavailable.has(o.id) || this.iceNow.has(o.id) ? { ...o, available: false } : o));
  }

  /** Marks an offering (un)available; launches on an unavailable offering fail with insufficient-capacity. */
  setOfferingAvailable(offeringId: string, available: boolean): void {
    if (available) this.unavailable.delete(offeringId);
    else this.unavailable.add(offeringId);
  }

  /** Live simulated instances (not terminated), in launch order. */
  liveInstances(): SimInstance[] {
    return [...this.live.values()];
  }

  /** Creates an instance without prescale's owner tag (someone else's), for ownership tests. */
  addForeignInstance(pool: Ec2Pool): string {
    const offering = this.opts.catalog(pool)[0];
    const id = `i-foreign-${++this.seq}`;
    const now = this.opts.clock.nowSec();
    this.instances.set(id, {
      id, poolId: pool.id, offering, commandId: 'foreign', launchedAtSec: now, readyAtSec: now, state: 'running',
      tags: { Name: 'not-ours' }, billing: { startSec: now, priceUsdPerHour: 0, billedSec: 0 },
    });
    this.live.set(id, this.instances.get(id)!);
    return id;
  }

  async apply(command: Command): Promise<ApplyResult> {
    return this.applyNow(command);
  }

  /** Synchronous apply (see {@link CloudProvider.apply}). */
  applyNow(command: Command): ApplyResult {
    const prior = this.applied.get(command.id);
    if (prior && this.requestKeys.get(command.id) !== commandRequestKey(command)) {
      return this.fail(command, 'invalid', `IdempotentParameterMismatch: command id ${command.id} was already used with other parameters`);
    }
    if (prior) return { ...prior, status: 'duplicate' };
    let result: ApplyResult;
    switch (command.kind) {
      case 'launch': result = this.launch(command); break;
      case 'terminate': result = this.terminate(command); break;
      case 'scale-cache': result = this.scaleCache(command); break;
      case 'warm-pool': result = this.putWarmPool(command); break;
    }
    if (result.status !== 'failed') {
      this.applied.set(command.id, result);
      this.requestKeys.set(command.id, commandRequestKey(command));
    }
    return result;
  }

  /** Usable memory of the prefetch state cache (the first cache pool; cache-groups.ts `cacheGroupUsableGiB`), GiB; undefined without one (unbounded). */
  prefetchCacheCapacityGiB(): number | undefined {
    const g = this.caches.values().next().value as SimCacheGroup | undefined;
    return g ? cacheGroupUsableGiB(g) : undefined;
  }

  /** Cloud events (spot notices) not yet drained; each returned once. */
  drainCloudEvents(): CloudEvent[] {
    return this.pendingEvents.splice(0, this.pendingEvents.length);
  }

  /** Handles one of the cloud's own queue events. */
  handle(ev: CloudSimEvent): void {
    const now = this.opts.clock.nowSec();
    if (ev.kind === 'cache-ready') {
      const g = this.caches.get(ev.poolId);
      if (g?.pending && g.pending.readyAtSec <= now) {
        this.cost.chargeCache(g, now);
        g.shards = g.pending.shards;
        g.replicasPerShard = g.pending.replicasPerShard;
        g.pending = undefined;
        this.cost.chargeCache(g, now); // removed nodes stop being billed now
        this.hooks.cacheResized?.(g.pool.id);
      }
      return;
    }
    if (ev.kind === 'ice-start' || ev.kind === 'ice-end') {
      const model = this.opts.spotRisk;
      if (!model) return;
      if (ev.kind === 'ice-start') {
        this.iceNow.add(ev.offeringId);
        this.stats.iceEpisodes++;
        this.opts.queue.push(now + model.iceEpisodeSec, { kind: 'ice-end', offeringId: ev.offeringId }, EVENT_PRIORITY.cloud);
      } else {
        this.iceNow.delete(ev.offeringId);
        this.pushIceStart(model, ev.offeringId, now);
      }
      return;
    }
    const inst = this.instances.get(ev.instanceId);
    if (!inst || inst.state === 'terminated') return;
    if (ev.kind === 'instance-ready') {
      if (inst.state === 'pending') {
        inst.state = 'running';
        this.hooks.ready?.(inst);
      }
    } else if (ev.kind === 'rebalance') {
      if (inst.state === 'interrupting') return;
      this.stats.rebalanceRecommendations++;
      this.pendingEvents.push({ kind: 'rebalance-recommendation', atSec: now, instanceId: inst.id, offeringId: inst.offering.id });
    } else if (ev.kind === 'spot-notice') {
      inst.state = 'interrupting';
      inst.interruptionAtSec = this.reclaimAt.get(inst.id);
      this.pendingEvents.push({ kind: 'spot-interruption-notice', atSec: now, instanceId: inst.id, offeringId: inst.offering.id, actionAtSec: inst.interruptionAtSec });
    } else {
      this.stats.spotInterruptions++;
      this.stop(inst, now, 'spot-interruption');
    }
  }

  /**
   * Charges every instance and cache group up to now and returns the cost accrued per pool since the
   * previous call (pools in first-seen order), so the timeline's cost column sums to the total.
   */
  collectCost(): CostAccrual[] {
    const now = this.opts.clock.nowSec();
    for (const i of this.live.values()) this.cost.charge(i, now);
    for (const g of this.caches.values()) this.cost.chargeCache(g, now);
    for (const p of this.warm.values()) for (const w of p.instances) this.chargeWarm(p, w, now, false);
    return this.cost.collect();
  }

  private fail(command: Command, code: NonNullable<ApplyResult['error']>['code'], message: string): ApplyResult {
    return { commandId: command.id, status: 'failed', instanceIds: [], error: { code, message } };
  }

  private launch(cmd: LaunchCommand): ApplyResult {
    const pool = this.opts.pools.find((p) => p.id === cmd.poolId);
    if (!pool) return this.fail(cmd, 'invalid', `unknown pool ${cmd.poolId}`);
    if (!Number.isInteger(cmd.count) || cmd.count < 1) return this.fail(cmd, 'invalid', `count must be a positive integer, got ${cmd.count}`);
    const offering = this.opts.catalog(pool).find((o) => o.id === cmd.offeringId);
    if (!offering) return this.fail(cmd, 'invalid', `offering ${cmd.offeringId} does not match pool ${pool.id}`);
    if (!offering.available || this.unavailable.has(offering.id) || this.iceNow.has(offering.id)) {
      this.stats.insufficientCapacityErrors++;
      this.pendingEvents.push({ kind: 'insufficient-capacity', atSec: this.opts.clock.nowSec(), offeringId: offering.id });
      return this.fail(cmd, 'insufficient-capacity', `InsufficientInstanceCapacity for ${offering.id}`);
    }
    const ids: string[] = [];
    // a warm pool of this offering is drawn on first: its stopped instances start faster (warm-pool.ts)
    const wp = this.warm.get(pool.id);
    const warmIds = wp && wp.offering.id === offering.id ? stoppedInstances(wp, this.opts.clock.nowSec()).slice(0, cmd.count) : [];
    for (const w of warmIds) {
      this.chargeWarm(wp!, w, this.opts.clock.nowSec(), true);
      wp!.instances.splice(wp!.instances.indexOf(w), 1);
      ids.push(this.startInstance(pool, offering, cmd.id, drawWarmStartSec(this.opts.warmPool ?? {}, this.opts.random.fork(`warm-start:${w.id}`))));
      this.stats.warmStarts++;
    }
    for (let k = warmIds.length; k < cmd.count; k++) ids.push(this.startInstance(pool, offering, cmd.id));
    if (wp && warmIds.length > 0) this.refillWarmPool(pool, wp);
    this.stats.launches += ids.length;
    return { commandId: cmd.id, status: 'applied', instanceIds: ids };
  }

  /** @param leadSec a lead time already drawn (a warm start); absent: a cold launch's, drawn here */
  private startInstance(pool: Ec2Pool, offering: Offering, commandId: string, leadSec?: number): string {
    const now = this.opts.clock.nowSec();
    const id = this.nextInstanceId(pool);
    const rng = this.opts.random.fork(id);
    const model = this.opts.leadTime ?? {};
    const lead = leadSec ?? drawLeadTimeSec(model, offering.family, rng);
    // perfect timing (the oracle): ready now, billed from the launch it would have issued a lead time ago
    const bootSec = model.instant && model.billBoot ? drawLeadTimeSec({ ...model, instant: false }, offering.family, rng) : 0;
    const inst: SimInstance = {
      id, poolId: pool.id, offering, commandId, launchedAtSec: now, readyAtSec: now + lead,
      state: lead === 0 ? 'running' : 'pending',
      tags: { [OWNER_TAG_KEY]: this.opts.owner ?? 'prescale', [POOL_TAG_KEY]: pool.id },
      billing: { startSec: now - bootSec, priceUsdPerHour: offering.priceUsdPerHour, billedSec: 0 },
    };
    this.instances.set(id, inst);
    this.live.set(id, inst);
    if (lead > 0) this.opts.queue.push(now + lead, { kind: 'instance-ready', instanceId: id }, EVENT_PRIORITY.cloud);
    else this.hooks.ready?.(inst);
    const hazard = offering.market === 'spot' ? offering.interruptionHazardPerHour * (this.opts.hazardMultiplier ?? 1) : 0;
    if (hazard > 0) {
      const reclaimAt = now + Math.max(SPOT_INTERRUPTION_NOTICE_SEC, drawExponential(rng, hazard / 3600));
      this.opts.queue.push(reclaimAt - SPOT_INTERRUPTION_NOTICE_SEC, { kind: 'spot-notice', instanceId: id }, EVENT_PRIORITY.cloud);
      this.opts.queue.push(reclaimAt, { kind: 'spot-reclaim', instanceId: id }, EVENT_PRIORITY.cloud);
      this.reclaimAt.set(id, reclaimAt);
    }
    const risk = this.opts.spotRisk;
    if (risk?.enabled && hazard > 0) {
      const at = rebalanceAtSec(risk, rng, now, hazard / 3600, this.reclaimAt.get(id));
      if (at !== undefined) this.opts.queue.push(at, { kind: 'rebalance', instanceId: id }, EVENT_PRIORITY.cloud);
    }
    return id;
  }

  private stop(inst: SimInstance, now: number, reason: 'terminated' | 'spot-interruption'): void {
    inst.state = 'terminated';
    inst.terminatedAtSec = now;
    inst.billing.endSec = now;
    this.cost.charge(inst, now);
    this.live.delete(inst.id);
    this.reclaimAt.delete(inst.id);
    this.hooks.lost?.(inst, reason);
  }

  /** Terminates the owned instances of the command's pool; reports the rest (unknown, foreign, other pool) as not-owned. */
  private terminate(cmd: TerminateCommand): ApplyResult {
    const targets: SimInstance[] = [];
    const rest: string[] = [];
    for (const id of cmd.instanceIds) {
      const inst = this.instances.get(id);
      if (!inst) rest.push(`${id} (unknown)`);
      else if (inst.tags[OWNER_TAG_KEY] === undefined) rest.push(`${id} (lacks tag ${OWNER_TAG_KEY})`);
      else if (inst.poolId !== cmd.poolId) rest.push(`${id} (pool ${inst.poolId}, not ${cmd.poolId})`);
      else targets.push(inst);
    }
    if (targets.length === 0) return this.fail(cmd, 'not-owned', `not terminated: ${rest.join(', ')}`);
    const now = this.opts.clock.nowSec();
    const done: string[] = [];
    for (const inst of targets) {
      if (inst.state === 'terminated') continue;
      this.stop(inst, now, 'terminated');
      this.stats.terminations++;
      done.push(inst.id);
      // ReuseOnScaleIn: back to the warm pool, stopped (under a new id), in place of one still initialising
      const wp = this.warm.get(inst.poolId);
      if (wp && wp.offering.id === inst.offering.id) {
        wp.instances.push(returnedWarmInstance(this.nextInstanceId(wp), now));
        this.trimWarmPool(wp, now);
      }
    }
    if (rest.length > 0) return { commandId: cmd.id, status: 'partial', instanceIds: done, error: { code: 'not-owned', message: `not terminated: ${rest.join(', ')}` } };
    return { commandId: cmd.id, status: 'applied', instanceIds: done };
  }

  private nextInstanceId(pool: { readonly id?: string; readonly poolId?: string }): string {
    return `i-${pool.id ?? pool.poolId}-${String(++this.seq).padStart(6, '0')}`;
  }

  /** Sets a pool's warm pool size: refills it (initialisation billed on-demand) or removes the newest instances. */
  private putWarmPool(cmd: WarmPoolCommand): ApplyResult {
    const pool = this.opts.pools.find((p) => p.id === cmd.poolId);
    if (!pool) return this.fail(cmd, 'invalid', `unknown pool ${cmd.poolId}`);
    if (!Number.isInteger(cmd.minSize) || cmd.minSize < 0) return this.fail(cmd, 'invalid', `minSize must be a non-negative integer, got ${cmd.minSize}`);
    const offering = this.opts.catalog(pool).find((o) => o.id === cmd.offeringId);
    if (!offering) return this.fail(cmd, 'invalid', `offering ${cmd.offeringId} does not match pool ${pool.id}`);
    if (offering.market !== 'on-demand') return this.fail(cmd, 'unsupported', `warm pools do not support Spot Instances (${offering.id})`);
    const now = this.opts.clock.nowSec();
    let wp = this.warm.get(pool.id);
    if (wp && wp.offering.id !== offering.id) {
      // another launch template type: the old warm instances go
      for (const w of wp.instances) this.chargeWarm(wp, w, now, true);
      wp.instances.length = 0;
      wp.offering = offering;
    }
    if (!wp) this.warm.set(pool.id, (wp = { poolId: pool.id, offering, minSize: cmd.minSize, instances: [] }));
    wp.minSize = cmd.minSize;
    this.trimWarmPool(wp, now);
    this.refillWarmPool(pool, wp);
    if (wp.minSize === 0) this.warm.delete(pool.id);
    return { commandId: cmd.id, status: 'applied', instanceIds: [] };
  }

  /** Removes warm instances above the minimum size: those still initialising first (latest to stop first), then the newest. */
  private trimWarmPool(wp: SimWarmPool, now: number): void {
    while (wp.instances.length > wp.minSize) {
      let k = wp.instances.length - 1;
      let latest = now;
      wp.instances.forEach((w, j) => { if (w.stoppedAtSec > latest || (w.stoppedAtSec === latest && latest > now)) { latest = w.stoppedAtSec; k = j; } });
      this.chargeWarm(wp, wp.instances.splice(k, 1)[0], now, true);
    }
  }

  /** Launches warm instances up to the pool's minimum size; each initialises for a drawn cold lead time. */
  private refillWarmPool(pool: Ec2Pool, wp: SimWarmPool): void {
    const now = this.opts.clock.nowSec();
    while (wp.instances.length < wp.minSize) {
      const id = this.nextInstanceId(pool);
      const initSec = drawLeadTimeSec({ ...(this.opts.leadTime ?? {}), instant: false }, wp.offering.family, this.opts.random.fork(id));
      wp.instances.push(newWarmInstance(id, wp.offering, now, initSec));
    }
  }

  private chargeWarm(wp: SimWarmPool, w: Parameters<typeof accrueWarm>[0], now: number, final: boolean): void {
    const usd = accrueWarm(w, now, stoppedUsdPerHour(this.opts.warmPool?.volumeGiB, this.opts.warmPool?.usdPerGiBMonth), final);
    if (usd > 0) {
      this.cost.chargeOnDemand(wp.poolId, usd);
      this.stats.warmPoolUsd += usd;
    }
  }

  private scaleCache(cmd: ScaleCacheCommand): ApplyResult {
    const g = this.caches.get(cmd.poolId);
    if (!g) return this.fail(cmd, 'invalid', `unknown cache pool ${cmd.poolId}`);
    if (cmd.shards < 1 || cmd.replicasPerShard < 0 || cmd.replicasPerShard > 5) return this.fail(cmd, 'invalid', `shape ${cmd.shards}x${cmd.replicasPerShard} out of range`);
    const now = this.opts.clock.nowSec();
    this.cost.chargeCache(g, now);
    const grow = cmd.shards * (1 + cmd.replicasPerShard) >= g.shards * (1 + g.replicasPerShard);
    const readyAtSec = now + (grow ? g.pool.addLeadTimeSec : g.pool.removeLeadTimeSec);
    g.pending = { shards: cmd.shards, replicasPerShard: cmd.replicasPerShard, readyAtSec };
    this.cost.chargeCache(g, now); // nodes being added are billed from now
    this.opts.queue.push(readyAtSec, { kind: 'cache-ready', poolId: g.pool.id }, EVENT_PRIORITY.cloud);
    return { commandId: cmd.id, status: 'applied', instanceIds: [] };
  }
}
