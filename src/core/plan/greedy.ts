/**
 * The rule-based planner: greedy compositions inside the shared planning frame.
 */
import { greedyComposer, planWithFrame, type PlannerOptions } from './frame.js';
import type { Planner } from './types.js';

/**
 * Creates the greedy planner. Per slot it targets the demand quantile at `pool.serviceLevel` plus
 * predicted and committed step units (within min/max), covers it with on-demand up to the floor and
 * spot for the rest (cheapest effective USD per unit, diversified), issues launches at need time −
 * lead time − margin, scales in only after `scaleInCooldownSec`, bounds change per tick and never
 * exceeds the spend cap or maximum size. Pure and deterministic.
 */
export function createGreedyPlanner(opts: PlannerOptions = {}): Planner {
  return { name: 'greedy', plan: (input) => planWithFrame(input, opts, greedyComposer) };
}
