/**
 * Capacity plans: desired capacity per pool per future slot, with the offerings chosen,
 * expected cost and the reasons.
 */
import type { Command } from './command.js';

/** One future time slot of a pool's plan. */
export interface PlanSlot {
  /** Epoch seconds the slot starts. */
  readonly startSec: number;
  /** Demand at the pool's service-level quantile, units. */
  readonly demandUnits: number;
  /** Units planned to be ready in this slot. */
  readonly plannedUnits: number;
  /** Instance counts per offering id. */
  readonly countsByOffering: Readonly<Record<string, number>>;
}

/** A pool's capacity plan for one tick. */
export interface CapacityPlan {
  readonly poolId: string;
  /** Epoch seconds the plan was made. */
  readonly atSec: number;
  readonly slotSec: number;
  readonly slots: readonly PlanSlot[];
  /** What to do now (launches due now given lead times; terminations past hysteresis). */
  readonly commands: readonly Command[];
  /** Expected cost of the first slot's capacity, USD per hour. */
  readonly expectedCostUsdPerHour: number;
  /** Expected unmet demand over the horizon, unit-seconds. */
  readonly expectedShortfallUnitSec: number;
  /** Which method produced it. */
  readonly solver: 'highs' | 'greedy' | 'rule';
  /** Constraints that bind, in words ("on-demand floor", "max pool size", "spend cap"...). */
  readonly bindingConstraints: readonly string[];
  /** Why, in words. */
  readonly reason: string;
}
