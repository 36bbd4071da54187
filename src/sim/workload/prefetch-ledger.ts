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
 *   variant) or unused at the end of the run — `setupSec × vcpu` CPU-seconds are wasted.
 *
 * Cost: wasted CPU-seconds × `usdPerVcpuHour` / 3600 plus the cache memory held by preparations that
 * were not hits (task memory GiB × seconds held × `usdPerGiBHour` / 3600). Defaults 0.024 USD per
 * vCPU-hour and 0.006 USD per GiB-hour: roughly AWS Fargate's Linux/x86 on-demand rates
 * (aws.amazon.com/fargate/pricing, us-east-1: 0.04048 USD/vCPU-h, 0.004445 USD/GB-h) rounded to the
 * project's assumption for a shared worker pool.
 */
import type { SimTask } from './types.js';

/** How a preparation ended. */
export type PrepOutcome = 'hit' | 'aborted' | 'expired';

interface Prep {
  readonly task: SimTask;
  readonly commandSec: number;
  readonly readyAtSec: number;
  readonly expiresAtSec: number;
  outcome?: PrepOutcome;
}

/** Totals of the ledger. */
export interface PrefetchTotals {
  preparations: number;
  hits: number;
  /** Preparations whose step started before the state was ready (ran cold). */
  aborted: number;
  /** Preparations whose state expired, or whose step never started (wrong prediction). */
  expired: number;
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
  readonly totals: PrefetchTotals = { preparations: 0, hits: 0, aborted: 0, expired: 0, setupSecSaved: 0, wastedCpuSec: 0, wastedMemoryGiBSec: 0 };
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
    this.preps.set(task.key, { task, commandSec: nowSec, readyAtSec, expiresAtSec: readyAtSec + ttlSec });
    this.totals.preparations++;
    return undefined;
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
      this.settle(p, 'hit', nowSec, task.setupSec, 0, 0);
      return task.setupSec;
    }
    this.settle(p, 'expired', p.expiresAtSec, 0, task.setupSec * task.vcpu, (p.expiresAtSec - p.readyAtSec) * task.memoryGiB);
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
      this.settle(p, 'expired', Math.min(p.expiresAtSec, endSec), 0, p.task.setupSec * p.task.vcpu, (p.expiresAtSec - p.readyAtSec) * p.task.memoryGiB);
    }
  }

  private settle(p: Prep, outcome: PrepOutcome, atSec: number, savedSec: number, wastedCpuSec: number, memGiBSec: number): void {
    p.outcome = outcome;
    if (outcome === 'hit') {
      this.totals.hits++;
      this.totals.setupSecSaved += savedSec;
    } else if (outcome === 'aborted') this.totals.aborted++;
    else this.totals.expired++;
    this.totals.wastedCpuSec += wastedCpuSec;
    this.totals.wastedMemoryGiBSec += Math.max(0, memGiBSec);
    this.records.push({ task: p.task, outcome, atSec: Number.isFinite(atSec) ? atSec : p.expiresAtSec, savedSec, wastedCpuSec });
  }
}
