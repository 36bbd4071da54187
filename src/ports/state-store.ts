/**
 * Durable state: chains, executions, fitted models, the decision log, the tick's progress.
 * SQLite (embedded default) and DynamoDB implement it.
 */

/** A stored item with its version (starts at 1, incremented by every put). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** Thrown when a conditional write finds another version than expected (two writers raced). */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(readonly table: string, readonly key: string, readonly expected: number | 'absent', readonly found: number | 'absent') {
    super(`${table}/${key}: expected version ${expected}, found ${found}`);
  }
}

/** Durable key-value state with conditional writes. Values are JSON-serialisable. */
export interface StateStore {
  get<T>(table: string, key: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes `value`. With `ifVersion`, only when the stored version equals it (`0` = must not exist).
   * @returns the new version
   * @throws VersionConflictError when the condition fails
   */
  put<T>(table: string, key: string, value: T, opts?: { ifVersion?: number }): Promise<number>;
  delete(table: string, key: string): Promise<void>;
  /** Items whose key starts with `prefix`, in key order. */
  list<T>(table: string, opts?: { prefix?: string; limit?: number }): Promise<Array<{ key: string } & Versioned<T>>>;
  /**
   * Appends time-stamped entries to an ordered log (decision log, execution events). Entries keep
   * append order; `atSec` (epoch seconds) is indexed for time-window queries.
   */
  append<T extends { readonly atSec: number }>(log: string, entries: readonly T[]): Promise<void>;
  /**
   * Reads a log in append order: entries with `fromSec <= atSec < toSec` when given, starting at
   * position `fromSeq` (0-based, counted over the whole log) when given, at most `limit` entries.
   */
  readLog<T>(log: string, opts?: { fromSeq?: number; fromSec?: number; toSec?: number; limit?: number }): Promise<T[]>;
  close(): Promise<void>;
}
