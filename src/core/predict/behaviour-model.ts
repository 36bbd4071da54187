/**
 * The behaviour model as the composer and the planner use it (seed 003, component 1; issue 19
 * item 6), built on the arrival forecasts of arrival-rate.ts:
 * - {@link VariantChoiceModel}: which variant a principal's chain of a workflow ends up running,
 *   learned from the variants chains ran (add-one smoothed frequencies, Laplace's rule of
 *   succession), optionally blended with next-step evidence (core/compose
 *   `variantProbabilitiesFromPredictions`);
 * - {@link behaviourQuery}: the composer's `BehaviourModel` (a function of principal, workflow and
 *   variant): P(variant | principal, workflow) from the choices, so the composer scores a variant by
 *   how likely this principal's chain is to need it; P(workflow | principal) itself comes from the
 *   arrival forecasts (arrival-rate.ts `workflowProbabilities`);
 * - {@link rootHeadroomUnits}: the capacity the first steps of the chains predicted to arrive need,
 *   per pool: Σ over forecasts of the upper-quantile arrivals × the root steps' vCPU of the variant
 *   each is expected to run (root fan-out × predicted arrivals' p90).
 */
import type { Workflow } from '../model/workflow.js';
import { poolOf } from '../model/workflow.js';
import type { ExecutionEvent } from '../model/events.js';
import { ArrivalRateModel, emptyArrivalRateState, type ArrivalForecast, type ArrivalRateOptions, type ArrivalRateState } from './arrival-rate.js';

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

/** A query of the composer's behaviour model (the shape of core/compose `BehaviourQuery`). */
export interface BehaviourQueryShape {
  readonly principalId: string;
  readonly workflow: string;
  readonly variant: string;
}

/**
 * The composer's behaviour model (the function form of core/compose `BehaviourModel`):
 * P(variant | principal, workflow) from `choices`, blended with next-step evidence when `evidence`
 * gives some for the workflow. A workflow not in the catalog gets the uniform 1 / 1.
 * @param workflows the catalog, by name
 * @param evidence optional per-workflow variant probabilities (e.g. `variantProbabilitiesFromPredictions`)
 */
export function behaviourQuery(choices: VariantChoiceModel, workflows: ReadonlyMap<string, Workflow>, evidence?: (workflow: Workflow) => Readonly<Record<string, number>> | undefined): (q: BehaviourQueryShape) => number {
  return (q) => {
    const wf = workflows.get(q.workflow);
    if (!wf) return 1;
    const split = choices.probabilities(q.principalId, q.workflow, wf.variants.map((v) => v.name), evidence?.(wf));
    return split[q.variant] ?? 0;
  };
}

/**
 * Headroom per pool, capacity units, for the first steps of the chains `forecasts` predict: each
 * forecast's p90 arrivals × the vCPU of its workflow's root steps (those with no dependencies), on
 * the pools they are bound to, split over variants by `variantShare` (default: all on the first).
 */
export function rootHeadroomUnits(
  forecasts: readonly ArrivalForecast[], workflows: ReadonlyMap<string, Workflow>,
  variantShare?: (principal: string, workflow: Workflow) => Readonly<Record<string, number>>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of forecasts) {
    const wf = workflows.get(f.workflow);
    if (!wf || f.quantiles.p90 <= 0) continue;
    const shares = variantShare?.(f.principal, wf) ?? { [wf.variants[0].name]: 1 };
    for (const v of wf.variants) {
      const share = shares[v.name] ?? 0;
      if (share <= 0) continue;
      for (const t of v.tasks) {
        if (t.dependencies.length > 0) continue;
        const pool = poolOf(v, t.task_id);
        out.set(pool, (out.get(pool) ?? 0) + f.quantiles.p90 * share * t.resource_requirements.vcpu);
      }
    }
  }
  return out;
}
