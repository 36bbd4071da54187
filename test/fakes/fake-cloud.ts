/**
 * FakeCloud: a small in-memory CloudProvider for tests of code that calls the port (the tick,
 * validators). Complete, not half: owner tags, idempotency by command id, insufficient capacity,
 * not-owned, a fixed lead time with `advance(sec)`, and ElastiCache replication groups (cache pools)
 * that `scale-cache` reshapes. No billing, no interruptions (use SimulatedCloud).
 * Cache groups behave as ElastiCache does: a shape change takes the pool's `addLeadTimeSec` (growing)
 * or `removeLeadTimeSec` (shrinking), during which `describeCapacity` shows it as `pending` and a
 * second change fails with `retry-later` (ElastiCache's InvalidReplicationGroupState: one
 * modification at a time); failures can be injected per cache pool (`cacheFailures`).
 * Honest where EC2 is strict: a command id reused with other parameters fails with
 * `IdempotentParameterMismatch` (as a reused EC2 ClientToken does), and `describeLagSec` hides new
 * instances from `describeCapacity` for that long (EC2's eventual consistency). Both default off.
 * Warm pools (`warm-pool`, on-demand offerings only, as EC2 Auto Scaling allows): warm instances
 * initialise for the lead time, then stop; a launch of the warm offering starts stopped ones first,
 * ready after `warmStartSec`, and the pool refills; failures can be injected per pool (`warmPoolFailures`).
 */
import {
  OWNER_TAG_KEY, POOL_TAG_KEY, cacheNodeCount,
  commandRequestKey, type ApplyResult, type CacheGroupState, type CachePool, type CapacitySnapshot, type Command, type Ec2Pool,
  type Instance, type Offering, type ScaleCacheCommand, type WarmPoolCommand, type WarmPoolState,
} from '../../src/core/model/index.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One fake replication group. */
interface FakeCacheGroup {
  readonly pool: CachePool;
  readonly priceUsdPerNodeHour: number;
  shards: number;
  replicasPerShard: number;
  pending?: { readonly shards: number; readonly replicasPerShard: number; readonly readyAtSec: number };
}

/** ElastiCache's limit on replicas per shard (ElastiCache User Guide, "Quotas": 0 to 5 replicas per shard). */
const MAX_REPLICAS_PER_SHARD = 5;

/** In-memory CloudProvider. Time starts at `startSec` and moves with `advance`. */
export class FakeCloud implements CloudProvider {
  readonly applied: Command[] = [];
  private readonly instances = new Map<string, Mutable<Instance>>();
  private readonly results = new Map<string, { params: string; result: ApplyResult }>();
  private seq = 0;
  nowSec: number;
  /** Seconds before `describeCapacity` lists a new instance (0: at once). */
  describeLagSec = 0;
  /** Launch failures to inject per offering id (e.g. `unsupported`, `quota-exceeded`), until deleted. */
  readonly launchFailures = new Map<string, NonNullable<ApplyResult['error']>>();
  /** Scale-cache failures to inject per cache pool id (e.g. `throttled`, `unauthorized`), until deleted. */
  readonly cacheFailures = new Map<string, NonNullable<ApplyResult['error']>>();
  private readonly cacheGroups = new Map<string, FakeCacheGroup>();
  /** Warm-pool failures to inject per pool id, until deleted. */
  readonly warmPoolFailures = new Map<string, NonNullable<ApplyResult['error']>>();
  private readonly warmPools = new Map<string, { offeringId: string; minSize: number; stoppedAtSec: number[] }>();

  /** @param warmStartSec seconds from a launch to ready for an instance started from a warm pool */
  constructor(private readonly offeringList: Offering[], startSec = 0, private readonly leadTimeSec = 90, private readonly warmStartSec = 30) {
    this.nowSec = startSec;
  }

  /** Moves time on; pending instances past their lead time become running. */
  advance(sec: number): void {
    this.nowSec += sec;
    for (const i of this.instances.values()) if (i.state === 'pending' && (i.readyAtSec ?? 0) <= this.nowSec) i.state = 'running';
    for (const g of this.cacheGroups.values()) this.settleCache(g);
  }

  /**
   * Adds the replication group of a cache pool, in the pool's configured shape.
   * @param priceUsdPerNodeHour on-demand node price (default 0.206, cache.r6g.large in us-east-1, AWS ElastiCache pricing)
   * @throws Error when the pool already has a group
   */
  addCacheGroup(pool: CachePool, priceUsdPerNodeHour = 0.206): void {
    if (this.cacheGroups.has(pool.id)) throw new Error(`fake cloud: cache pool ${pool.id} already has a replication group`);
    this.cacheGroups.set(pool.id, { pool, priceUsdPerNodeHour, shards: pool.shards, replicasPerShard: pool.replicasPerShard });
  }

