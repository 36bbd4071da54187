/**
 * Variant re-scoring at step boundaries (seed 003, component 4 "adaptive workflow execution"): the
 * remaining work of every variant is scored against fresh availability; on a trigger (a step overran
 * its p95 runtime, a spot interruption notice, insufficient capacity) the remaining steps move to the
 * best alternative variant.
 */
import type { Decision } from '../model/decision.js';
import { assembleDag } from './assemble.js';
import { bestFitting, decisionCandidates, evaluateVariants, round } from './evaluate.js';
import { composerOptions } from './compose.js';
import type { AuthorizationContext, AvailabilityProfile, BehaviourModel, ComposerOptions, ExecutableDag, SwitchTrigger, VariantScore } from './types.js';
import type { Workflow } from '../model/workflow.js';

/** Input of {@link rescoreForSwitch}. */
export interface SwitchInput {
  readonly workflow: Workflow;
  /** Name of the variant running now. */
  readonly currentVariant: string;
  /** Task ids finished (or running: they finish where they are); not re-run by any variant. */
  readonly doneTaskIds: readonly string[];
  readonly auth: AuthorizationContext;
  /** Fresh availability; `atSec` is "now". */
  readonly availability: AvailabilityProfile;
  readonly behaviour?: BehaviourModel;
  readonly options?: Partial<ComposerOptions>;
  /** Why re-scoring happens; absent at an ordinary step boundary. */
  readonly trigger?: SwitchTrigger;
  /** What the decision is about, e.g. the execution id. */
  readonly subject: string;
}

/** Result of {@link rescoreForSwitch}. */
export interface SwitchResult {
  /** The variant to continue with (the current one when not switching). */
  readonly variant: string;
  /** True when `variant` differs from the current one. */
  readonly switched: boolean;
  /** The chosen variant's DAG; steps in `doneTaskIds` are to be skipped. */
  readonly dag: ExecutableDag;
  /** Task ids of the chosen variant still to run, topological order. */
  readonly remainingTaskIds: readonly string[];
  /** Scores of the remaining work per scored variant. */
  readonly scores: readonly VariantScore[];
  /** The `switch` decision with every candidate (also when staying). */
  readonly decision: Decision;
}

/** Describes a trigger in words. */
export function describeTrigger(t: SwitchTrigger): string {
  switch (t.kind) {
    case 'overrun':
      return `step ${t.taskId} ran ${round(t.runtimeSec)} s, over ${t.factor} × its p95 ${round(t.p95Sec)} s`;
    case 'spot-interruption-notice':
      return `spot capacity of pool ${t.poolId} received an interruption notice${t.detail ? ` (${t.detail})` : ''}`;
    case 'insufficient-capacity':
      return `pool ${t.poolId} reported insufficient capacity${t.detail ? ` (${t.detail})` : ''}`;
  }
}

/**
 * Re-scores the remaining work of every variant and decides whether to switch.
 * - With a trigger: the current variant is left out, and so is any variant whose remaining tasks use
 *   the triggering pool; the best fitting alternative is chosen. If none fits, the current one stays.
 * - Without a trigger: the current variant stays unless it no longer fits (fit < minFit) and an
 *   alternative does.
 * @throws Error when `currentVariant` is not a variant of `workflow`
 */
export function rescoreForSwitch(input: SwitchInput): SwitchResult {
  const options = composerOptions(input.options);
  const current = input.workflow.variants.find((v) => v.name === input.currentVariant);
  if (!current) throw new Error(`workflow ${input.workflow.name} has no variant ${input.currentVariant}`);
  const done = new Set(input.doneTaskIds);
  const trigger = input.trigger;
  const evaluated = evaluateVariants({
    workflow: input.workflow,
    auth: input.auth,
    availability: input.availability,
    behaviour: input.behaviour,
    options,
    doneTaskIds: done,
    exclude: (variant, schedule) => {
      if (!trigger) return undefined;
      if (variant.name === current.name) return `current variant: ${describeTrigger(trigger)}`;
      if (trigger.kind !== 'overrun' && schedule.some((s) => s.poolId === trigger.poolId)) return `its remaining steps use pool ${trigger.poolId}`;
      return undefined;
    },
  });
  const cur = evaluated.find((e) => e.variant.name === current.name)!;
  const best = bestFitting(evaluated);
  let chosen = current.name;
  let reason: string;
  if (trigger) {
    if (best) {
      chosen = best.variant.name;
      reason = `${describeTrigger(trigger)}; switching remaining steps to ${chosen} (score ${round(best.score!.score)}, fit ${round(best.score!.fit)}, expected ${round(best.score!.expectedCostUsd)} USD)`;
    } else reason = `${describeTrigger(trigger)}; no authorized alternative fits, staying on ${current.name}`;
  } else if (cur.score && !cur.score.fits && best && best.variant.name !== current.name) {
    chosen = best.variant.name;
    reason = `remaining steps of ${current.name} no longer fit (fit ${round(cur.score.fit)} < ${options.minFit}); switching to ${chosen}`;
  } else reason = `re-scored at step boundary; staying on ${current.name}`;
  const variant = input.workflow.variants.find((v) => v.name === chosen)!;
  const dag = assembleDag(input.workflow.name, variant);
  return {
    variant: chosen,
    switched: chosen !== current.name,
    dag,
    remainingTaskIds: dag.steps.filter((s) => !done.has(s.taskId)).map((s) => s.taskId),
    scores: evaluated.flatMap((e) => (e.score ? [e.score] : [])),
    decision: {
      atSec: input.availability.atSec,
      kind: 'switch',
      subject: input.subject,
      chosen,
      reason,
      candidates: decisionCandidates(evaluated, options.minFit),
    },
  };
}
