/**
 * The workflow composer (seed 003, component 3): filter by authorization → score → select → fallback
 * → assemble. Pure: time comes from the availability profile's `atSec`.
 */
import type { Decision } from '../model/decision.js';
import type { Workflow } from '../model/workflow.js';
import { assembleDag } from './assemble.js';
import { DEFAULT_DENY_POLICY_ID } from './authorize.js';
import { availableUnitsAt, peakDemandUnits, resourceFit } from './estimate.js';
import { authorizeDecisions, bestFitting, bestOf, decisionCandidates, evaluateVariants, round, type Evaluated } from './evaluate.js';
import {
  DEFAULT_COMPOSER_OPTIONS,
  type AuthorizationContext,
  type AvailabilityProfile,
  type BehaviourModel,
  type CapacityRequest,
  type ComposeResult,
  type ComposerOptions,
  type FallbackOutcome,
} from './types.js';

/** Input of {@link composeWorkflow}. */
export interface ComposeInput {
  /** The workflow with its variants (already validated by the registry). */
  readonly workflow: Workflow;
  /** Principal, policies and the principal's spend in the last hour. */
  readonly auth: AuthorizationContext;
  /** Availability and prices per pool; `atSec` is "now". */
  readonly availability: AvailabilityProfile;
  /** Path probabilities; uniform when absent. */
  readonly behaviour?: BehaviourModel;
  /** Overrides of {@link DEFAULT_COMPOSER_OPTIONS}. */
  readonly options?: Partial<ComposerOptions>;
  /** What the decisions are about, e.g. the chain id. */
  readonly subject: string;
}

/** Merges partial options over the defaults. */
export function composerOptions(partial?: Partial<ComposerOptions>): ComposerOptions {
  return { ...DEFAULT_COMPOSER_OPTIONS, ...(partial ?? {}), weights: { ...DEFAULT_COMPOSER_OPTIONS.weights, ...(partial?.weights ?? {}) } };
}

/**
 * Composes a workflow for a principal.
 * 1. authorize each variant (default deny; the deciding policy is logged);
 * 2. exclude variants whose expected cost would exceed the principal's spend cap;
 * 3. score the rest: probability, fit, cost score (weights or formula);
 * 4. select the best variant that fits (fit ≥ minFit); ties by name;
 * 5. if none fits, apply the fallback (queue with an estimated start, or request capacity);
 * 6. assemble the chosen variant into an {@link ExecutableDag}.
 * Every step is logged in `decisions` (one `authorize` per variant, one `compose` with all candidates).
 * @throws InputError when the behaviour model gives a probability outside [0, 1] or the formula is bad
 */
export function composeWorkflow(input: ComposeInput): ComposeResult {
  const options = composerOptions(input.options);
  const atSec = input.availability.atSec;
  const evaluated = evaluateVariants({ workflow: input.workflow, auth: input.auth, availability: input.availability, behaviour: input.behaviour, options });
  const decisions: Decision[] = authorizeDecisions(evaluated, atSec, input.subject, input.auth.principal.id);
  const candidates = decisionCandidates(evaluated, options.minFit);
  const log = (chosen: string, reason: string): Decision => ({ atSec, kind: 'compose', subject: input.subject, chosen, reason, candidates });

  const authorized = evaluated.filter((e) => e.auth.allowed);
  if (authorized.length === 0) {
    const denied = evaluated.find((e) => e.auth.policyId !== DEFAULT_DENY_POLICY_ID) ?? evaluated[0];
    const reason = `no variant of ${input.workflow.name} is authorized for ${input.auth.principal.id}: ${denied.auth.reason}`;
    decisions.push(log('none', reason));
    return { status: 'denied', policyId: denied.auth.policyId, reason, decisions };
  }
  const scored = evaluated.filter((e) => e.score);
  if (scored.length === 0) {
    const capped = authorized.find((e) => e.auth.spendCap) ?? authorized[0];
    const reason = `every authorized variant exceeds the spend cap: ${capped.excludedBecause ?? ''}`;
    decisions.push(log('none', reason));
    return { status: 'over-spend-cap', policyId: capped.auth.spendCap?.policyId ?? capped.auth.policyId, reason, decisions };
  }
  const best = bestFitting(evaluated);
  if (best && best.score) {
    const s = best.score;
    decisions.push(
      log(best.variant.name, `best fitting of ${scored.length} scored: score ${round(s.score)} (probability ${round(s.probability)}, fit ${round(s.fit)}, cost score ${round(s.costScore)}, expected ${round(s.expectedCostUsd)} USD)`),
    );
    return { status: 'composed', dag: assembleDag(input.workflow.name, best.variant), score: s, decisions };
  }
  const fallback = options.fallback.kind === 'queue' ? queueFallback(scored, input.availability, options) : requestCapacity(bestOf(scored)!, input.availability);
  decisions.push(log(`${fallback.kind}:${fallback.variant}`, fallback.reason));
  return { status: 'fallback', fallback, decisions };
}