  /** Adds an instance without the owner tag. */
  addForeign(poolId: string): string {
    const o = this.offeringList[0];
    const id = `i-foreign-${++this.seq}`;
    this.instances.set(id, {
      id, poolId, offeringId: o.id, instanceType: o.instanceType, market: o.market, az: o.az, capacityUnits: o.capacityUnits,
      state: 'running', launchedAtSec: this.nowSec, priceUsdPerHour: o.priceUsdPerHour, commandId: 'foreign', tags: {},
    });
    return id;
  }

  async describeCapacity(): Promise<CapacitySnapshot> {
    for (const g of this.cacheGroups.values()) this.settleCache(g);
    const instances = [...this.instances.values()]
      .filter((i) => i.tags[OWNER_TAG_KEY] && i.state !== 'terminated' && i.launchedAtSec + this.describeLagSec <= this.nowSec)
      .map((i) => ({ ...i }));
    const caches: CacheGroupState[] = [...this.cacheGroups.values()].map((g) => ({
      poolId: g.pool.id, replicationGroupId: `prescale-${g.pool.id}`, nodeType: g.pool.nodeType, shards: g.shards, replicasPerShard: g.replicasPerShard,
      ...(g.pending ? { pending: { ...g.pending } } : {}), priceUsdPerNodeHour: g.priceUsdPerNodeHour,
    }));
    const warmPools: WarmPoolState[] = [...this.warmPools].map(([poolId, w]) => {
      const stoppedCount = w.stoppedAtSec.filter((t) => t <= this.nowSec).length;
      return { poolId, offeringId: w.offeringId, minSize: w.minSize, stoppedCount, pendingCount: w.stoppedAtSec.length - stoppedCount };
    });
    return { atSec: this.nowSec, instances, caches, ...(warmPools.length > 0 ? { warmPools } : {}) };
  }

  async offerings(pool: Ec2Pool): Promise<Offering[]> {
    return this.offeringList.filter((o) => pool.markets.includes(o.market) && pool.availabilityZones.includes(o.az));
  }

  async apply(command: Command): Promise<ApplyResult> {
    const params = commandRequestKey(command);
    const prior = this.results.get(command.id);
    if (prior && prior.params !== params) {
      return { commandId: command.id, status: 'failed', instanceIds: [], error: { code: 'invalid', message: `IdempotentParameterMismatch: command id ${command.id} was already used with other parameters` } };
    }
    if (prior) return { ...prior.result, status: 'duplicate' };
    this.applied.push(command);
    const result = this.run(command);
    if (result.status !== 'failed') this.results.set(command.id, { params, result });
    return result;
  }

  private run(c: Command): ApplyResult {
    const fail = (code: NonNullable<ApplyResult['error']>['code'], message: string): ApplyResult => ({ commandId: c.id, status: 'failed', instanceIds: [], error: { code, message } });
    if (c.kind === 'launch') {
      const o = this.offeringList.find((x) => x.id === c.offeringId);
      if (!o) return fail('invalid', `unknown offering ${c.offeringId}`);
      if (!o.available) return fail('insufficient-capacity', `no capacity for ${o.id}`);
      const injected = this.launchFailures.get(o.id);
      if (injected) return fail(injected.code, injected.message);
      const ids: string[] = [];
      const warm = this.warmPools.get(c.poolId);
      let warmStarts = 0;
      if (warm && warm.offeringId === o.id) {
        for (let k = 0; k < warm.stoppedAtSec.length && warmStarts < c.count;) {
          if (warm.stoppedAtSec[k] <= this.nowSec) { warm.stoppedAtSec.splice(k, 1); warmStarts++; } else k++;
        }
      }
      for (let k = 0; k < c.count; k++) {
        const id = `i-fake-${++this.seq}`;
        ids.push(id);
        const lead = k < warmStarts ? this.warmStartSec : this.leadTimeSec;
        this.instances.set(id, {
          id, poolId: c.poolId, offeringId: o.id, instanceType: o.instanceType, market: o.market, az: o.az,
          capacityUnits: o.capacityUnits, state: lead === 0 ? 'running' : 'pending', launchedAtSec: this.nowSec,
          readyAtSec: this.nowSec + lead, priceUsdPerHour: o.priceUsdPerHour, commandId: c.id,
          tags: { [OWNER_TAG_KEY]: 'prescale', [POOL_TAG_KEY]: c.poolId },
        });
      }
      if (warm) while (warm.stoppedAtSec.length < warm.minSize) warm.stoppedAtSec.push(this.nowSec + this.leadTimeSec);
      return { commandId: c.id, status: 'applied', instanceIds: ids };
    }
    if (c.kind === 'warm-pool') return this.putWarmPool(c);
    if (c.kind === 'terminate') {
      // like the AWS provider: the owned instances of the pool go, the rest is reported
      const ours = c.instanceIds.filter((id) => this.instances.get(id)?.tags[OWNER_TAG_KEY] && this.instances.get(id)!.poolId === c.poolId);
      const rest = c.instanceIds.filter((id) => !ours.includes(id));
      if (ours.length === 0) return fail('not-owned', `not prescale's or not in pool ${c.poolId}: ${rest.join(', ')}`);
      for (const id of ours) this.instances.get(id)!.state = 'terminated';
      if (rest.length > 0) return { commandId: c.id, status: 'partial', instanceIds: ours, error: { code: 'not-owned', message: `not terminated: ${rest.join(', ')}` } };
      return { commandId: c.id, status: 'applied', instanceIds: ours };
    }
    return this.scaleCache(c);
  }

