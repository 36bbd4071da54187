/**
 * A last line of defence on the act path: a {@link CloudProvider} wrapper that enforces the safety
 * limits (max instances, max spend per hour, max change per tick) on the commands actually applied.
 * The tick's validate stage already drops commands that would breach a limit; if one still would
 * (state changed, a bug upstream), the guard refuses it and every later command of the tick
 * ("breaching one stops acting") and records the breach for the alarm metric.
 */
import type { ApplyResult, CapacitySnapshot, Command, Ec2Pool, Offering, SafetyLimits } from '../core/model/index.js';
import type { CloudProvider } from '../ports/index.js';

/** See module documentation. Create one per tick. */
export class SafetyGuardProvider implements CloudProvider {
  /** Why the guard stopped acting, when it did. */
  breach: string | undefined;
  /** The last snapshot the tick read (its "fresh" state before acting). */
  lastSnapshot: CapacitySnapshot | undefined;
  readonly offeringsById = new Map<string, Offering>();
  private addedInstances = 0;
  private addedSpendUsdPerHour = 0;
  private changedUnits = 0;

  constructor(private readonly inner: CloudProvider, private readonly limits: SafetyLimits) {}

  async describeCapacity(): Promise<CapacitySnapshot> {
    this.lastSnapshot = await this.inner.describeCapacity();
    this.addedInstances = 0;
    this.addedSpendUsdPerHour = 0;
    return this.lastSnapshot;
  }

  async offerings(pool: Ec2Pool): Promise<Offering[]> {
    const os = await this.inner.offerings(pool);
    for (const o of os) this.offeringsById.set(o.id, o);
    return os;
  }

  async apply(command: Command): Promise<ApplyResult> {
    const refuse = (message: string): ApplyResult => ({ commandId: command.id, status: 'failed', instanceIds: [], error: { code: 'limit-exceeded', message } });
    if (this.breach) return refuse(`safety stop: ${this.breach}`);
    const live = (this.lastSnapshot?.instances ?? []).filter((i) => i.state !== 'terminated');
    if (command.kind === 'launch') {
      const o = this.offeringsById.get(command.offeringId);
      const units = command.count * (o?.capacityUnits ?? 1);
      const spend = command.count * (o?.priceUsdPerHour ?? command.expectedCostUsdPerHour / Math.max(1, command.count));
      const instances = live.length + this.addedInstances + command.count;
      const totalSpend = live.reduce((s, i) => s + i.priceUsdPerHour, 0) + this.addedSpendUsdPerHour + spend;
      if (instances > this.limits.maxInstances) this.breach = `${instances} instances > maxInstances ${this.limits.maxInstances}`;
      else if (totalSpend > this.limits.maxSpendUsdPerHour) this.breach = `${totalSpend.toFixed(2)} USD/h > maxSpendUsdPerHour ${this.limits.maxSpendUsdPerHour}`;
      else if (this.changedUnits + units > this.limits.maxChangeUnitsPerTick) this.breach = `${this.changedUnits + units} units changed > maxChangeUnitsPerTick ${this.limits.maxChangeUnitsPerTick}`;
      if (this.breach) return refuse(`safety stop: ${this.breach}`);
      const res = await this.inner.apply(command);
      if (res.status === 'applied' || res.status === 'partial') {
        const n = res.instanceIds.length;
        this.addedInstances += n;
        this.addedSpendUsdPerHour += n * (spend / command.count);
        this.changedUnits += n * (units / command.count);
      }
      return res;
    }
    if (command.kind === 'terminate') {
      const byId = new Map(live.map((i) => [i.id, i]));
      const units = command.instanceIds.reduce((s, id) => s + (byId.get(id)?.capacityUnits ?? 0), 0);
      if (this.changedUnits + units > this.limits.maxChangeUnitsPerTick) {
        this.breach = `${this.changedUnits + units} units changed > maxChangeUnitsPerTick ${this.limits.maxChangeUnitsPerTick}`;
        return refuse(`safety stop: ${this.breach}`);
      }
      const res = await this.inner.apply(command);
      if (res.status === 'applied') this.changedUnits += units;
      return res;
    }
    return this.inner.apply(command);
  }
}
