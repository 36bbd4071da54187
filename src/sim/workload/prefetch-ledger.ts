/**
 * Bookkeeping of speculative preparations (pre-execute commands) in the simulator, modelled on what
 * the real PrefetchManager does (src/app/prefetch): at command time `t_c` the step's `prepare` phase
 * runs in a prefetch worker, outside the pool's instances, on the task's vCPU for
 * `setupSec = setupShare × runtime`; its state is ready at `t_r = t_c + setupSec` and kept in the
 * state cache until `t_r + ttlSec`. When the step really starts at `t_s`:
 *
 * - hit: `t_r ≤ t_s ≤ t_r + ttl` — the step skips `setupSec` (the saved latency);
 * - aborted: `t_s < t_r` — the preparation is cancelled, the step runs cold, and
 *   `(t_s − t_c) × vcpu` CPU-seconds are wasted;
 * - expired (`t_s > t_r + ttl`), wrong prediction (the step never starts, e.g. its chain switched
 *   variant) or unused at the end of the run — `setupSec × vcpu` CPU-seconds are wasted;
 * - evicted: the state cache was full (see below) — wasted like an expired state, the step runs cold.
 *
 * Cache capacity: a state takes `preparedStateGiB` (core/model) from `t_r` until it is read, expires
 * or is evicted. When the ledger is given the cache's usable memory ({@link PrefetchLedger.advance})
 * and the states outgrow it, the least recently used are evicted, as ElastiCache's default
 * `maxmemory-policy` `volatile-lru` does for keys with a TTL (states are written once at `t_r` and read
 * once, so the least recently used is the one written first). Without a capacity (no cache pool in the
 * scenario: the user's own state cache) memory is unbounded.
 *
 * Cost: wasted CPU-seconds × `usdPerVcpuHour` / 3600 plus the cache memory held by preparations that
 * were not hits (state GiB × seconds held × `usdPerGiBHour` / 3600). Defaults 0.024 USD per
 * vCPU-hour and 0.006 USD per GiB-hour: roughly AWS Fargate's Linux/x86 on-demand rates
 * (aws.amazon.com/fargate/pricing, us-east-1: 0.04048 USD/vCPU-h, 0.004445 USD/GB-h) rounded to the
 * project's assumption for a shared worker pool.
 */
import { preparedStateGiB } from '../../core/model/index.js';
import type { SimTask } from './types.js';

/** How a preparation ended. */
export type PrepOutcome = 'hit' | 'aborted' | 'expired' | 'evicted';

interface Prep {
  readonly task: SimTask;
  readonly commandSec: number;
  readonly readyAtSec: number;
  readonly expiresAtSec: number;
  /** Size of the state in the cache, GiB. */
  readonly gib: number;
  outcome?: PrepOutcome;
  /** When the state left the cache (read, expired or evicted), epoch seconds. */
  goneAtSec?: number;
}

/** Totals of the ledger. */
export interface PrefetchTotals {
  preparations: number;
  hits: number;
  /** Preparations whose step started before the state was ready (ran cold). */
  aborted: number;
  /** Preparations whose state expired, or whose step never started (wrong prediction). */
  expired: number;
  /** Preparations whose state was evicted because the state cache was full. */
  evicted: number;
  setupSecSaved: number;
  wastedCpuSec: number;
  /** GiB × seconds of cache memory held by preparations that were not hits. */
  wastedMemoryGiBSec: number;
}

/** Prices of prefetch resources. */
export interface PrefetchPrices {
  /** USD per vCPU-hour of a prefetch worker. @default 0.024 */
  readonly usdPerVcpuHour: number;
  /** USD per GiB-hour of state-cache memory. @default 0.006 */
  readonly usdPerGiBHour: number;
}

/** Default prices (see module doc). */
export const DEFAULT_PREFETCH_PRICES: PrefetchPrices = { usdPerVcpuHour: 0.024, usdPerGiBHour: 0.006 };

/** One finished preparation, for the events file. */
export interface PrepRecord {
  readonly task: SimTask;
  readonly outcome: PrepOutcome;
  /** When the outcome was settled, epoch seconds. */
  readonly atSec: number;
  readonly savedSec: number;
  readonly wastedCpuSec: number;
}

/** Tracks preparations by task key. */
export class PrefetchLedger {
  private readonly preps = new Map<string, Prep>();
  /** Preparations whose state is not in the cache yet, in command order. */
  private waiting: Prep[] = [];
  /** States in the cache, least recently written first. */
  private resident: Prep[] = [];
  private residentGiB = 0;
  readonly totals: PrefetchTotals = { preparations: 0, hits: 0, aborted: 0, expired: 0, evicted: 0, setupSecSaved: 0, wastedCpuSec: 0, wastedMemoryGiBSec: 0 };
  /** Settled preparations in settlement order. */
  readonly records: PrepRecord[] = [];

  constructor(private readonly prices: PrefetchPrices = DEFAULT_PREFETCH_PRICES) {}

  /** Wasted cost so far, USD (CPU plus memory of non-hits). */
  get wastedUsd(): number {
    return (this.totals.wastedCpuSec * this.prices.usdPerVcpuHour + this.totals.wastedMemoryGiBSec * this.prices.usdPerGiBHour) / 3600;
  }

