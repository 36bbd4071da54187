/**
 * A last line of defence on the act path: a {@link CloudProvider} wrapper that enforces the safety
 * limits (max instances, warm pools included, max spend per hour including the cache groups, max
 * change per tick; the one definition in core/plan/limits.ts) on the commands actually applied, cache growths included.
 * The tick's validate stage already drops commands that would breach a limit; if one still would
 * (state changed, a bug upstream), the guard refuses it and every later command of the tick
 * ("breaching one stops acting") and records the breach for the alarm metric.
 */
import { billedCacheNodes, cacheNodeCount, type ApplyResult, type CapacitySnapshot, type Command, type Ec2Pool, type Offering, type SafetyLimits } from '../core/model/index.js';
import { breachOf, breachText, cacheGrowthBreach, cacheGrowthSpend, spendOf, warmPoolBreach } from '../core/plan/limits.js';
import type { CloudProvider } from '../ports/index.js';

/** See module documentation. Create one per tick. */
export class SafetyGuardProvider implements CloudProvider {
  /** Why the guard stopped acting, when it did. */
  breach: string | undefined;
  /** The last snapshot the tick read (its "fresh" state before acting). */
  lastSnapshot: CapacitySnapshot | undefined;
  readonly offeringsById = new Map<string, Offering>();
  /**
   * This tick's launches by command id: instances added (named or only counted, as for an Auto
   * Scaling group), with their spend and units. A launch counts until a describe lists its instances
   * (EC2 is eventually consistent: a re-describe right after CreateFleet may not list them yet).
   */
  private readonly launched = new Map<string, { count: number; spendPerInstance: number; unitsPerInstance: number }>();
  private changedUnits = 0;
  /** Spend this tick's cache growths added, USD per hour (until the next describe shows them). */
  private cacheAdded = 0;
  /** Node count of each cache group after this tick's growths (until the next describe). */
  private readonly cacheNodes = new Map<string, number>();

  constructor(private readonly inner: CloudProvider, private readonly limits: SafetyLimits) {}

  async describeCapacity(): Promise<CapacitySnapshot> {
    this.lastSnapshot = await this.inner.describeCapacity();
    this.cacheNodes.clear();
    this.cacheAdded = 0; // a describe after a modification bills its larger shape (billedCacheNodes)
    return this.lastSnapshot;
  }

  async offerings(pool: Ec2Pool): Promise<Offering[]> {
    const os = await this.inner.offerings(pool);
    for (const o of os) this.offeringsById.set(o.id, o);
    return os;
  }

  /** Instances and spend of this tick's launches the last snapshot does not list yet. */
  private unseen(): { instances: number; spend: number } {
    const seen = new Map<string, number>();
    for (const i of this.lastSnapshot?.instances ?? []) if (i.commandId) seen.set(i.commandId, (seen.get(i.commandId) ?? 0) + 1);
    let instances = 0;
    let spend = 0;
    for (const [id, l] of this.launched) {
      const n = Math.max(0, l.count - (seen.get(id) ?? 0));
      instances += n;
      spend += n * l.spendPerInstance;
    }
    return { instances, spend };
  }

  async apply(command: Command): Promise<ApplyResult> {
    const refuse = (message: string): ApplyResult => ({ commandId: command.id, status: 'failed', instanceIds: [], error: { code: 'limit-exceeded', message } });
    if (this.breach) return refuse(`safety stop: ${this.breach}`);
    const live = (this.lastSnapshot?.instances ?? []).filter((i) => i.state !== 'terminated');
    if (command.kind === 'launch') {
      const o = this.offeringsById.get(command.offeringId);
      const unitsPerInstance = o?.capacityUnits ?? 1;
      const spendPerInstance = o?.priceUsdPerHour ?? command.expectedCostUsdPerHour / Math.max(1, command.count);
      const units = command.count * unitsPerInstance;
      const spend = command.count * spendPerInstance;
      const pending = this.unseen();
      const snap = this.lastSnapshot;
      const usage = { instances: live.length + pending.instances, spendUsdPerHour: (snap ? spendOf(snap) : 0) + pending.spend + this.cacheAdded, changeUnits: this.changedUnits };
      const breach = breachOf(this.limits, usage, { instances: command.count, spendUsdPerHour: spend, changeUnits: units });
      if (breach) this.breach = breachText(breach);
      if (this.breach) return refuse(`safety stop: ${this.breach}`);
      const res = await this.inner.apply(command);
      if (res.status === 'applied' || res.status === 'partial') {
        // an Auto Scaling group names no instance yet: its launchedCount counts instead
        const n = Math.max(res.instanceIds.length, res.launchedCount ?? 0);
        this.launched.set(command.id, { count: n, spendPerInstance, unitsPerInstance });
        this.changedUnits += n * unitsPerInstance;
      }
      return res;
    }
    if (command.kind === 'terminate') {
      const byId = new Map(live.map((i) => [i.id, i]));
      const units = command.instanceIds.reduce((s, id) => s + (byId.get(id)?.capacityUnits ?? 0), 0);
      const breach = breachOf(this.limits, { instances: live.length, spendUsdPerHour: 0, changeUnits: this.changedUnits }, { changeUnits: units });
      if (breach) {
        this.breach = breachText(breach);
        return refuse(`safety stop: ${this.breach}`);
      }
      const res = await this.inner.apply(command);
      if (res.status === 'applied' || res.status === 'partial') this.changedUnits += res.instanceIds.reduce((s, id) => s + (byId.get(id)?.capacityUnits ?? 0), 0);
      return res;
    }
    // a warm pool: its size counts against maxInstances (core/plan/limits.ts warmPoolBreach)
    if (command.kind === 'warm-pool') {
      if (warmPoolBreach(this.limits, live.length, command.minSize)) return refuse(`safety stop: warm pool of ${command.minSize} with ${live.length} live instance(s) exceeds maxInstances ${this.limits.maxInstances}`);
      return this.inner.apply(command);
    }
    // a cache growth: its added nodes count against the spend (shrinking is always allowed)
    const g = this.lastSnapshot?.caches.find((c) => c.poolId === command.poolId);
    const nodes = cacheNodeCount(command.shards, command.replicasPerShard);
    const prior = g ? (this.cacheNodes.get(g.poolId) ?? billedCacheNodes(g)) : 0;
    const addSpend = g ? cacheGrowthSpend(g, command.shards, command.replicasPerShard, prior) : 0;
    if (g && addSpend > 0) {
      const pending = this.unseen();
      const usage = { instances: live.length + pending.instances, spendUsdPerHour: spendOf(this.lastSnapshot!) + pending.spend + this.cacheAdded, changeUnits: this.changedUnits };
      const breach = cacheGrowthBreach(this.limits, usage, g, command.shards, command.replicasPerShard, prior);
      if (breach) {
        this.breach = breachText(breach);
        return refuse(`safety stop: ${this.breach}`);
      }
    }
    const res = await this.inner.apply(command);
    if (g && addSpend > 0 && (res.status === 'applied' || res.status === 'partial')) {
      this.cacheAdded += addSpend;
      this.cacheNodes.set(g.poolId, nodes);
    }
    return res;
  }
}
