import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { VersionConflictError } from '../../../src/ports/state-store.js';

const dir = mkdtempSync(join(tmpdir(), 'prescale-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `s${n++}`, 'state.db');

describe('SqliteStateStore', () => {
  it('creates the directory, runs in WAL mode and keeps data across a reopen', async () => {
    const path = freshPath();
    const a = new SqliteStateStore(path);
    await a.put('chains', 'c1', { step: 3 });
    await a.append('events', [{ atSec: 5, kind: 'started' }]);
    await a.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const b = new SqliteStateStore(path);
    expect(await b.get('chains', 'c1')).toEqual({ value: { step: 3 }, version: 1 });
    await b.append('events', [{ atSec: 6, kind: 'finished' }]);
    expect(await b.readLog('events')).toEqual([{ atSec: 5, kind: 'started' }, { atSec: 6, kind: 'finished' }]);
    await b.close();
  });

  it('serialises conditional puts between two connections to one file', async () => {
    const path = freshPath();
    const a = new SqliteStateStore(path);
    const b = new SqliteStateStore(path);
    await a.put('t', 'k', 'v1');
    expect(await b.put('t', 'k', 'from b', { ifVersion: 1 })).toBe(2);
    await expect(a.put('t', 'k', 'from a', { ifVersion: 1 })).rejects.toBeInstanceOf(VersionConflictError);
    expect(await a.get('t', 'k')).toEqual({ value: 'from b', version: 2 });
    await a.close();
    await b.close();
  });

  it('answers a time-window read through the (log, at_sec) index', async () => {
    const path = freshPath();
    const s = new SqliteStateStore(path);
    await s.append('ev', Array.from({ length: 100 }, (_, i) => ({ atSec: i })));
    expect(await s.readLog('ev', { fromSec: 10, toSec: 13 })).toEqual([{ atSec: 10 }, { atSec: 11 }, { atSec: 12 }]);
    await s.close();
    const raw = new Database(path, { readonly: true });
    const plan = raw
      .prepare('EXPLAIN QUERY PLAN SELECT entry FROM log INDEXED BY log_by_time WHERE log = ? AND at_sec >= ? AND at_sec < ? ORDER BY seq')
      .all('ev', 10, 13) as Array<{ detail: string }>;
    raw.close();
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX log_by_time \(log=\? AND at_sec>\? AND at_sec<\?\)/);
  });

  it('writes nothing of an append batch holding a non-finite atSec', async () => {
    const s = new SqliteStateStore(':memory:');
    await expect(s.append('ev', [{ atSec: 1 }, { atSec: Number.NaN }])).rejects.toThrow(/entries\[1\]\.atSec must be a finite/);
    expect(await s.readLog('ev')).toEqual([]);
    await s.close();
  });

  it('rejects values JSON cannot hold and stores NaN as null', async () => {
    const s = new SqliteStateStore(':memory:');
    await expect(s.put('t', 'k', undefined)).rejects.toThrow(TypeError);
    await s.put('t', 'n', { x: Number.NaN });
    expect((await s.get('t', 'n'))?.value).toEqual({ x: null });
    await s.close();
  });

  it('refuses a database written by a newer schema version', async () => {
    const path = freshPath();
    await new SqliteStateStore(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => new SqliteStateStore(path)).toThrow(/schema version 99 is newer/);
  });
});
