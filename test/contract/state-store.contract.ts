/**
 * The contract every StateStore passes (src/ports/state-store.ts): SQLite (embedded default) and
 * DynamoDB. Call `describeStateStoreContract(name, make)` from a `*.test.ts` file; `make` returns a
 * fresh, empty store for each test, which the suite closes at the end of the test.
 *
 * Key order is the byte order of the keys' UTF-8 encoding (SQLite's BINARY collation and DynamoDB's
 * sort-key order agree on it); the suite only uses ASCII keys, where it is also JavaScript's order.
 */
import { describe, expect, it } from 'vitest';
import { VersionConflictError, type StateStore } from '../../src/ports/state-store.js';

/** Registers the StateStore contract suite under `name`. */
export function describeStateStoreContract(name: string, make: () => Promise<StateStore>): void {
  async function withStore(fn: (s: StateStore) => Promise<void>): Promise<void> {
    const store = await make();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  }

  describe(`StateStore contract: ${name}`, () => {
    it('returns undefined for a key never written', () =>
      withStore(async (s) => {
        expect(await s.get('chains', 'nope')).toBeUndefined();
      }));

    it('round-trips JSON values and counts versions from 1', () =>
      withStore(async (s) => {
        const value = { id: 'c-1', steps: [1, 2.5, -3], nested: { ok: true, none: null }, text: 'naïve ✓ "quoted"' };
        expect(await s.put('chains', 'c-1', value)).toBe(1);
        expect(await s.get('chains', 'c-1')).toEqual({ value, version: 1 });
        expect(await s.put('chains', 'c-1', { ...value, text: 'second' })).toBe(2);
        expect(await s.get<typeof value>('chains', 'c-1')).toEqual({ value: { ...value, text: 'second' }, version: 2 });
      }));

    it('keeps tables apart: the same key in two tables holds two items', () =>
      withStore(async (s) => {
        await s.put('a', 'k', 'in a');
        await s.put('b', 'k', 'in b');
        expect((await s.get('a', 'k'))?.value).toBe('in a');
        expect((await s.get('b', 'k'))?.value).toBe('in b');
      }));

    it('creates only when absent with ifVersion 0, and reports the version found otherwise', () =>
      withStore(async (s) => {
        expect(await s.put('t', 'k', 'first', { ifVersion: 0 })).toBe(1);
        const err = await s.put('t', 'k', 'again', { ifVersion: 0 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VersionConflictError);
        expect(err).toMatchObject({ table: 't', key: 'k', expected: 'absent', found: 1 });
        expect((await s.get('t', 'k'))?.value).toBe('first');
      }));

    it('writes with a matching ifVersion and rejects a stale one without changing the item', () =>
      withStore(async (s) => {
        await s.put('t', 'k', 'v1');
        expect(await s.put('t', 'k', 'v2', { ifVersion: 1 })).toBe(2);
        const err = await s.put('t', 'k', 'stale', { ifVersion: 1 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VersionConflictError);
        expect(err).toMatchObject({ expected: 1, found: 2 });
        expect(await s.get('t', 'k')).toEqual({ value: 'v2', version: 2 });
      }));

    it('rejects ifVersion on a missing item, reporting it absent', () =>
      withStore(async (s) => {
        const err = await s.put('t', 'missing', 'x', { ifVersion: 3 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VersionConflictError);
        expect(err).toMatchObject({ expected: 3, found: 'absent' });
        expect(await s.get('t', 'missing')).toBeUndefined();
      }));

    it('lets exactly one of two racing conditional puts win', () =>
      withStore(async (s) => {
        await s.put('t', 'k', 0);
        const results = await Promise.allSettled([s.put('t', 'k', 'a', { ifVersion: 1 }), s.put('t', 'k', 'b', { ifVersion: 1 })]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(rejected[0]!.reason).toBeInstanceOf(VersionConflictError);
        expect((await s.get('t', 'k'))?.version).toBe(2);
      }));

    it('deletes an item (deleting a missing one is a no-op) and restarts its version at 1', () =>
      withStore(async (s) => {
        await s.put('t', 'k', 'v');
        await s.put('t', 'k', 'v');
        await s.delete('t', 'k');
        await s.delete('t', 'never-there');
        expect(await s.get('t', 'k')).toBeUndefined();
        expect(await s.put('t', 'k', 'again', { ifVersion: 0 })).toBe(1);
      }));

    it('lists a table in key order, filtered by prefix and cut by limit', () =>
      withStore(async (s) => {
        for (const k of ['b/2', 'a/1', 'b/10', 'b/1', 'c']) await s.put('t', k, { k });
        await s.put('other', 'b/0', {});
        expect((await s.list('t')).map((x) => x.key)).toEqual(['a/1', 'b/1', 'b/10', 'b/2', 'c']);
        expect((await s.list('t', { prefix: 'b/' })).map((x) => x.key)).toEqual(['b/1', 'b/10', 'b/2']);
        expect((await s.list('t', { prefix: 'b/', limit: 2 })).map((x) => x.key)).toEqual(['b/1', 'b/10']);
        expect(await s.list('t', { prefix: 'a/' })).toEqual([{ key: 'a/1', value: { k: 'a/1' }, version: 1 }]);
        expect(await s.list('t', { prefix: 'zzz' })).toEqual([]);
      }));

    it('treats prefix characters literally (no wildcards)', () =>
      withStore(async (s) => {
        for (const k of ['a*b', 'axb', 'a%b', 'a_b', 'a?b', 'a[b', 'a]b']) await s.put('t', k, 1);
        for (const p of ['a*', 'a%', 'a_', 'a?', 'a[', 'a]']) {
          expect((await s.list('t', { prefix: p })).map((x) => x.key)).toEqual([`${p}b`]);
        }
      }));

    it('reads a log back in append order, even when atSec goes backwards', () =>
      withStore(async (s) => {
        await s.append('decisions', [{ atSec: 100, n: 0 }, { atSec: 50, n: 1 }]);
        await s.append('decisions', [{ atSec: 200, n: 2 }]);
        await s.append('decisions', []);
        expect((await s.readLog<{ n: number }>('decisions')).map((e) => e.n)).toEqual([0, 1, 2]);
        expect(await s.readLog('nothing-here')).toEqual([]);
      }));

    it('reads a half-open time window [fromSec, toSec) in append order', () =>
      withStore(async (s) => {
        await s.append('ev', [0, 60, 120, 180, 240].map((atSec, n) => ({ atSec, n })));
        expect((await s.readLog<{ n: number }>('ev', { fromSec: 60, toSec: 180 })).map((e) => e.n)).toEqual([1, 2]);
        expect((await s.readLog<{ n: number }>('ev', { fromSec: 180 })).map((e) => e.n)).toEqual([3, 4]);
        expect((await s.readLog<{ n: number }>('ev', { toSec: 60 })).map((e) => e.n)).toEqual([0]);
      }));

    it('counts fromSeq over the whole log and combines it with a window and a limit', () =>
      withStore(async (s) => {
        await s.append('ev', [10, 20, 30, 40, 50, 60].map((atSec, n) => ({ atSec, n })));
        expect((await s.readLog<{ n: number }>('ev', { fromSeq: 4 })).map((e) => e.n)).toEqual([4, 5]);
        expect((await s.readLog<{ n: number }>('ev', { fromSeq: 2, fromSec: 10, toSec: 50 })).map((e) => e.n)).toEqual([2, 3]);
        expect((await s.readLog<{ n: number }>('ev', { fromSeq: 1, limit: 2 })).map((e) => e.n)).toEqual([1, 2]);
        expect(await s.readLog('ev', { fromSeq: 6 })).toEqual([]);
      }));

    it('keeps logs apart and returns the entries as appended', () =>
      withStore(async (s) => {
        const entry = { atSec: 1_700_000_000.5, kind: 'started', taskId: 'mProject_ID0000001', intensity: 0.25 };
        await s.append('a', [entry]);
        await s.append('b', [{ atSec: 1 }]);
        expect(await s.readLog('a')).toEqual([entry]);
        expect(await s.readLog('b')).toEqual([{ atSec: 1 }]);
      }));
  });
}
