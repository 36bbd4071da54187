/**
 * In-memory LRU {@link StateCache}: the embedded default when no Redis is configured. Entries expire
 * after their TTL (read against the injected clock) and the least recently used entries are evicted
 * when `maxBytes` or `maxEntries` would be exceeded.
 */
import type { Clock } from '../../ports/clock.js';
import type { StateCache } from '../../ports/state-cache.js';
import { systemClock } from '../clock/system-clock.js';

/** Options of {@link LruStateCache}. */
export interface LruStateCacheOptions {
  /** Most bytes of values held. @default 256 MiB */
  readonly maxBytes?: number;
  /** Most entries held. @default 10 000 */
  readonly maxEntries?: number;
  /** Time source for expiry. @default the system clock */
  readonly clock?: Clock;
}

/** In-memory LRU state cache. See the module comment. */
export class LruStateCache implements StateCache {
  private readonly entries = new Map<string, { value: Buffer; expiresAtSec: number }>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;

  constructor(opts: LruStateCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 256 * 2 ** 20;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.clock = opts.clock ?? systemClock;
  }

  async get(key: string): Promise<Buffer | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAtSec <= this.clock.nowSec()) {
      this.remove(key);
      return undefined;
    }
    // Re-insert to mark as most recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return Buffer.from(e.value);
  }

  /** @throws RangeError when `ttlSec` is not positive or the value alone exceeds `maxBytes` */
  async set(key: string, value: Buffer, ttlSec: number): Promise<void> {
    if (!(ttlSec > 0)) throw new RangeError(`ttlSec must be > 0, got ${ttlSec}`);
    if (value.length > this.maxBytes) throw new RangeError(`value of ${value.length} bytes exceeds the cache's ${this.maxBytes} bytes`);
    this.remove(key);
    this.entries.set(key, { value: Buffer.from(value), expiresAtSec: this.clock.nowSec() + ttlSec });
    this.bytes += value.length;
    this.evict();
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  /** Bytes of the values held (expired entries are dropped first). */
  async usedBytes(): Promise<number> {
    const now = this.clock.nowSec();
    for (const [k, e] of [...this.entries]) if (e.expiresAtSec <= now) this.remove(k);
    return this.bytes;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.value.length;
    this.entries.delete(key);
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.remove(key);
    }
  }
}
