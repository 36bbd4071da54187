/**
 * The warm-pool part of the CloudProvider contract (issue 19, EC2 Auto Scaling warm pools): every
 * provider that simulates a pool's warm instances passes it (the simulated cloud and the test fake).
 * The AWS provider applies the same command through PutWarmPool and is tested on moto
 * (test/adapters/aws/warm-pool-moto.test.ts), since moto keeps a warm pool's configuration but
 * launches no instances into it.
 *
 * The factory gives a fresh provider per test, a pool with on-demand and spot offerings, `advance(sec)`,
 * and the longest cold lead time and warm start of its model, seconds.
 */
import { describe, expect, it } from 'vitest';
import type { Ec2Pool, LaunchCommand, Offering, WarmPoolCommand } from '../../src/core/model/index.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';

/** What a warm-pool contract factory returns. */
export interface WarmPoolProviderUnderTest {
  provider: CloudProvider;
  pool: Ec2Pool;
  advance: (sec: number) => Promise<void>;
  /** Longest cold launch lead time (and so warm-instance initialisation), seconds. */
  maxColdLeadSec: number;
  /** Longest start of a stopped warm instance, seconds (below `maxColdLeadSec`). */
  maxWarmStartSec: number;
}

function warmPool(pool: Ec2Pool, offeringId: string, minSize: number, id: string): WarmPoolCommand {
  return { kind: 'warm-pool', id, poolId: pool.id, reason: 'contract test', offeringId, minSize, expectedCostUsdPerHour: 0 };
}

function launchOf(pool: Ec2Pool, offeringId: string, id: string, count: number): LaunchCommand {
  return { kind: 'launch', id, poolId: pool.id, reason: 'contract test', offeringId, count, needAtSec: 0, expectedCostUsdPerHour: 0 };
}

async function offeringOf(t: WarmPoolProviderUnderTest, market: Offering['market']): Promise<Offering> {
  const o = (await t.provider.offerings(t.pool)).find((x) => x.available && x.market === market);
  if (!o) throw new Error(`warm-pool contract: the pool has no available ${market} offering`);
  return o;
}

/** Registers the warm-pool contract suite under `name`. */
export function describeWarmPoolContract(name: string, make: () => Promise<WarmPoolProviderUnderTest>): void {
  describe(`CloudProvider warm-pool contract: ${name}`, () => {
    it('keeps warm instances stopped beside the pool, not as its capacity, once they have initialised', async () => {
      const t = await make();
      const o = await offeringOf(t, 'on-demand');
      expect((await t.provider.apply(warmPool(t.pool, o.id, 2, 'wp-1'))).status).toBe('applied');
      let snap = await t.provider.describeCapacity();
      expect(snap.warmPools?.find((w) => w.poolId === t.pool.id)).toMatchObject({ offeringId: o.id, minSize: 2, stoppedCount: 0, pendingCount: 2 });
      await t.advance(t.maxColdLeadSec + 1);
      snap = await t.provider.describeCapacity();
      expect(snap.warmPools?.find((w) => w.poolId === t.pool.id)).toMatchObject({ minSize: 2, stoppedCount: 2, pendingCount: 0 });
      expect(snap.instances.filter((i) => i.poolId === t.pool.id)).toHaveLength(0);
    });

    it('starts stopped warm instances on a launch of their offering, faster than a cold launch, and refills the pool', async () => {
      const t = await make();
      const o = await offeringOf(t, 'on-demand');
      await t.provider.apply(warmPool(t.pool, o.id, 2, 'wp-2'));
      await t.advance(t.maxColdLeadSec + 1);
      const res = await t.provider.apply(launchOf(t.pool, o.id, 'wp-launch-2', 3));
      expect(res.status).toBe('applied');
      expect(res.instanceIds).toHaveLength(3);
      await t.advance(t.maxWarmStartSec);
      const snap = await t.provider.describeCapacity();
      const states = res.instanceIds.map((id) => snap.instances.find((i) => i.id === id)?.state);
      // two came from the warm pool and are ready; the third is a cold launch, still pending
      expect(states.filter((s) => s === 'running')).toHaveLength(2);
      expect(states.filter((s) => s === 'pending')).toHaveLength(1);
      expect(snap.warmPools?.find((w) => w.poolId === t.pool.id)).toMatchObject({ minSize: 2, stoppedCount: 0, pendingCount: 2 });
    });

    it('refuses a warm pool of a spot offering (warm pools do not support Spot Instances) and keeps none', async () => {
      const t = await make();
      const o = await offeringOf(t, 'spot');
      const res = await t.provider.apply(warmPool(t.pool, o.id, 1, 'wp-3'));
      expect(res.status).toBe('failed');
      expect(res.error?.code).toBe('unsupported');
      expect((await t.provider.describeCapacity()).warmPools ?? []).toHaveLength(0);
    });

    it('applies a warm-pool command id once and refuses it reused with another size', async () => {
      const t = await make();
      const o = await offeringOf(t, 'on-demand');
      expect((await t.provider.apply(warmPool(t.pool, o.id, 1, 'wp-4'))).status).toBe('applied');
      expect((await t.provider.apply(warmPool(t.pool, o.id, 1, 'wp-4'))).status).toBe('duplicate');
      const other = await t.provider.apply(warmPool(t.pool, o.id, 3, 'wp-4'));
      expect(other.status).toBe('failed');
      expect(other.error?.code).toBe('invalid');
      expect((await t.provider.describeCapacity()).warmPools?.find((w) => w.poolId === t.pool.id)?.minSize).toBe(1);
    });

    it('empties the warm pool at minSize 0, and rejects a negative or fractional size', async () => {
      const t = await make();
      const o = await offeringOf(t, 'on-demand');
      await t.provider.apply(warmPool(t.pool, o.id, 2, 'wp-5'));
      expect((await t.provider.apply(warmPool(t.pool, o.id, 1.5, 'wp-5b'))).error?.code).toBe('invalid');
      expect((await t.provider.apply(warmPool(t.pool, o.id, 0, 'wp-5c'))).status).toBe('applied');
      const w = (await t.provider.describeCapacity()).warmPools?.find((x) => x.poolId === t.pool.id);
      expect((w?.stoppedCount ?? 0) + (w?.pendingCount ?? 0)).toBe(0);
    });
  });
}
