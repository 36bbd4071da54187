/**
 * The one contract every CloudProvider passes (DESIGN.md rule 2): the AWS provider over mocked SDK
 * clients, the simulated cloud and the test fake. Call `describeCloudProviderContract` from a
 * `*.test.ts` file with a factory giving a fresh provider per test.
 *
 * The factory may supply:
 * - `advance(sec)`: moves the provider's time on; only then does the suite expect instances to become
 *   ready (a provider over mocked SDK clients cannot promise readiness);
 * - `foreignInstanceId`: an instance that exists but lacks prescale's owner tag;
 * - `unavailableOfferingId`: an offering of `pool` whose launches fail with insufficient capacity;
 * - `restart()`: a fresh provider over the same cloud, as after a crash or a Lambda cold start (no
 *   process memory survives; the cloud's own records, such as EC2's ClientToken history, do);
 * - `setDescribeLag(sec)`: from now on, new instances are listed by `describeCapacity` only `sec`
 *   seconds after their launch (EC2's eventual consistency); needs `advance`.
 */
import { describe, expect, it } from 'vitest';
import { OWNER_TAG_KEY, type Command, type Ec2Pool, type LaunchCommand } from '../../src/core/model/index.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';

/** What a contract factory returns. */
export interface CloudProviderUnderTest {
  provider: CloudProvider;
  pool: Ec2Pool;
  advance?: (sec: number) => Promise<void>;
  foreignInstanceId?: string;
  unavailableOfferingId?: string;
  restart?: () => CloudProvider;
  setDescribeLag?: (sec: number) => void;
}

function launchOf(pool: Ec2Pool, offeringId: string, id: string, count = 1): LaunchCommand {
  return { kind: 'launch', id, poolId: pool.id, reason: 'contract test', offeringId, count, needAtSec: 0, expectedCostUsdPerHour: 0 };
}

async function firstAvailableOffering(t: CloudProviderUnderTest): Promise<string> {
  const offerings = await t.provider.offerings(t.pool);
  const o = offerings.find((x) => x.available && x.id !== t.unavailableOfferingId);
  if (!o) throw new Error('contract: the provider offers no available offering for the pool');
  return o.id;
}

