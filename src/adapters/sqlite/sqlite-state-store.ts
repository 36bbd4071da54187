/**
 * The embedded default {@link StateStore}: one SQLite database through better-sqlite3.
 *
 * Layout (schema version 1, kept in `PRAGMA user_version`):
 * - `kv(tbl, key, version, value)`: versioned items, primary key `(tbl, key)`, `value` as JSON text;
 * - `log(log, seq, at_sec, entry)`: ordered logs, primary key `(log, seq)` (append order) and an index
 *   on `(log, at_sec)` for time-window reads.
 *
 * The database runs in WAL mode (readers do not block the writer; SQLite docs, "Write-Ahead Logging"),
 * and every write runs in a `BEGIN IMMEDIATE` transaction, so two processes sharing a file serialise
 * their conditional puts and appends instead of racing. `synchronous = NORMAL`: in WAL mode a
 * committed transaction survives the process being killed; only a power loss may drop the last few
 * (SQLite docs, "PRAGMA synchronous"). Values go through `JSON.stringify`, so `NaN`
 * and `Infinity` come back as `null`, as in any JSON store.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { VersionConflictError, type StateStore, type Versioned } from '../../ports/state-store.js';

/** Options of {@link SqliteStateStore}. */
export interface SqliteStateStoreOptions {
  /**
   * Milliseconds a writer waits for another process's lock before failing (SQLite `busy_timeout`).
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
}

const SCHEMA_VERSION = 1;

/** {@link StateStore} on SQLite: a file path, or `':memory:'` for a private in-memory database. */
export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<typeof prepare>;
  /** Conditional put in one transaction: read the version, check it, write version + 1. */
  private readonly putTx: Database.Transaction<(table: string, key: string, json: string, ifVersion: number | undefined) => number>;
  /** Appends rows after the log's last sequence number in one transaction. */
  private readonly appendTx: Database.Transaction<(log: string, rows: ReadonlyArray<{ atSec: number; json: string }>) => void>;

  /**
   * Opens (creating when missing, along with its directory) the database at `path` and its tables.
   * @param path file path or `':memory:'`
   * @throws Error when the file holds a newer schema version than this code knows (nothing is changed)
   */
  constructor(path: string, opts: SqliteStateStoreOptions = {}) {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    try {
      migrate(this.db);
      this.stmts = prepare(this.db);
    } catch (e) {
      this.db.close();
      throw e;
    }
    this.putTx = this.db.transaction((table: string, key: string, json: string, ifVersion: number | undefined): number => {
      const row = this.stmts.version.get(table, key) as { version: number } | undefined;
      const found = row?.version ?? 0;
      if (ifVersion !== undefined && ifVersion !== found) {
        throw new VersionConflictError(table, key, ifVersion === 0 ? 'absent' : ifVersion, row ? found : 'absent');
      }
      this.stmts.upsert.run(table, key, found + 1, json);
      return found + 1;
    });
    this.appendTx = this.db.transaction((log: string, rows: ReadonlyArray<{ atSec: number; json: string }>) => {
      let seq = (this.stmts.maxSeq.get(log) as { seq: number }).seq;
      for (const r of rows) this.stmts.append.run(log, ++seq, r.atSec, r.json);
    });
  }

  /** @inheritdoc */
  async get<T>(table: string, key: string): Promise<Versioned<T> | undefined> {
    const row = this.stmts.get.get(table, key) as { version: number; value: string } | undefined;
    return row ? { value: JSON.parse(row.value) as T, version: row.version } : undefined;
  }

  /** @inheritdoc */
  async put<T>(table: string, key: string, value: T, opts: { ifVersion?: number } = {}): Promise<number> {
    return this.putTx.immediate(table, key, toJson(value), opts.ifVersion);
  }

  /** @inheritdoc */
  async delete(table: string, key: string): Promise<void> {
    this.stmts.delete.run(table, key);
  }

