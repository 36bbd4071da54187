/**
 * The capacity-planning contract the tick uses.
 */
import type { CapacitySnapshot } from '../model/capacity.js';
import type { CapacityPlan } from '../model/plan.js';
import type { Offering } from '../model/offering.js';
import type { Ec2Pool } from '../model/pool.js';

/** Demand of one pool in one future slot, in capacity units (vCPU). */
export interface DemandSlot {
  /** Epoch seconds the slot starts. */
  readonly startSec: number;
  /** Metric-driven demand quantiles, keyed like Forecast.quantiles ("0.5", "0.9", ...), units. */
  readonly quantiles: Readonly<Record<string, number>>;
  /** Expected units of predicted workflow steps (probability × resources) starting in this slot. */
  readonly predictedStepUnits: number;
  /** Units of steps already queued or running that need this slot. */
  readonly committedUnits: number;
}

/** A named spend cap, USD per hour. */
export interface SpendCap {
  /** What the cap is, e.g. "global" or "principal tenant-1". */
  readonly label: string;
  readonly capUsdPerHour: number;
}

/** Memory a planner keeps per pool between ticks (hysteresis, cooldowns). JSON-serialisable. */
export type PlannerMemory = Readonly<Record<string, number>>;

/** Everything needed to plan one pool for one tick. */
export interface PlanInput {
  readonly nowSec: number;
  readonly pool: Ec2Pool;
  readonly offerings: readonly Offering[];
  /** Current capacity (the planner reads only this pool's instances). */
  readonly capacity: CapacitySnapshot;
  /** Demand per slot, from now on, `slotSec` apart. */
  readonly demand: readonly DemandSlot[];
  readonly slotSec: number;
  /** Spend cap for this pool, USD per hour, when one applies. */
  readonly spendCapUsdPerHour?: number;
  /**
   * Further caps this pool's spend falls under (a principal's cap, the global safety cap), each as the
   * budget left for this pool: the cap minus what other pools under it spend (see
   * `remainingSpendCapUsdPerHour`). The planner keeps the pool under the smallest of all caps.
   */
  readonly extraSpendCaps?: readonly SpendCap[];
  /**
   * What is left of the global `maxChangeUnitsPerTick` (core/plan/limits.ts) for this pool this tick:
   * the limit less the units the tick already launched or terminated (spot replacements, earlier
   * pools). The pool's launches plus terminations stay within the smaller of it and the pool's own
   * `maxChangeUnitsPerTick`. Absent: only the pool's own limit.
   */
  readonly changeBudgetUnits?: number;
  /**
   * What is left of the global `maxInstances` for this pool's launches: the limit less the live
   * instances of every pool (including earlier pools' planned launches). Absent: no instance limit.
   */
  readonly instanceBudget?: number;
  readonly memory: PlannerMemory;
}

/** A plan and the memory to pass to the next tick. */
export interface PlanOutput {
  readonly plan: CapacityPlan;
  readonly memory: PlannerMemory;
}

/** A capacity planner. Pure and deterministic; solvers are injected already loaded. */
export interface Planner {
  readonly name: string;
  plan(input: PlanInput): PlanOutput;
}