/** Registers the CloudProvider contract suite under `name`. */
export function describeCloudProviderContract(name: string, make: () => Promise<CloudProviderUnderTest>): void {
  describe(`CloudProvider contract: ${name}`, () => {
    it('lists offerings matching the pool markets with positive prices and well-formed ids', async () => {
      const t = await make();
      const offerings = await t.provider.offerings(t.pool);
      expect(offerings.length).toBeGreaterThan(0);
      for (const o of offerings) {
        expect(t.pool.markets).toContain(o.market);
        expect(o.priceUsdPerHour).toBeGreaterThan(0);
        expect(o.id).toBe(`${o.instanceType}/${o.market}/${o.az}`);
        expect(o.capacityUnits).toBeGreaterThan(0);
        if (o.market === 'on-demand') expect(o.interruptionHazardPerHour).toBe(0);
      }
    });

    it('launches an available offering and describes the new instances with the owner tag', async () => {
      const t = await make();
      const offeringId = await firstAvailableOffering(t);
      const res = await t.provider.apply(launchOf(t.pool, offeringId, 'contract-launch-1', 2));
      expect(['applied', 'partial']).toContain(res.status);
      expect(res.instanceIds.length).toBeGreaterThan(0);
      const snap = await t.provider.describeCapacity();
      for (const id of res.instanceIds) {
        const inst = snap.instances.find((i) => i.id === id);
        expect(inst, `instance ${id} described`).toBeDefined();
        expect(inst!.poolId).toBe(t.pool.id);
        expect(inst!.offeringId).toBe(offeringId);
        expect(inst!.commandId).toBe('contract-launch-1');
        expect(['pending', 'running']).toContain(inst!.state);
      }
      for (const i of snap.instances) expect(i.tags[OWNER_TAG_KEY]).toBeDefined();
    });

    it('applies a command id once: a repeat returns duplicate and launches nothing', async () => {
      const t = await make();
      const offeringId = await firstAvailableOffering(t);
      const cmd = launchOf(t.pool, offeringId, 'contract-dup-1');
      const first = await t.provider.apply(cmd);
      const before = (await t.provider.describeCapacity()).instances.length;
      const second = await t.provider.apply(cmd);
      expect(first.status).toBe('applied');
      expect(second.status).toBe('duplicate');
      expect((await t.provider.describeCapacity()).instances.length).toBe(before);
    });

    it('fails a launch on an unavailable offering with insufficient-capacity and changes nothing', async () => {
      const t = await make();
      if (!t.unavailableOfferingId) return;
      const before = (await t.provider.describeCapacity()).instances.length;
      const res = await t.provider.apply(launchOf(t.pool, t.unavailableOfferingId, 'contract-ice-1'));
      expect(res.status).toBe('failed');
      expect(res.error?.code).toBe('insufficient-capacity');
      expect((await t.provider.describeCapacity()).instances.length).toBe(before);
    });

    it('refuses to terminate an instance it does not own (not-owned)', async () => {
      const t = await make();
      if (!t.foreignInstanceId) return;
      const cmd: Command = { kind: 'terminate', id: 'contract-foreign-1', poolId: t.pool.id, reason: 'contract test', instanceIds: [t.foreignInstanceId] };
      const res = await t.provider.apply(cmd);
      expect(res.status).toBe('failed');
      expect(res.error?.code).toBe('not-owned');
      expect((await t.provider.describeCapacity()).instances.some((i) => i.id === t.foreignInstanceId)).toBe(false);
    });

    it('terminates its own instances so they are no longer pending or running', async () => {
      const t = await make();
      const offeringId = await firstAvailableOffering(t);
      const launched = await t.provider.apply(launchOf(t.pool, offeringId, 'contract-term-launch'));
      const res = await t.provider.apply({ kind: 'terminate', id: 'contract-term-1', poolId: t.pool.id, reason: 'contract test', instanceIds: launched.instanceIds });
      expect(res.status).toBe('applied');
      const snap = await t.provider.describeCapacity();
      for (const id of launched.instanceIds) {
        const inst = snap.instances.find((i) => i.id === id);
        if (inst) expect(['terminated']).toContain(inst.state);
      }
    });

    it('reports a launch for an offering outside the pool as a failure instead of throwing', async () => {
      const t = await make();
      const res = await t.provider.apply(launchOf(t.pool, 'no.such-type/on-demand/zz-none-1z', 'contract-bad-1'));
      expect(res.status).toBe('failed');
      expect(res.error).toBeDefined();
    });

    it('makes launched instances ready once their lead time has passed', async () => {
      const t = await make();
      if (!t.advance) return;
      const offeringId = await firstAvailableOffering(t);
      const res = await t.provider.apply(launchOf(t.pool, offeringId, 'contract-ready-1'));
      await t.advance(900);
      const snap = await t.provider.describeCapacity();
      const inst = snap.instances.find((i) => i.id === res.instanceIds[0]);
      // a spot instance may have been reclaimed meanwhile; anything still held must be running by now
      if (inst && inst.state !== 'terminated') expect(['running', 'interrupting']).toContain(inst.state);
    });

    it('after a crash right after a launch, the same command from a restarted provider launches nothing more, even while describe lags', async () => {
      const t = await make();
      if (!t.restart || !t.setDescribeLag || !t.advance) throw new Error('contract: every provider must support restart, setDescribeLag and advance');
      t.setDescribeLag(120);
      const offeringId = await firstAvailableOffering(t);
      const cmd = launchOf(t.pool, offeringId, 'contract-crash-1', 2);
      const first = await t.provider.apply(cmd);
      expect(first.status).toBe('applied');
      // the process dies here (after the side effect, before anything is saved); a new one retries
      const again = t.restart();
      expect((await again.describeCapacity()).instances.filter((i) => i.commandId === cmd.id)).toHaveLength(0);
      const retry = await again.apply(cmd);
      expect(['applied', 'duplicate']).toContain(retry.status);
      if (retry.instanceIds.length > 0) expect([...retry.instanceIds].sort()).toEqual([...first.instanceIds].sort());
      await t.advance(180);
      const listed = (await again.describeCapacity()).instances.filter((i) => i.commandId === cmd.id && i.state !== 'terminated');
      expect(listed.map((i) => i.id).sort()).toEqual([...first.instanceIds].sort());
    });

    it('lists new instances only after the injected describe lag, then with their command id', async () => {
      const t = await make();
      if (!t.setDescribeLag || !t.advance) throw new Error('contract: every provider must support setDescribeLag and advance');
      t.setDescribeLag(90);
      const offeringId = await firstAvailableOffering(t);
      const res = await t.provider.apply(launchOf(t.pool, offeringId, 'contract-lag-1', 1));
      expect(res.status).toBe('applied');
      expect((await t.provider.describeCapacity()).instances.some((i) => i.id === res.instanceIds[0])).toBe(false);
      await t.advance(120);
      expect((await t.provider.describeCapacity()).instances.find((i) => i.id === res.instanceIds[0])?.commandId).toBe('contract-lag-1');
    });

    it('refuses a command id reused with other parameters (IdempotentParameterMismatch) and launches nothing', async () => {
      const t = await make();
      if (!t.restart || !t.setDescribeLag) throw new Error('contract: every provider must support restart and setDescribeLag');
      t.setDescribeLag(120);
      const offeringId = await firstAvailableOffering(t);
      const first = await t.provider.apply(launchOf(t.pool, offeringId, 'contract-reuse-1', 1));
      expect(first.status).toBe('applied');
      const other = await t.restart().apply(launchOf(t.pool, offeringId, 'contract-reuse-1', 3));
      expect(other.status).toBe('failed');
      expect(other.error?.code).toBe('invalid');
      expect(other.error?.message).toMatch(/IdempotentParameterMismatch/);
    });

    it('terminates the owned instances of a command that also names a foreign one, and reports the foreign one (partial)', async () => {
      const t = await make();
      if (!t.foreignInstanceId) return;
      const offeringId = await firstAvailableOffering(t);
      const mine = await t.provider.apply(launchOf(t.pool, offeringId, 'contract-mixed-launch', 1));
      const res = await t.provider.apply({ kind: 'terminate', id: 'contract-mixed-1', poolId: t.pool.id, reason: 'contract test', instanceIds: [...mine.instanceIds, t.foreignInstanceId] });
      expect(res.status).toBe('partial');
      expect(res.instanceIds).toEqual(mine.instanceIds);
      expect(res.error?.code).toBe('not-owned');
      expect(res.error?.message).toContain(t.foreignInstanceId);
      const live = (await t.provider.describeCapacity()).instances.filter((i) => mine.instanceIds.includes(i.id) && i.state !== 'terminated');
      expect(live).toEqual([]);
    });
  });
}