  /** Records a preparation of `task` commanded at `nowSec`, kept `ttlSec` after it is ready; returns an error when pointless. */
  prepare(task: SimTask, nowSec: number, ttlSec: number): string | undefined {
    if (task.status === 'running' || task.status === 'done') return `task ${task.key} already ${task.status}`;
    if (task.status === 'cancelled') return `task ${task.key} was cancelled (its chain switched variant)`;
    if (task.def.critical) return `task ${task.key} is critical (never pre-executed)`;
    if (this.preps.has(task.key)) return `task ${task.key} already prepared`;
    const readyAtSec = nowSec + task.setupSec;
    const p: Prep = { task, commandSec: nowSec, readyAtSec, expiresAtSec: readyAtSec + ttlSec, gib: preparedStateGiB(task.def) };
    this.preps.set(task.key, p);
    this.waiting.push(p);
    this.totals.preparations++;
    return undefined;
  }

  /** GiB of states in the cache after the last {@link advance}. */
  get residentStateGiB(): number {
    return this.residentGiB;
  }

  /**
   * Moves the cache to `nowSec` (calls must not go back in time): states ready by then enter it in
   * the order they became ready, expired ones leave it, and while the states outgrow `capacityGiB`
   * the least recently written are evicted. `capacityGiB` undefined: unbounded.
   */
  advance(nowSec: number, capacityGiB: number | undefined): void {
    const cap = capacityGiB ?? Infinity;
    const ready: Prep[] = [];
    const later: Prep[] = [];
    for (const p of this.waiting) if (!p.outcome) (p.readyAtSec <= nowSec ? ready : later).push(p);
    this.waiting = later;
    ready.sort((a, b) => a.readyAtSec - b.readyAtSec);
    for (const p of ready) {
      this.expireUntil(p.readyAtSec);
      this.resident.push(p);
      this.residentGiB += p.gib;
      this.evictOver(cap, p.readyAtSec);
    }
    this.expireUntil(nowSec);
    this.evictOver(cap, nowSec);
  }

  private expireUntil(tSec: number): void {
    const keep: Prep[] = [];
    for (const p of this.resident) {
      if (p.expiresAtSec <= tSec) this.leave(p, p.expiresAtSec);
      else keep.push(p);
    }
    this.resident = keep;
  }

  private evictOver(capGiB: number, tSec: number): void {
    while (this.residentGiB > capGiB + 1e-9 && this.resident.length > 0) {
      const p = this.resident.shift()!;
      this.leave(p, tSec);
      this.settle(p, 'evicted', tSec, 0, p.task.setupSec * p.task.vcpu, (tSec - p.readyAtSec) * p.gib);
    }
  }

  private leave(p: Prep, tSec: number): void {
    if (p.goneAtSec !== undefined) return;
    p.goneAtSec = tSec;
    this.residentGiB = Math.max(0, this.residentGiB - p.gib);
  }

  /** Called when `task` starts at `nowSec`: the setup seconds it skips (0 on a miss, an abort or an expired state). */
  consume(task: SimTask, nowSec: number): number {
    const p = this.preps.get(task.key);
    if (!p || p.outcome) return 0;
    if (nowSec < p.readyAtSec) {
      this.settle(p, 'aborted', nowSec, 0, (nowSec - p.commandSec) * task.vcpu, 0);
      return 0;
    }
    if (nowSec <= p.expiresAtSec) {
      this.leave(p, nowSec);
      this.resident = this.resident.filter((x) => x !== p);
      this.settle(p, 'hit', nowSec, task.setupSec, 0, 0);
      return task.setupSec;
    }
    this.leave(p, p.expiresAtSec);
    this.resident = this.resident.filter((x) => x !== p);
    this.settle(p, 'expired', p.expiresAtSec, 0, task.setupSec * task.vcpu, (p.expiresAtSec - p.readyAtSec) * p.gib);
    return 0;
  }

  /**
   * Settles every preparation still open at the end of the run (`endSec`, epoch seconds): its state
   * expired or its prediction was wrong (the step never started, e.g. its chain switched variant), so
   * `setupSec × vcpu` CPU-seconds and the memory held for the whole TTL are waste.
   */
  finish(endSec = Infinity): void {
    for (const p of this.preps.values()) {
      if (p.outcome) continue;
      this.settle(p, 'expired', Math.min(p.expiresAtSec, endSec), 0, p.task.setupSec * p.task.vcpu, (Math.min(p.expiresAtSec, endSec) - p.readyAtSec) * p.gib);
    }
  }

  private settle(p: Prep, outcome: PrepOutcome, atSec: number, savedSec: number, wastedCpuSec: number, memGiBSec: number): void {
    p.outcome = outcome;
    if (outcome === 'hit') {
      this.totals.hits++;
      this.totals.setupSecSaved += savedSec;
    } else if (outcome === 'aborted') this.totals.aborted++;
    else if (outcome === 'evicted') this.totals.evicted++;
    else this.totals.expired++;
    this.totals.wastedCpuSec += wastedCpuSec;
    this.totals.wastedMemoryGiBSec += Math.max(0, memGiBSec);
    this.records.push({ task: p.task, outcome, atSec: Number.isFinite(atSec) ? atSec : p.expiresAtSec, savedSec, wastedCpuSec });
  }
}
