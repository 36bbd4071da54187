/**
 * Shared evaluation of candidate variants: authorization, spend cap, schedule, fit, cost and score.
 * Used by {@link composeWorkflow} (all tasks) and {@link rescoreForSwitch} (remaining tasks).
 */
import type { DecisionCandidate, Decision } from '../model/decision.js';
import { InputError } from '../model/errors.js';
import { poolOf, type Variant, type Workflow } from '../model/workflow.js';
import { principalCapReached } from '../plan/limits.js';
import { topologicalOrder } from '../registry/graph.js';
import { authorize, type AuthorizationResult } from './authorize.js';
import { asapSchedule, resourceFit, taskCost, type ScheduledTask } from './estimate.js';
import { scoreCandidates } from './score.js';
import type { AuthorizationContext, AvailabilityProfile, BehaviourModel, ComposerOptions, VariantScore } from './types.js';

/** One variant after evaluation. */
export interface Evaluated {
  readonly variant: Variant;
  readonly auth: AuthorizationResult;
  readonly schedule: readonly ScheduledTask[];
  /** Set once scored (authorized and under the spend cap). */
  readonly score?: VariantScore;
  readonly excludedBecause?: string;
}

/** Probability of a path from the behaviour model (see {@link BehaviourModel}); uniform when absent. */
export function pathProbability(model: BehaviourModel | undefined, principalId: string, workflow: string, variant: string, variantCount: number): number {
  const uniform = 1 / Math.max(1, variantCount);
  let p: number | undefined;
  if (typeof model === 'function') p = model({ principalId, workflow, variant });
  else if (model) p = model[`${principalId}/${variant}`] ?? model[variant];
  if (p === undefined) return uniform;
  if (!Number.isFinite(p) || p < 0 || p > 1) {
    throw new InputError({ field: `behaviour.${variant}` }, p, 'a probability in [0, 1]');
  }
  return p;
}

/** The remaining tasks of a variant in topological order, with pools. */
export function remainingTasks(variant: Variant, doneTaskIds: ReadonlySet<string>): Array<{ task: Variant['tasks'][number]; poolId: string }> {
  const topo = topologicalOrder(variant.tasks.map((t) => ({ id: t.task_id, dependencies: t.dependencies })));
  if ('cycle' in topo) throw new Error(`variant ${variant.name} has a cycle: ${topo.cycle.join(' -> ')}`);
  const byId = new Map(variant.tasks.map((t) => [t.task_id, t]));
  return topo.order.filter((id) => !doneTaskIds.has(id)).map((id) => ({ task: byId.get(id)!, poolId: poolOf(variant, id) }));
}

/**
 * Evaluates variants: authorize each (with the pools of its remaining tasks), schedule the remaining
 * tasks, estimate fit and cost, check the spend cap, then score the eligible ones together.
 * `exclude(variant, schedule)` may return a reason to leave a variant out (e.g. a switch trigger).
 */
