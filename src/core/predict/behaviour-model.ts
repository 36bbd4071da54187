/**
 * The behaviour model (seed 003, component 1; issue 19 item 6), built on the arrival forecasts of
 * arrival-rate.ts:
 * - {@link VariantChoiceModel}: which variant a principal's chain of a workflow ends up running,
 *   learned from the variants chains ran (add-one smoothed frequencies, Laplace's rule of
 *   succession); the composer reads it through core/compose `learnedBehaviour` (the Chain API, from
 *   the principal's own executions), the planner through core/plan/arrival-headroom.ts;
 * - {@link BehaviourState} / {@link observeArrivals}: what the tick learns from execution events
 *   (chain arrivals per principal × workflow and their variants), as plain data in its memory.
 * P(workflow | principal) comes from the arrival forecasts (arrival-rate.ts `workflowProbabilities`).
 */
import type { ExecutionEvent } from '../model/events.js';
import { ArrivalRateModel, emptyArrivalRateState, type ArrivalRateOptions, type ArrivalRateState } from './arrival-rate.js';

/**
 * Variant counts per (principal, workflow), plain data: `principal\u0000workflow` → variant → chains
 * that ran it (JSON-serialisable; part of {@link BehaviourState}).
 */
export type VariantCounts = Record<string, Record<string, number>>;

/** Add-one smoothed frequencies of the variant each (principal, workflow) ran. */
export class VariantChoiceModel {
  /** @param counts the counts, updated in place by {@link observe} (fresh by default) */
  constructor(readonly counts: VariantCounts = {}) {}

  /** Records that `principal`'s chain of `workflow` ran `variant`. */
  observe(principal: string, workflow: string, variant: string): void {
    const id = `${principal}\u0000${workflow}`;
    const m = Object.hasOwn(this.counts, id) ? this.counts[id] : (this.counts[id] = {});
    m[variant] = (Object.hasOwn(m, variant) ? m[variant] : 0) + 1;
  }

  /** Chains of `principal`'s `workflow` observed. */
  observed(principal: string, workflow: string): number {
    const id = `${principal}\u0000${workflow}`;
    return Object.hasOwn(this.counts, id) ? Object.values(this.counts[id]).reduce((a, n) => a + n, 0) : 0;
  }

  /**
   * P(variant | principal, workflow) over `variants`: (count + 1) ÷ (total + n); uniform with no history.
   * @param evidence optional probabilities from next-step predictions, averaged in with equal weight
   */
  probabilities(principal: string, workflow: string, variants: readonly string[], evidence?: Readonly<Record<string, number>>): Record<string, number> {
    const id = `${principal}\u0000${workflow}`;
    const m = Object.hasOwn(this.counts, id) ? this.counts[id] : undefined;
    const countOf = (v: string): number => (m && Object.hasOwn(m, v) ? m[v] : 0);
    const total = variants.reduce((a, v) => a + countOf(v), 0);
    const n = Math.max(1, variants.length);
    return Object.fromEntries(variants.map((v) => {
      const learned = (countOf(v) + 1) / (total + n);
      return [v, evidence && evidence[v] !== undefined ? (learned + evidence[v]) / 2 : learned];
    }));
  }
}

/**
 * The behaviour model's learned state as the tick keeps it (plain data, JSON-serialisable): the
 * arrival counts, the variant counts and the chains already counted as arrived (chain id → epoch
 * seconds, kept {@link ARRIVAL_DEDUPE_SEC}).
 */
export interface BehaviourState {
  readonly arrivals: ArrivalRateState;
  readonly variants: VariantCounts;
  readonly arrived: Record<string, number>;
}

/** An empty {@link BehaviourState}. */
export function emptyBehaviourState(): BehaviourState {
  return { arrivals: emptyArrivalRateState(), variants: {}, arrived: {} };
}

/** How long a chain id is remembered as arrived, seconds (its root steps are submitted together at arrival). */
export const ARRIVAL_DEDUPE_SEC = 3600;

/** Principal of events that name none. */
export const ANONYMOUS = 'anonymous';

/**
 * Learns from execution events: a chain arrives with the `submitted` event of one of its root steps
 * (a task with no dependencies, `isRoot`), counted once per chain, at that event's time, for its
 * principal (or {@link ANONYMOUS}) and workflow, with the variant it runs. Events may come in any
 * order within a call: arrivals are applied in time order, never before the last arrival learned
 * (an earlier one counts at that time). Updates `state` in place.
 * @param isRoot whether a task of a workflow's variant has no dependencies (false for unknown tasks)
 * @param nowSec the tick's time: remembered chain ids older than {@link ARRIVAL_DEDUPE_SEC} are dropped
 * @returns the number of chain arrivals learned from `events`
 */
export function observeArrivals(
  state: BehaviourState, events: readonly ExecutionEvent[], isRoot: (workflow: string, variant: string | undefined, taskId: string) => boolean,
  nowSec: number, opts: ArrivalRateOptions = {},
): number {
  const fresh: ExecutionEvent[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'submitted' || seen.has(e.chainId) || Object.hasOwn(state.arrived, e.chainId) || !isRoot(e.workflow, e.variant, e.taskId)) continue;
    seen.add(e.chainId);
    fresh.push(e);
  }
  fresh.sort((a, b) => a.atSec - b.atSec || (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : 0));
  const model = new ArrivalRateModel(opts, state.arrivals);
  const variants = new VariantChoiceModel(state.variants);
  for (const e of fresh) {
    const principal = e.principal ?? ANONYMOUS;
    model.observe({ principal, workflow: e.workflow }, Math.max(e.atSec, model.lastSec ?? e.atSec));
    if (e.variant !== undefined) variants.observe(principal, e.workflow, e.variant);
    state.arrived[e.chainId] = e.atSec;
  }
  for (const [id, at] of Object.entries(state.arrived)) if (at < nowSec - ARRIVAL_DEDUPE_SEC) delete state.arrived[id];
  return fresh.length;
}