  private putWarmPool(c: WarmPoolCommand): ApplyResult {
    const fail = (code: NonNullable<ApplyResult['error']>['code'], message: string): ApplyResult => ({ commandId: c.id, status: 'failed', instanceIds: [], error: { code, message } });
    const o = this.offeringList.find((x) => x.id === c.offeringId);
    if (!o) return fail('invalid', `unknown offering ${c.offeringId}`);
    if (o.market !== 'on-demand') return fail('unsupported', `warm pools do not support Spot Instances (${o.id})`);
    if (!Number.isInteger(c.minSize) || c.minSize < 0) return fail('invalid', `minSize must be a non-negative integer, got ${c.minSize}`);
    const injected = this.warmPoolFailures.get(c.poolId);
    if (injected) return fail(injected.code, injected.message);
    const prior = this.warmPools.get(c.poolId);
    const w = prior && prior.offeringId === o.id ? prior : { offeringId: o.id, minSize: 0, stoppedAtSec: [] as number[] };
    w.minSize = c.minSize;
    w.stoppedAtSec.splice(c.minSize);
    while (w.stoppedAtSec.length < w.minSize) w.stoppedAtSec.push(this.nowSec + this.leadTimeSec);
    if (w.minSize === 0) this.warmPools.delete(c.poolId);
    else this.warmPools.set(c.poolId, w);
    return { commandId: c.id, status: 'applied', instanceIds: [] };
  }

  private scaleCache(c: ScaleCacheCommand): ApplyResult {
    const fail = (code: NonNullable<ApplyResult['error']>['code'], message: string): ApplyResult => ({ commandId: c.id, status: 'failed', instanceIds: [], error: { code, message } });
    const g = this.cacheGroups.get(c.poolId);
    if (!g) return fail('invalid', `unknown cache pool ${c.poolId}`);
    if (!Number.isInteger(c.shards) || c.shards < 1 || !Number.isInteger(c.replicasPerShard) || c.replicasPerShard < 0 || c.replicasPerShard > MAX_REPLICAS_PER_SHARD) {
      return fail('invalid', `shape ${c.shards} shards x ${c.replicasPerShard} replicas is out of range (shards >= 1, replicas 0..${MAX_REPLICAS_PER_SHARD})`);
    }
    const injected = this.cacheFailures.get(c.poolId);
    if (injected) return fail(injected.code, injected.message);
    this.settleCache(g);
    if (g.pending) return fail('retry-later', `replication group prescale-${g.pool.id} is modifying; one modification at a time, retry on a later tick`);
    if (g.shards === c.shards && g.replicasPerShard === c.replicasPerShard) return { commandId: c.id, status: 'applied', instanceIds: [] };
    const grow = cacheNodeCount(c.shards, c.replicasPerShard) >= cacheNodeCount(g.shards, g.replicasPerShard);
    g.pending = { shards: c.shards, replicasPerShard: c.replicasPerShard, readyAtSec: this.nowSec + (grow ? g.pool.addLeadTimeSec : g.pool.removeLeadTimeSec) };
    this.settleCache(g);
    return { commandId: c.id, status: 'applied', instanceIds: [] };
  }

  /** Completes a group's modification once its time has come. */
  private settleCache(g: FakeCacheGroup): void {
    if (!g.pending || g.pending.readyAtSec > this.nowSec) return;
    g.shards = g.pending.shards;
    g.replicasPerShard = g.pending.replicasPerShard;
    g.pending = undefined;
  }
}
