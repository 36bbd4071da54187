/**
 * Bookkeeping of speculative preparations (pre-execute commands) in the simulator: a prepared step
 * that starts within the TTL skips its setup; a preparation never used, or used too late, counts as
 * wasted CPU-seconds (setup seconds × the task's vCPU). Preparations run in the prefetch workers,
 * outside the pool's instances, so they take no pool capacity here.
 */
import type { SimTask } from './types.js';

interface Prep {
  readonly task: SimTask;
  readonly expiresAtSec: number;
  used: boolean;
}

/** Totals of the ledger. */
export interface PrefetchTotals {
  preparations: number;
  hits: number;
  setupSecSaved: number;
  wastedCpuSec: number;
}

/** Tracks preparations by task key. */
export class PrefetchLedger {
  private readonly preps = new Map<string, Prep>();
  readonly totals: PrefetchTotals = { preparations: 0, hits: 0, setupSecSaved: 0, wastedCpuSec: 0 };

  /** Records a preparation of `task` valid for `ttlSec`; returns an error when pointless. */
  prepare(task: SimTask, nowSec: number, ttlSec: number): string | undefined {
    if (task.status === 'running' || task.status === 'done') return `task ${task.key} already ${task.status}`;
    if (task.def.critical) return `task ${task.key} is critical (never pre-executed)`;
    if (this.preps.has(task.key)) return `task ${task.key} already prepared`;
    this.preps.set(task.key, { task, expiresAtSec: nowSec + ttlSec, used: false });
    this.totals.preparations++;
    return undefined;
  }

  /** Called when `task` starts: the setup seconds it may skip (0 on a miss; a late prep is wasted). */
  consume(task: SimTask, nowSec: number): number {
    const p = this.preps.get(task.key);
    if (!p || p.used) return 0;
    p.used = true;
    if (nowSec <= p.expiresAtSec && task.setupSec > 0) {
      this.totals.hits++;
      this.totals.setupSecSaved += task.setupSec;
      return task.setupSec;
    }
    this.totals.wastedCpuSec += task.setupSec * task.vcpu;
    return 0;
  }

  /** Counts every unused preparation as wasted (end of run). */
  finish(): void {
    for (const p of this.preps.values()) {
      if (!p.used) {
        p.used = true;
        this.totals.wastedCpuSec += p.task.setupSec * p.task.vcpu;
      }
    }
  }
}