  /** @inheritdoc Keys compare as UTF-8 bytes (SQLite's BINARY collation), like DynamoDB sort keys. */
  async list<T>(table: string, opts: { prefix?: string; limit?: number } = {}): Promise<Array<{ key: string } & Versioned<T>>> {
    const limit = opts.limit ?? -1;
    const rows = (opts.prefix
      ? this.stmts.listPrefix.all(table, globPrefix(opts.prefix), limit)
      : this.stmts.list.all(table, limit)) as Array<{ key: string; version: number; value: string }>;
    return rows.map((r) => ({ key: r.key, version: r.version, value: JSON.parse(r.value) as T }));
  }

  /**
   * @inheritdoc
   * @throws RangeError when an entry's `atSec` is not a finite number (nothing of the batch is written)
   */
  async append<T extends { readonly atSec: number }>(log: string, entries: readonly T[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e, i) => {
      if (!Number.isFinite(e.atSec)) throw new RangeError(`append ${log}: entries[${i}].atSec must be a finite epoch-seconds number, got ${e.atSec}`);
      return { atSec: e.atSec, json: toJson(e) };
    });
    this.appendTx.immediate(log, rows);
  }

  /** @inheritdoc */
  async readLog<T>(log: string, opts: { fromSeq?: number; fromSec?: number; toSec?: number; limit?: number } = {}): Promise<T[]> {
    const windowed = opts.fromSec !== undefined || opts.toSec !== undefined;
    const rows = (windowed ? this.stmts.readLogWindow : this.stmts.readLog).all({
      log,
      fromSeq: opts.fromSeq ?? 0,
      fromSec: opts.fromSec ?? -Number.MAX_VALUE,
      toSec: opts.toSec ?? Number.MAX_VALUE,
      limit: opts.limit ?? -1,
    }) as Array<{ entry: string }>;
    return rows.map((r) => JSON.parse(r.entry) as T);
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`state store schema version ${version} is newer than this prescale (${SCHEMA_VERSION}); upgrade prescale`);
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    CREATE TABLE IF NOT EXISTS kv (
      tbl TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (tbl, key)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS log (
      log TEXT NOT NULL, seq INTEGER NOT NULL, at_sec REAL NOT NULL, entry TEXT NOT NULL,
      PRIMARY KEY (log, seq)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS log_by_time ON log (log, at_sec);
    PRAGMA user_version = ${SCHEMA_VERSION};
  `);
}

function prepare(db: Database.Database) {
  return {
    get: db.prepare('SELECT version, value FROM kv WHERE tbl = ? AND key = ?'),
    version: db.prepare('SELECT version FROM kv WHERE tbl = ? AND key = ?'),
    upsert: db.prepare(
      'INSERT INTO kv (tbl, key, version, value) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, key) DO UPDATE SET version = excluded.version, value = excluded.value',
    ),
    delete: db.prepare('DELETE FROM kv WHERE tbl = ? AND key = ?'),
    list: db.prepare('SELECT key, version, value FROM kv WHERE tbl = ? ORDER BY key LIMIT ?'),
    listPrefix: db.prepare('SELECT key, version, value FROM kv WHERE tbl = ? AND key GLOB ? ORDER BY key LIMIT ?'),
    maxSeq: db.prepare('SELECT COALESCE(MAX(seq), -1) AS seq FROM log WHERE log = ?'),
    append: db.prepare('INSERT INTO log (log, seq, at_sec, entry) VALUES (?, ?, ?, ?)'),
    // Without a time window the primary key (log, seq) serves the read in order; with one, the
    // (log, at_sec) index narrows the rows first.
    readLog: db.prepare(`
      SELECT entry FROM log WHERE log = @log AND seq >= @fromSeq
      ORDER BY seq LIMIT @limit`),
    readLogWindow: db.prepare(`
      SELECT entry FROM log INDEXED BY log_by_time
      WHERE log = @log AND at_sec >= @fromSec AND at_sec < @toSec AND seq >= @fromSeq
      ORDER BY seq LIMIT @limit`),
  };
}

/** A GLOB pattern matching keys that start with `prefix` (GLOB's `*`, `?` and `[` escaped as `[*]` ...). */
function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
}

function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('StateStore values must be JSON-serialisable (got undefined or a function)');
  return json;
}
