/**
 * Fast, expiring cache for prepared step state (seed 000: "serialized and stored in a fast-access
 * cache, e.g. Redis"). Redis/ElastiCache and an in-memory LRU implement it.
 */
export interface StateCache {
  /** The value, or undefined when absent or expired. @throws CacheUnavailableError when unreachable */
  get(key: string): Promise<Buffer | undefined>;
  /** Stores `value` for `ttlSec` seconds. @throws CacheUnavailableError when unreachable */
  set(key: string, value: Buffer, ttlSec: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Bytes used, as the server reports. */
  usedBytes(): Promise<number>;
  close(): Promise<void>;
}

/** The cache cannot be reached; callers degrade (run cold) rather than fail. */
export class CacheUnavailableError extends Error {
  override readonly name = 'CacheUnavailableError';
}
