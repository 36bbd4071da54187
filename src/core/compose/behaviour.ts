/**
 * The behaviour model the composer reads (seed 003, component 1 → component 3; issue 19 item 6):
 * P(variant | principal, workflow) learned from the variants the principal's own chains ran
 * (core/predict/behaviour-model.ts `VariantChoiceModel`, add-one smoothed), falling back to the
 * configured `behaviour` table, then to uniform, when the principal has no history of the workflow.
 *
 * Authorization: the model is built for one principal from that principal's records only; a query
 * for any other principal gets the table's answer (or uniform), so a composition never reflects, and
 * so never reveals, another principal's chains.
 */
import type { Workflow } from '../model/workflow.js';
import { VariantChoiceModel } from '../predict/behaviour-model.js';
import type { BehaviourQuery } from './types.js';

/** One chain the principal ran: its workflow and the variant it ran. */
export interface VariantChoice {
  readonly principalId: string;
  readonly workflow: string;
  readonly variant: string;
}

/** The configured table's probability of a variant (`principalId/variant`, then `variant`), if any. */
function tableProbability(table: Readonly<Record<string, number>> | undefined, principalId: string, variant: string): number | undefined {
  if (!table) return undefined;
  const specific = `${principalId}/${variant}`;
  if (Object.hasOwn(table, specific)) return table[specific];
  return Object.hasOwn(table, variant) ? table[variant] : undefined;
}

/**
 * The behaviour model for `principalId` composing `workflow`: with at least `minChains` of the
 * principal's own chains of it in `history` (records of other principals are ignored), the learned
 * P(variant | principal, workflow) over the workflow's variants; otherwise the `table`, then
 * uniform (undefined).
 * @param history chains run, e.g. the principal's execution records (others' are dropped here too)
 * @param minChains own chains needed before the learned split replaces the table @default 1
 */
export function learnedBehaviour(
  history: readonly VariantChoice[], principalId: string, workflow: Workflow, table?: Readonly<Record<string, number>>, minChains = 1,
): (q: BehaviourQuery) => number | undefined {
  const model = new VariantChoiceModel();
  const names = new Set(workflow.variants.map((v) => v.name));
  for (const h of history) if (h.principalId === principalId && h.workflow === workflow.name && names.has(h.variant)) model.observe(principalId, workflow.name, h.variant);
  const learned = model.observed(principalId, workflow.name) >= minChains
    ? model.probabilities(principalId, workflow.name, workflow.variants.map((v) => v.name))
    : undefined;
  return (q) => {
    if (learned && q.principalId === principalId && q.workflow === workflow.name && Object.hasOwn(learned, q.variant)) return learned[q.variant];
    return tableProbability(table, q.principalId, q.variant);
  };
}
