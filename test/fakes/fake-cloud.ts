/**
 * FakeCloud: a small in-memory CloudProvider for tests of code that calls the port (the tick,
 * validators). Complete, not half: owner tags, idempotency by command id, insufficient capacity,
 * not-owned, a fixed lead time with `advance(sec)`. No billing, no interruptions (use SimulatedCloud).
 * Honest where EC2 is strict: a command id reused with other parameters fails with
 * `IdempotentParameterMismatch` (as a reused EC2 ClientToken does), and `describeLagSec` hides new
 * instances from `describeCapacity` for that long (EC2's eventual consistency). Both default off.
 */
import {
  OWNER_TAG_KEY, POOL_TAG_KEY,
  commandRequestKey, type ApplyResult, type CapacitySnapshot, type Command, type Ec2Pool, type Instance, type Offering,
} from '../../src/core/model/index.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };


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

  constructor(private readonly offeringList: Offering[], startSec = 0, private readonly leadTimeSec = 90) {
    this.nowSec = startSec;
  }

  /** Moves time on; pending instances past their lead time become running. */
  advance(sec: number): void {
    this.nowSec += sec;
    for (const i of this.instances.values()) if (i.state === 'pending' && (i.readyAtSec ?? 0) <= this.nowSec) i.state = 'running';
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
    const instances = [...this.instances.values()]
      .filter((i) => i.tags[OWNER_TAG_KEY] && i.state !== 'terminated' && i.launchedAtSec + this.describeLagSec <= this.nowSec)
      .map((i) => ({ ...i }));
    return { atSec: this.nowSec, instances, caches: [] };
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
      for (let k = 0; k < c.count; k++) {
        const id = `i-fake-${++this.seq}`;
        ids.push(id);
        this.instances.set(id, {
          id, poolId: c.poolId, offeringId: o.id, instanceType: o.instanceType, market: o.market, az: o.az,
          capacityUnits: o.capacityUnits, state: this.leadTimeSec === 0 ? 'running' : 'pending', launchedAtSec: this.nowSec,
          readyAtSec: this.nowSec + this.leadTimeSec, priceUsdPerHour: o.priceUsdPerHour, commandId: c.id,
          tags: { [OWNER_TAG_KEY]: 'prescale', [POOL_TAG_KEY]: c.poolId },
        });
      }
      return { commandId: c.id, status: 'applied', instanceIds: ids };
    }
    if (c.kind === 'terminate') {
      // like the AWS provider: the owned instances of the pool go, the rest is reported
      const ours = c.instanceIds.filter((id) => this.instances.get(id)?.tags[OWNER_TAG_KEY] && this.instances.get(id)!.poolId === c.poolId);
      const rest = c.instanceIds.filter((id) => !ours.includes(id));
      if (ours.length === 0) return fail('not-owned', `not prescale's or not in pool ${c.poolId}: ${rest.join(', ')}`);
      for (const id of ours) this.instances.get(id)!.state = 'terminated';
      if (rest.length > 0) return { commandId: c.id, status: 'partial', instanceIds: ours, error: { code: 'not-owned', message: `not terminated: ${rest.join(', ')}` } };
      return { commandId: c.id, status: 'applied', instanceIds: ours };
    }
    return { commandId: c.id, status: 'applied', instanceIds: [] };
  }
}
