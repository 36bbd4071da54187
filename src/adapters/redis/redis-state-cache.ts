/**
 * Redis (ElastiCache in AWS) {@link StateCache} through ioredis. Values are stored with `SET key value
 * PX ttl` (millisecond TTL), so Redis expires them. Commands fail fast when Redis is unreachable (no
 * offline queue, one attempt, a command timeout) and are reported as {@link CacheUnavailableError}, so
 * callers run cold instead of waiting; ioredis keeps reconnecting in the background, and the cache
 * works again as soon as Redis is back.
 *
 * With `cluster: true` the URL is a cluster-mode endpoint (an ElastiCache configuration endpoint, as
 * the CDK stack's prefetch cache is in cluster mode so the controller can add shards): an ioredis
 * `Cluster` client routes each key to its shard and follows MOVED/ASK redirections while shards are
 * added or removed. Host names are kept as given (no DNS resolution to IPs), which TLS certificate
 * checks against ElastiCache endpoints need (ioredis README, "Special note: AWS ElastiCache
 * Clusters with TLS").
 */
import { Cluster, Redis, ReplyError, type RedisOptions } from 'ioredis';
import { CacheUnavailableError, type StateCache } from '../../ports/state-cache.js';

/** Options of {@link RedisStateCache}. */
export interface RedisStateCacheOptions {
  /** Prefix of every key (namespaces several deployments in one Redis). @default "prescale:" */
  readonly keyPrefix?: string;
  /** Milliseconds after which a command counts as failed. @default 1000 */
  readonly commandTimeoutMs?: number;
  /** Most milliseconds between reconnection attempts. @default 1000 */
  readonly maxReconnectDelayMs?: number;
  /** The URL is a cluster-mode endpoint: use a cluster client (see the module comment). @default false */
  readonly cluster?: boolean;
}

/** Redis-backed state cache. See the module comment. */
export class RedisStateCache implements StateCache {
  private readonly redis: Redis | Cluster;
  private readonly prefix: string;

  /**
   * @param url `redis://host:port[/db]` (`rediss://` for TLS, as ElastiCache in-transit encryption
   *   needs; `rediss://:token@host:port` with an AUTH token)
   * @throws TypeError when `url` is not a URL (cluster mode parses it)
   */
  constructor(url: string, opts: RedisStateCacheOptions = {}) {
    this.prefix = opts.keyPrefix ?? 'prescale:';
    const maxDelay = opts.maxReconnectDelayMs ?? 1000;
    const options: RedisOptions = {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 1000,
      retryStrategy: (times: number) => Math.min(50 * times, maxDelay),
    };
    this.redis = opts.cluster ? clusterClient(url, options, maxDelay) : new Redis(url, options);
    // Connection errors are expected while Redis is away; commands report them.
    this.redis.on('error', () => {});
  }

  /** Resolves when connected (useful at start-up); rejects with CacheUnavailableError after `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new CacheUnavailableError(`redis not ready after ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', onReady);
    });
  }

  async get(key: string): Promise<Buffer | undefined> {
    const v = await this.call(() => this.redis.getBuffer(this.prefix + key));
    return v ?? undefined;
  }

  /** @throws RangeError when `ttlSec` is not positive; CacheUnavailableError when Redis is unreachable */
  async set(key: string, value: Buffer, ttlSec: number): Promise<void> {
    if (!(ttlSec > 0)) throw new RangeError(`ttlSec must be > 0, got ${ttlSec}`);
    await this.call(() => this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlSec * 1000))));
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.redis.del(this.prefix + key));
  }

  /** `used_memory` from `INFO memory` (bytes the Redis server uses in total; in cluster mode, summed over the primaries). */
  async usedBytes(): Promise<number> {
    const nodes: Array<Redis | Cluster> = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    let total = 0;
    for (const n of nodes) {
      const info = await this.call(() => n.info('memory'));
      const m = /^used_memory:(\d+)/m.exec(info);
      total += m ? Number(m[1]) : 0;
    }
    return total;
  }

  async close(): Promise<void> {
    this.redis.disconnect(false);
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      // A reply error is Redis answering (a bug of ours), not Redis being away.
      if (e instanceof (ReplyError as new () => Error)) throw e;
      throw new CacheUnavailableError(`redis: ${(e as Error).message}`);
    }
  }
}

/** A cluster client for `url` with the single-node client's fail-fast options (see the module comment). */
function clusterClient(url: string, options: RedisOptions, maxDelayMs: number): Cluster {
  const u = new URL(url);
  return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    enableOfflineQueue: false,
    clusterRetryStrategy: (times: number) => Math.min(50 * times, maxDelayMs),
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: {
      ...options,
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    },
  });
}
