/**
 * Behaviour-model helpers: turn next-step predictions (src/core/predict) into path probabilities
 * the composer reads (seed 003, component 1 → component 3).
 */
import { taskTypeOf } from '../model/task.js';
import type { Workflow } from '../model/workflow.js';
import type { NextStepPrediction } from '../predict/types.js';

/**
 * Probability of each variant of `workflow` from next-step predictions: a variant's weight is the
 * summed probability of the task types its root steps have that no other variant's roots share
 * plus, for shared types, an equal split; weights are normalised to sum to 1. When the predictions
 * say nothing about any root, every variant gets 1 / (number of variants).
 * @returns a table keyed by variant name (usable as a {@link BehaviourModel})
 */
export function variantProbabilitiesFromPredictions(workflow: Workflow, predictions: readonly NextStepPrediction[]): Record<string, number> {
  const byType = new Map<string, number>();
  for (const p of predictions) byType.set(p.taskType, (byType.get(p.taskType) ?? 0) + p.probability);
  const rootsOf = new Map(workflow.variants.map((v) => [v.name, [...new Set(v.tasks.filter((t) => t.dependencies.length === 0).map((t) => taskTypeOf(t)))]]));
  const sharers = new Map<string, number>();
  for (const types of rootsOf.values()) for (const t of types) sharers.set(t, (sharers.get(t) ?? 0) + 1);
  const weights = workflow.variants.map((v) => (rootsOf.get(v.name) ?? []).reduce((a, t) => a + (byType.get(t) ?? 0) / (sharers.get(t) ?? 1), 0));
  const total = weights.reduce((a, w) => a + w, 0);
  const n = workflow.variants.length;
  return Object.fromEntries(workflow.variants.map((v, i) => [v.name, total > 0 ? weights[i] / total : 1 / n]));
}