/** Earliest time the variant fits, trying now and every later slot start of its pools. */
export function estimatedStartSec(e: Evaluated, profile: AvailabilityProfile, minFit: number, maxWaitSec = Infinity): number | undefined {
  const pools = [...new Set(e.schedule.map((s) => s.poolId))];
  const times = new Set<number>([profile.atSec]);
  for (const p of pools) for (const slot of profile.pools[p]?.slots ?? []) if (slot.startSec > profile.atSec) times.add(slot.startSec);
  for (const t of [...times].sort((a, b) => a - b)) {
    if (t - profile.atSec > maxWaitSec) break;
    if (resourceFit(e.schedule, profile, t) >= minFit) return t;
  }
  return undefined;
}

function queueFallback(scored: readonly Evaluated[], profile: AvailabilityProfile, options: ComposerOptions): FallbackOutcome {
  const maxWait = options.fallback.kind === 'queue' ? (options.fallback.maxQueueWaitSec ?? Infinity) : Infinity;
  const starts = scored.map((e) => ({ e, start: estimatedStartSec(e, profile, options.minFit, maxWait) }));
  const withStart = starts.filter((x) => x.start !== undefined);
  withStart.sort((a, b) => a.start! - b.start! || b.e.score!.score - a.e.score!.score || a.e.variant.name.localeCompare(b.e.variant.name));
  const pick = withStart[0];
  if (!pick) {
    const best = bestOf(scored)!;
    return {
      kind: 'queue',
      variant: best.variant.name,
      reason: `no variant fits now (best fit ${round(best.score!.fit)} < ${options.minFit}) and none fits within the availability profile${Number.isFinite(maxWait) ? ` or ${maxWait} s` : ''}; queued without an estimated start`,
    };
  }
  return {
    kind: 'queue',
    variant: pick.e.variant.name,
    estimatedStartSec: pick.start,
    reason: `no variant fits now (best fit ${round(bestOf(scored)!.score!.fit)} < ${options.minFit}); queued: ${pick.e.variant.name} expected to fit at ${pick.start} (in ${round(pick.start! - profile.atSec)} s)`,
  };
}

function requestCapacity(best: Evaluated, profile: AvailabilityProfile): FallbackOutcome {
  const requests: CapacityRequest[] = [];
  const windowSec = Math.max(0, ...best.schedule.map((s) => s.endOffsetSec));
  for (const poolId of [...new Set(best.schedule.map((s) => s.poolId))].sort()) {
    const pool = profile.pools[poolId];
    const peak = peakDemandUnits(best.schedule, poolId);
    let minAvail = pool && !pool.insufficientCapacity ? availableUnitsAt(pool, profile.atSec) : 0;
    for (const slot of pool?.slots ?? []) if (slot.startSec > profile.atSec && slot.startSec < profile.atSec + windowSec) minAvail = Math.min(minAvail, slot.availableUnits);
    const missing = Math.ceil(Math.max(0, peak - minAvail));
    if (missing > 0) requests.push({ poolId, units: missing, needAtSec: profile.atSec });
  }
  return {
    kind: 'request-capacity',
    variant: best.variant.name,
    capacityRequests: requests,
    reason: `no variant fits now (best ${best.variant.name}, fit ${round(best.score!.fit)}); requesting ${requests.map((r) => `${r.units} units in ${r.poolId}`).join(', ')}`,
  };
}
