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
import type { ArrivalForecast } from './arrival-rate.js';

/** Add-one smoothed frequencies of the variant each (principal, workflow) ran. */
export class VariantChoiceModel {
  private readonly counts = new Map<string, Map<string, number>>();

  /** Records that `principal`'s chain of `workflow` ran `variant`. */
  observe(principal: string, workflow: string, variant: string): void {
    const id = `${principal}\u0000${workflow}`;
    const m = this.counts.get(id) ?? new Map<string, number>();
    m.set(variant, (m.get(variant) ?? 0) + 1);
    this.counts.set(id, m);
  }

  /**
   * P(variant | principal, workflow) over `variants`: (count + 1) ÷ (total + n); uniform with no history.
   * @param evidence optional probabilities from next-step predictions, averaged in with equal weight
   */
  probabilities(principal: string, workflow: string, variants: readonly string[], evidence?: Readonly<Record<string, number>>): Record<string, number> {
    const m = this.counts.get(`${principal}\u0000${workflow}`);
    const total = variants.reduce((a, v) => a + (m?.get(v) ?? 0), 0);
    const n = Math.max(1, variants.length);
    return Object.fromEntries(variants.map((v) => {
      const learned = ((m?.get(v) ?? 0) + 1) / (total + n);
      return [v, evidence && evidence[v] !== undefined ? (learned + evidence[v]) / 2 : learned];
    }));
  }
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
