import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import { describeStateStoreContract } from './state-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'prescale-sqlite-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStateStoreContract('SQLite (file, WAL)', async () => new SqliteStateStore(join(dir, `store-${n++}.db`)));
describeStateStoreContract('SQLite (:memory:)', async () => new SqliteStateStore(':memory:'));
