/** Behaviour every StateCache (Redis, in-memory LRU) must show; run by each implementation's test. */
import { describe, expect, it } from 'vitest';
import type { StateCache } from '../../../src/ports/state-cache.js';

/** Options of {@link stateCacheContract}. */
export interface ContractHooks {
  /** A fresh, empty cache. */
  make(): Promise<StateCache>;
  /** Lets `sec` seconds pass for TTLs (real sleep for Redis, clock move for the LRU). */
  pass(sec: number): Promise<void>;
}

/** Registers the StateCache contract tests. */
export function stateCacheContract(name: string, hooks: ContractHooks): void {
  describe(`${name} satisfies the StateCache contract`, () => {
    it('round-trips binary state byte for byte', async () => {
      const c = await hooks.make();
      const value = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
      await c.set('k1', value, 60);
      expect(Buffer.compare((await c.get('k1'))!, value)).toBe(0);
      expect(await c.get('absent')).toBeUndefined();
      await c.close();
    });

    it('expires a value after its TTL', async () => {
      const c = await hooks.make();
      await c.set('short', Buffer.from('x'), 1);
      await c.set('long', Buffer.from('y'), 60);
      await hooks.pass(1.3);
      expect(await c.get('short')).toBeUndefined();
      expect((await c.get('long'))?.toString()).toBe('y');
      await c.close();
    });

    it('deletes values and reports memory used', async () => {
      const c = await hooks.make();
      await c.set('big', Buffer.alloc(100_000, 7), 60);
      expect(await c.usedBytes()).toBeGreaterThanOrEqual(100_000);
      await c.delete('big');
      expect(await c.get('big')).toBeUndefined();
      await c.close();
    });

    it('rejects a TTL that is not positive', async () => {
      const c = await hooks.make();
      await expect(c.set('k', Buffer.from('v'), 0)).rejects.toThrow(RangeError);
      await c.close();
    });
  });
}
