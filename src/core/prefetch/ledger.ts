/**
 * The prepared-state ledger: which predicted steps' states the prefetch state cache holds now (size,
 * TTL end, expected value), what a state is worth, and its persisted form (tick state
 * `preparedStates`). The cache sizing (cache-stage.ts) reads it; the tick adds to it when a
 * preparation is accepted and frees a state when its step starts or its TTL ends.
 */
import { preparedStateGiB, type PreExecuteCommand, type TaskDefinition } from '../model/index.js';
import { setupSecondsOf } from './selection.js';
import { stepKey, type ChainView } from '../tick/chain-view.js';

/** Prices that value a prepared state (the prefetch configuration's). */
export interface StateValuePrices {
  /** Price of the compute a skipped setup saves, USD per vCPU-hour. */
  readonly usdPerVcpuHour: number;
  /** Value of an hour of step latency saved, USD (core/model PrefetchConfig). */
  readonly latencyValueUsdPerHour: number;
}

/**
 * What a state of `task` is worth when its step starts while the state is held, USD: the setup it
 * skips (`setupShare × mean runtime`, seconds) × (its vCPUs × `usdPerVcpuHour` + `latencyValueUsdPerHour`)
 * / 3600. An evicted state is worth nothing (the step runs cold; its preparation's CPU is spent anyway).
 */
export function stateValueUsd(task: TaskDefinition, prices: StateValuePrices): number {
  return (setupSecondsOf(task) * (task.resource_requirements.vcpu * prices.usdPerVcpuHour + prices.latencyValueUsdPerHour)) / 3600;
}

/** One held state: size (GiB), TTL end (epoch s) and its expected value (probability × value, USD). */
export interface HeldState {
  readonly gib: number;
  readonly untilSec: number;
  readonly valueUsd?: number;
}

/** Prepared states held in the cache: key `chainId/taskId` → {@link HeldState}. */
export class PreparedStateLedger {
  readonly held = new Map<string, HeldState>();

  /**
   * Records an applied pre-execution of `task` (kept `ttlSec`, default `defaultTtlSec`), valued at the
   * command's probability × {@link stateValueUsd} when `prices` are given.
   */
  add(c: PreExecuteCommand, task: TaskDefinition, nowSec: number, defaultTtlSec: number, prices?: StateValuePrices): void {
    this.held.set(stepKey(c.chainId, c.taskId), {
      gib: preparedStateGiB(task), untilSec: nowSec + (c.ttlSec ?? defaultTtlSec),
      ...(prices ? { valueUsd: c.probability * stateValueUsd(task, prices) } : {}),
    });
  }

  /** The held states as a JSON-serialisable record (persisted in the tick state), keys sorted. */
  toRecord(): Record<string, HeldState> {
    return Object.fromEntries([...this.held].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Restores states saved by {@link toRecord} (after a restart), keeping any already held. */
  restore(record: Readonly<Record<string, HeldState>>): void {
    for (const [k, v] of Object.entries(record)) {
      if (!this.held.has(k)) this.held.set(k, { gib: v.gib, untilSec: v.untilSec, ...(v.valueUsd !== undefined ? { valueUsd: v.valueUsd } : {}) });
    }
  }

  /** Frees the states of steps that started this tick (they read their state) and those past their TTL. */
  observe(view: ChainView, nowSec: number): void {
    for (const k of view.startedKeys) this.held.delete(k);
    for (const [k, v] of [...this.held]) if (v.untilSec <= nowSec) this.held.delete(k);
  }
}
