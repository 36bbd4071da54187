/**
 * Types of the workflow composer (seed 003, component 3): the availability profile it scores against,
 * the behaviour model it reads path probabilities from, its options and its results.
 */
import type { Decision } from '../model/decision.js';
import type { Market } from '../model/offering.js';
import type { Policy, Principal } from '../model/principal.js';
import type { TaskDefinition } from '../model/task.js';

/** Available capacity units of a pool from `startSec` until the next slot starts. */
export interface AvailabilitySlot {
  /** Epoch seconds. */
  readonly startSec: number;
  /** Capacity units (vCPU) free for new work. */
  readonly availableUnits: number;
}

/**
 * What one pool can give over time and at what price (seed 003, component 2 "resource availability
 * profile"). Prices are per capacity unit (vCPU) hour: offering price / offering capacity units.
 */
export interface PoolAvailability {
  readonly poolId: string;
  /** Piecewise-constant availability, sorted by `startSec`; before the first slot the first value holds. */
  readonly slots: readonly AvailabilitySlot[];
  /** Cheapest spot price, USD per unit-hour; absent when the pool cannot buy spot. */
  readonly spotUsdPerUnitHour?: number;
  /** Spot interruptions per instance-hour of that cheapest spot offering. */
  readonly spotInterruptionHazardPerHour?: number;
  /** Cheapest on-demand price, USD per unit-hour; absent when the pool cannot buy on-demand. */
  readonly onDemandUsdPerUnitHour?: number;
  /** Set after the pool reported InsufficientInstanceCapacity: nothing new fits there now. */
  readonly insufficientCapacity?: boolean;
}

/** Availability of every pool at `atSec`. */
export interface AvailabilityProfile {
  /** Epoch seconds the profile was taken (the composition time). */
  readonly atSec: number;
  readonly pools: Readonly<Record<string, PoolAvailability>>;
}

/** The request a probability is asked for: this principal, this workflow, this variant (path). */
export interface BehaviourQuery {
  readonly principalId: string;
  readonly workflow: string;
  readonly variant: string;
}

/**
 * The behaviour model (seed 003, component 1): how likely this principal's request leads to each path.
 * Either a function or a table keyed `variant` or `principalId/variant` (the more specific wins).
 * Missing entries (and a function's `undefined`) get the uniform probability 1 / (number of variants).
 */
export type BehaviourModel = ((q: BehaviourQuery) => number | undefined) | Readonly<Record<string, number>>;

/** Weights of the score's parts; each part is in [0, 1], higher is better. */
export interface ScoreWeights {
  readonly probability: number;
  readonly fit: number;
  readonly cost: number;
}

/** What to do when no authorized variant fits the availability profile. */
export type FallbackPolicy =
  | { readonly kind: 'queue'; readonly maxQueueWaitSec?: number }
  | { readonly kind: 'request-capacity' };

/** Composer options; every field has a default (see {@link DEFAULT_COMPOSER_OPTIONS}). */
export interface ComposerOptions {
  readonly weights: ScoreWeights;
  /**
   * Optional mathjs expression replacing the weighted sum. Variables: `probability`, `fit`, `cost`
   * (cost score), `costUsd`, `runtimeSec`, `interruptionProbability`, `wProbability`, `wFit`, `wCost`.
   */
  readonly formula?: string;
  /** A variant fits when its fit score is at least this (1 = all its peak demand is available). */
  readonly minFit: number;
  readonly fallback: FallbackPolicy;
  /** Runtime assumed for tasks without runtime statistics, seconds. */
  readonly defaultRuntimeSec: number;
}

/** Defaults: weights 0.4 / 0.3 / 0.3, minFit 1, queue fallback, 60 s default runtime. */
export const DEFAULT_COMPOSER_OPTIONS: ComposerOptions = {
  weights: { probability: 0.4, fit: 0.3, cost: 0.3 },
  minFit: 1,
  fallback: { kind: 'queue' },
  defaultRuntimeSec: 60,
};

/** Who asks and what they may do. */
export interface AuthorizationContext {
  readonly principal: Principal;
  readonly policies: readonly Policy[];
  /** What the principal spent in the last hour, USD (compared with its spend cap in USD per hour). */
  readonly spentUsdLastHour: number;
}

/** One step of an executable DAG. */
export interface DagStep {
  readonly taskId: string;
  readonly task: TaskDefinition;
  readonly poolId: string;
  readonly dependencies: readonly string[];
  readonly dependants: readonly string[];
}

/** A variant assembled for execution: steps in topological order. */
export interface ExecutableDag {
  readonly workflow: string;
  readonly variant: string;
  readonly steps: readonly DagStep[];
  /** Task ids with no dependencies. */
  readonly roots: readonly string[];
}

/** Expected cost and market of one task on its pool. */
export interface TaskCostEstimate {
  readonly taskId: string;
  readonly poolId: string;
  readonly market: Market;
  readonly runtimeSec: number;
  readonly units: number;
  /** Probability a spot run is interrupted before it ends: 1 − exp(−hazard × hours). 0 on-demand. */
  readonly interruptionProbability: number;
  readonly expectedCostUsd: number;
}

/** The score of one variant with its parts. */
export interface VariantScore {
  readonly variant: string;
  readonly probability: number;
  readonly fit: number;
  /** Cheapest eligible expected cost / this variant's, in (0, 1]. */
  readonly costScore: number;
  readonly expectedCostUsd: number;
  /** Critical-path length of the (remaining) work, seconds. */
  readonly runtimeSec: number;
  readonly interruptionProbability: number;
  readonly score: number;
  readonly fits: boolean;
  readonly taskCosts: readonly TaskCostEstimate[];
}

/** Capacity the request-capacity fallback asks for. */
export interface CapacityRequest {
  readonly poolId: string;
  readonly units: number;
  /** Epoch seconds. */
  readonly needAtSec: number;
}

/** The fallback taken when nothing fits. */
export interface FallbackOutcome {
  readonly kind: 'queue' | 'request-capacity';
  /** The variant the fallback is for (the best-scoring authorized one). */
  readonly variant: string;
  readonly reason: string;
  /** For `queue`: when the variant is expected to fit, epoch seconds (absent: not within the profile). */
  readonly estimatedStartSec?: number;
  /** For `request-capacity`: units missing per pool. */
  readonly capacityRequests?: readonly CapacityRequest[];
}

/** The result of {@link composeWorkflow}. */
export type ComposeResult =
  | { readonly status: 'composed'; readonly dag: ExecutableDag; readonly score: VariantScore; readonly decisions: readonly Decision[] }
  | { readonly status: 'fallback'; readonly fallback: FallbackOutcome; readonly decisions: readonly Decision[] }
  | { readonly status: 'denied'; readonly policyId: string; readonly reason: string; readonly decisions: readonly Decision[] }
  | { readonly status: 'over-spend-cap'; readonly policyId: string; readonly reason: string; readonly decisions: readonly Decision[] };

/** Why the executor asks for a switch at a step boundary. */
export type SwitchTrigger =
  | { readonly kind: 'overrun'; readonly taskId: string; readonly runtimeSec: number; readonly p95Sec: number; readonly factor: number }
  | { readonly kind: 'spot-interruption-notice'; readonly poolId: string; readonly detail?: string }
  | { readonly kind: 'insufficient-capacity'; readonly poolId: string; readonly detail?: string };

