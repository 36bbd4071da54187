/**
 * One runner per execution across processes sharing a {@link StateStore} (issue 15): a lease record
 * `{ ownerId, expiresAtSec }` written with conditional puts, so it works on every store with
 * versioned writes (SQLite, DynamoDB). A lease is taken when absent or expired (or already held by
 * the same owner), renewed while the runner runs, and released when it ends. The pattern is the
 * DynamoDB lock client's lease ("Building Distributed Locks with the DynamoDB Lock Client", AWS
 * Database Blog): the holder must renew before `expiresAtSec`, and another process may take over only
 * after it.
 */
import { VersionConflictError, type Clock, type StateStore } from '../../ports/index.js';
import { TABLES } from './records.js';

/** A stored lease. */
export interface LeaseRecord {
  readonly ownerId: string;
  readonly expiresAtSec: number;
}

/** The lease of one key. */
export class Lease {
  private version = 0;
  private held = false;
  /** Lease writes of this owner run one after another (a timer renewal and a step-start renewal must not race each other). */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param store the shared state store
   * @param key the execution's store key
   * @param ownerId this process's runner id (unique per process)
   * @param leaseSec how long a lease lasts without renewal, seconds
   */
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    readonly key: string,
    readonly ownerId: string,
    private readonly leaseSec: number,
  ) {}

  /** Whether this owner holds the lease (as of its last acquire or renew). */
  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Takes the lease when nobody holds it, it expired, or this owner holds it.
   * @returns true when held now; false when another owner's unexpired lease stands (or won the race)
   */
  acquire(): Promise<boolean> {
    return this.serial(() => this.acquireNow());
  }

  /** Extends the lease. @returns false when it was lost (another owner took it over after expiry) */
  renew(): Promise<boolean> {
    return this.serial(() => this.renewNow());
  }

  /** Gives the lease up (when still held), so another process need not wait for its expiry. */
  release(): Promise<void> {
    return this.serial(() => this.releaseNow());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async acquireNow(): Promise<boolean> {
    const now = this.clock.nowSec();
    const got = await this.store.get<LeaseRecord>(TABLES.leases, this.key);
    if (got && got.value.ownerId !== this.ownerId && got.value.expiresAtSec > now) return (this.held = false);
    return this.write(got?.version ?? 0, now);
  }

  private async renewNow(): Promise<boolean> {
    if (!this.held) return false;
    const now = this.clock.nowSec();
    const got = await this.store.get<LeaseRecord>(TABLES.leases, this.key);
    if (!got || got.version !== this.version || got.value.ownerId !== this.ownerId) return (this.held = false);
    return this.write(got.version, now);
  }

  private async releaseNow(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const got = await this.store.get<LeaseRecord>(TABLES.leases, this.key);
    if (got && got.version === this.version && got.value.ownerId === this.ownerId) {
      // An expired record is harmless; write it expired rather than delete, so the version keeps counting.
      await this.store.put<LeaseRecord>(TABLES.leases, this.key, { ownerId: this.ownerId, expiresAtSec: 0 }, { ifVersion: got.version }).catch((e: unknown) => {
        if (!(e instanceof VersionConflictError)) throw e;
      });
    }
  }

  private async write(ifVersion: number, now: number): Promise<boolean> {
    try {
      this.version = await this.store.put<LeaseRecord>(TABLES.leases, this.key, { ownerId: this.ownerId, expiresAtSec: now + this.leaseSec }, { ifVersion });
      return (this.held = true);
    } catch (e) {
      if (e instanceof VersionConflictError) return (this.held = false);
      throw e;
    }
  }
}