export function evaluateVariants(args: {
  readonly workflow: Workflow;
  readonly auth: AuthorizationContext;
  readonly availability: AvailabilityProfile;
  readonly behaviour?: BehaviourModel;
  readonly options: ComposerOptions;
  readonly doneTaskIds?: ReadonlySet<string>;
  readonly exclude?: (variant: Variant, schedule: readonly ScheduledTask[]) => string | undefined;
}): Evaluated[] {
  const { workflow, auth, availability, options } = args;
  const done = args.doneTaskIds ?? new Set<string>();
  const atSec = availability.atSec;
  const pre = workflow.variants.map((variant) => {
    const tasks = remainingTasks(variant, done);
    const schedule = asapSchedule(tasks, options.defaultRuntimeSec);
    const pools = [...new Set(tasks.map((t) => t.poolId))].sort();
    const authResult = authorize(auth.principal, auth.policies, { workflow: workflow.name, variant: variant.name, pools });
    const taskCosts = schedule.map((s) => taskCost(s.task, s.poolId, availability.pools[s.poolId], s.endOffsetSec - s.startOffsetSec));
    const expectedCostUsd = taskCosts.reduce((a, c) => a + c.expectedCostUsd, 0);
    const interruptionProbability = 1 - taskCosts.reduce((a, c) => a * (1 - c.interruptionProbability), 1);
    const runtimeSec = Math.max(0, ...schedule.map((s) => s.endOffsetSec));
    const fit = schedule.length === 0 ? 1 : resourceFit(schedule, availability, atSec);
    const probability = pathProbability(args.behaviour, auth.principal.id, workflow.name, variant.name, workflow.variants.length);
    let excludedBecause: string | undefined;
    if (!authResult.allowed) excludedBecause = `not authorized: ${authResult.reason}`;
    else if (authResult.spendCap && principalCapReached(authResult.spendCap.usdPerHour, auth.spentUsdLastHour, expectedCostUsd)) {
      excludedBecause = `spend cap ${authResult.spendCap.usdPerHour} USD/h of policy ${authResult.spendCap.policyId} reached: spent ${round(auth.spentUsdLastHour)} + expected ${round(expectedCostUsd)} USD`;
    } else excludedBecause = args.exclude?.(variant, schedule);
    return { variant, authResult, schedule, taskCosts, expectedCostUsd, interruptionProbability, runtimeSec, fit, probability, excludedBecause };
  });
  const eligible = pre.filter((p) => p.excludedBecause === undefined);
  const scored = eligible.length > 0 ? scoreCandidates(eligible.map((p) => ({ variant: p.variant.name, probability: p.probability, fit: p.fit, expectedCostUsd: p.expectedCostUsd, runtimeSec: p.runtimeSec, interruptionProbability: p.interruptionProbability })), options) : [];
  const byName = new Map(scored.map((s) => [s.variant, s]));
  return pre.map((p) => {
    const s = byName.get(p.variant.name);
    const score: VariantScore | undefined = s
      ? { ...s, fits: s.fit >= options.minFit, taskCosts: p.taskCosts }
      : undefined;
    return { variant: p.variant, auth: p.authResult, schedule: p.schedule, score, excludedBecause: p.excludedBecause };
  });
}

/** Best fitting candidate: highest score, ties broken by variant name. */
export function bestFitting(evaluated: readonly Evaluated[]): Evaluated | undefined {
  return bestOf(evaluated.filter((e) => e.score?.fits));
}

/** Highest score among scored candidates, ties broken by variant name. */
export function bestOf(evaluated: readonly Evaluated[]): Evaluated | undefined {
  const scored = evaluated.filter((e) => e.score);
  scored.sort((a, b) => b.score!.score - a.score!.score || a.variant.name.localeCompare(b.variant.name));
  return scored[0];
}

/** Decision candidates for the log: every variant, its score parts, and why it was excluded. */
export function decisionCandidates(evaluated: readonly Evaluated[], minFit: number): DecisionCandidate[] {
  return evaluated.map((e) => {
    const s = e.score;
    const parts = s
      ? { probability: s.probability, fit: s.fit, costScore: s.costScore, expectedCostUsd: s.expectedCostUsd, runtimeSec: s.runtimeSec, interruptionProbability: s.interruptionProbability }
      : undefined;
    const excludedBecause = e.excludedBecause ?? (s && !s.fits ? `fit ${round(s.fit)} < minFit ${minFit}` : undefined);
    return { name: e.variant.name, score: s?.score ?? 0, ...(parts ? { parts } : {}), ...(excludedBecause ? { excludedBecause } : {}) };
  });
}

/** One authorize decision per variant, naming the deciding policy. */
export function authorizeDecisions(evaluated: readonly Evaluated[], atSec: number, subject: string, principalId: string): Decision[] {
  return evaluated.map((e) => ({
    atSec,
    kind: 'authorize' as const,
    subject: `${subject}/${e.variant.name}`,
    chosen: e.auth.allowed ? 'allow' : 'deny',
    reason: `${principalId}: ${e.auth.reason}`,
    policyId: e.auth.policyId,
  }));
}

/** Rounds to 4 decimals for messages. */
export function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
