/**
 * Expected run window, resource fit and expected cost of a variant's (remaining) tasks against an
 * availability profile (seed 003 component 3, step 2).
 */
import type { Market } from '../model/offering.js';
import type { TaskDefinition } from '../model/task.js';
import type { AvailabilityProfile, PoolAvailability, TaskCostEstimate } from './types.js';

/** One task placed on the as-soon-as-possible schedule, seconds from the run's start. */
export interface ScheduledTask {
  readonly task: TaskDefinition;
  readonly poolId: string;
  readonly startOffsetSec: number;
  readonly endOffsetSec: number;
}

/** Expected runtime of a task: its observed mean, else `defaultRuntimeSec`. */
export function expectedRuntimeSec(task: TaskDefinition, defaultRuntimeSec: number): number {
  return task.runtime?.meanSec ?? defaultRuntimeSec;
}

/**
 * As-soon-as-possible schedule: each task starts when its last dependency ends (dependencies not in
 * `tasks`, e.g. already finished, count as done at offset 0). `tasks` must be in topological order.
 */
export function asapSchedule(
  tasks: readonly { task: TaskDefinition; poolId: string }[],
  defaultRuntimeSec: number,
): ScheduledTask[] {
  const endOf = new Map<string, number>();
  const out: ScheduledTask[] = [];
  for (const { task, poolId } of tasks) {
    const start = Math.max(0, ...task.dependencies.map((d) => endOf.get(d) ?? 0));
    const end = start + expectedRuntimeSec(task, defaultRuntimeSec);
    endOf.set(task.task_id, end);
    out.push({ task, poolId, startOffsetSec: start, endOffsetSec: end });
  }
  return out;
}

/** Available units of a pool at epoch second `atSec` (piecewise constant; before the first slot: the first value). */
export function availableUnitsAt(pool: PoolAvailability, atSec: number): number {
  if (pool.slots.length === 0) return 0;
  let units = pool.slots[0].availableUnits;
  for (const s of pool.slots) {
    if (s.startSec <= atSec) units = s.availableUnits;
    else break;
  }
  return units;
}

/**
 * Demand of one pool over time as a step function: `[timeSec, units]` points sorted by time; demand
 * holds from each point until the next (tasks occupy `[start, end)`). Sweep line, O(n log n).
 */
function demandSteps(tasks: readonly ScheduledTask[], startSec: number): Array<[number, number]> {
  const deltas = new Map<number, number>();
  for (const s of tasks) {
    if (s.endOffsetSec <= s.startOffsetSec) continue;
    const u = s.task.resource_requirements.vcpu;
    deltas.set(startSec + s.startOffsetSec, (deltas.get(startSec + s.startOffsetSec) ?? 0) + u);
    deltas.set(startSec + s.endOffsetSec, (deltas.get(startSec + s.endOffsetSec) ?? 0) - u);
  }
  let demand = 0;
  return [...deltas.keys()].sort((a, b) => a - b).map((t) => {
    demand += deltas.get(t) ?? 0;
    return [t, Math.max(0, demand)] as [number, number];
  });
}

/**
 * Resource fit of a schedule starting at `startSec`, in [0, 1]: over every interval where demand and
 * availability are constant, available units / demanded units of the pool, minimum over pools and
 * intervals, capped at 1. A pool flagged `insufficientCapacity` or missing from the profile gives 0.
 */
export function resourceFit(schedule: readonly ScheduledTask[], profile: AvailabilityProfile, startSec: number): number {
  let fit = 1;
  const poolIds = [...new Set(schedule.map((s) => s.poolId))].sort();
  for (const poolId of poolIds) {
    const pool = profile.pools[poolId];
    if (!pool || pool.insufficientCapacity) return 0;
    const mine = schedule.filter((s) => s.poolId === poolId);
    const steps = demandSteps(mine, startSec);
    for (let i = 0; i < steps.length; i++) {
      const [t, demand] = steps[i];
      if (demand <= 0) continue;
      const until = i + 1 < steps.length ? steps[i + 1][0] : t;
      fit = Math.min(fit, availableUnitsAt(pool, t) / demand);
      // Availability may drop inside the interval.
      for (const slot of pool.slots) if (slot.startSec > t && slot.startSec < until) fit = Math.min(fit, slot.availableUnits / demand);
    }
    // Zero-length tasks still need their units at their start.
    for (const s of mine) {
      if (s.endOffsetSec === s.startOffsetSec) fit = Math.min(fit, availableUnitsAt(pool, startSec + s.startOffsetSec) / s.task.resource_requirements.vcpu);
    }
  }
  return Math.max(0, Math.min(1, fit));
}

/** Peak concurrent demand of a pool in a schedule, units. */
export function peakDemandUnits(schedule: readonly ScheduledTask[], poolId: string): number {
  const mine = schedule.filter((s) => s.poolId === poolId);
  const zeroLength = mine.filter((s) => s.endOffsetSec <= s.startOffsetSec).map((s) => s.task.resource_requirements.vcpu);
  return Math.max(0, ...demandSteps(mine, 0).map(([, d]) => d), ...zeroLength);
}

/**
 * Expected cost of one task on its pool.
 * - on-demand: units × on-demand price × hours;
 * - spot: units × spot price × hours + P(interrupted) × re-run cost, where P = 1 − exp(−hazard × hours)
 *   (interruptions as a Poisson process with the offering's hazard per instance-hour) and the re-run
 *   cost is the whole task again on on-demand (units × on-demand price × hours; spot price when the
 *   pool has no on-demand market), since tasks do not checkpoint.
 * The cheaper expected market is chosen. A pool with no price gives cost 0 and market on-demand.
 */
export function taskCost(task: TaskDefinition, poolId: string, pool: PoolAvailability | undefined, runtimeSec: number): TaskCostEstimate {
  const units = task.resource_requirements.vcpu;
  const hours = runtimeSec / 3600;
  const od = pool?.onDemandUsdPerUnitHour;
  const spot = pool?.spotUsdPerUnitHour;
  const options: Array<{ market: Market; cost: number; p: number }> = [];
  if (od !== undefined) options.push({ market: 'on-demand', cost: units * od * hours, p: 0 });
  if (spot !== undefined) {
    const p = 1 - Math.exp(-(pool?.spotInterruptionHazardPerHour ?? 0) * hours);
    const rerun = units * (od ?? spot) * hours;
    options.push({ market: 'spot', cost: units * spot * hours + p * rerun, p });
  }
  const best = options.reduce<{ market: Market; cost: number; p: number } | undefined>((b, o) => (!b || o.cost < b.cost ? o : b), undefined) ?? {
    market: 'on-demand' as Market,
    cost: 0,
    p: 0,
  };
  return { taskId: task.task_id, poolId, market: best.market, runtimeSec, units, interruptionProbability: best.p, expectedCostUsd: best.cost };
}
