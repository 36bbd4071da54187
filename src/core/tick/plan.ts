/**
 * The demand and plan stages: per EC2 pool, the demand per future slot (core/tick/demand.ts: metric
 * forecasts floored by the latest observation, known steps list-scheduled on ready capacity,
 * predicted steps, calibrated) planned by the Planner into launch and terminate commands; then every
 * ElastiCache pool sized for the prepared states (core/prefetch/cache-stage.ts), within the spend
 * budget the EC2 pools' plans left (core/plan/limits.ts `cacheGrowthBreach`).
 */
import { quantileKey, type CacheNodeOffering, type CachePool, type CapacitySnapshot, type Command, type Decision, type DemandSignal, type Ec2Pool, type Forecast, type Offering, type SafetyLimits } from '../model/index.js';
import type { Planner, PlannerMemory } from '../plan/types.js';
import type { ArrivalHeadroom } from '../plan/arrival-headroom.js';
import { addUsage, poolBudgets, poolSpendCap, usageOf, type UsageDelta } from '../plan/limits.js';
import { planCacheStage, type CacheNeedPrefetch } from '../prefetch/cache-stage.js';
import { withWarmPool, type WarmPoolOptions } from '../plan/warm-pool.js';
import { buildDemandSlots } from './demand.js';
import type { Latest } from './observe.js';
import type { StageResult, TickMemory } from './memory.js';
import type { PredictOutput } from './predict.js';
import type { TaskBacklogSignal } from './types.js';

/** Inputs of {@link planStage}. */
export interface PlanInputs {
  readonly nowSec: number;
  readonly tickSec: number;
  readonly slotSec: number;
  readonly slots: number;
  /** Quantile levels demand is built at. */
  readonly levels: readonly number[];
  readonly pools: readonly Ec2Pool[];
  readonly cachePools: readonly CachePool[];
  readonly cacheNodes: readonly CacheNodeOffering[];
  /** From the spot stage. */
  readonly offeringsByPool: ReadonlyMap<string, readonly Offering[]>;
  /** Capacity after the spot stage's replacements. */
  readonly capacity: CapacitySnapshot;
  readonly signals: readonly DemandSignal[];
  readonly backlogSignals: readonly TaskBacklogSignal[];
  readonly latest: Latest;
  readonly prediction: PredictOutput;
  /** Cloud events of this tick (counted in the decision). */
  readonly cloudEventCount: number;
  readonly planner: Planner;
  /**
   * The safety limits: with them, every pool is planned under one spend budget, `maxSpendUsdPerHour`
   * less what the caches, the other pools and the pools planned before it (their launches less their
   * terminations) spend (core/plan/limits.ts `poolSpendCap`), so the validate stage does not drop a
   * later pool's launches for spend the earlier pools took; the cache pools then grow only within what
   * is left (core/plan/limits.ts `cacheGrowthBreach`). Absent: each pool is planned alone.
   */
  readonly limits?: SafetyLimits;
  /**
   * Capacity units this tick already launched or terminated before planning (the spot stage's accepted
   * replacements): they count against `limits.maxChangeUnitsPerTick`, as in validate and the guard. @default 0
   */
  readonly priorChangeUnits?: number;
  /** The prefetch settings the cache need counts predicted states with; absent: prefetch off. */
  readonly prefetch: CacheNeedPrefetch | undefined;
  /**
   * Two-way known-step calibration (issue 19, core/plan/known-steps.ts): the residual calibrator scores
   * the faced demand of the steps known now (slot 0 of the prediction's committed units) instead of the
   * raw backlog, and may lower the known steps. @default false
   */
  readonly lowerKnownSteps?: boolean;
  /** Calibrate the task residual per regime of the pool (core/tick/demand.ts `residualRegimes`). @default false */
  readonly residualRegimes?: boolean;
  /**
   * ACI step size γ of the metric pools' realized coverage (core/tick/coverage.ts; needs `recalibrate`):
   * > 0 steers the level the calibrated metric quantiles are read at so that the share of periods a
   * pool's ready capacity fell short of its demand converges to 1 − serviceLevel. @default 0 (off)
   */
  readonly coverageGamma?: number;
  /**
   * EC2 Auto Scaling warm pools (issue 19; core/plan/warm-pool.ts): each pool that buys on-demand keeps
   * stopped instances sized for the demand within a cold lead time, and urgent launches start them.
   * Absent: no warm pools.
   */
  readonly warmPools?: WarmPoolOptions;
  readonly arrivalHeadroom?: ReadonlyMap<string, ArrivalHeadroom>;
}

/** Plans every pool; the memory's planner memory is replaced. */
export function planStage(inputs: PlanInputs, memory: TickMemory): StageResult {
  const { nowSec, slotSec } = inputs;
  const cal = memory.calibrators;
  const prior = memory.state.plannerMemory;
  const commands: Command[] = [];
  const decisions: Decision[] = [];
  const next: Record<string, PlannerMemory> = { ...prior };
  let usage = addUsage(usageOf(inputs.capacity), { changeUnits: inputs.priorChangeUnits ?? 0 });
  for (const pool of inputs.pools) {
    const poolSpend = inputs.capacity.instances.filter((i) => i.poolId === pool.id && i.state !== 'terminated').reduce((x, i) => x + i.priceUsdPerHour, 0);
    const budget = inputs.limits ? { extraSpendCaps: [poolSpendCap(inputs.limits, usage, poolSpend)], ...poolBudgets(inputs.limits, usage) } : {};
    const arrivals = inputs.arrivalHeadroom?.get(pool.id);
    const demand = buildDemandSlots({
      poolId: pool.id, nowSec, slotSec, slots: inputs.slots, levels: inputs.levels, signals: inputs.signals, backlogSignals: inputs.backlogSignals,
      forecasts: memory.forecasts.bySeries, recent: inputs.latest.recent, recentAtSec: inputs.latest.recentAtSec, poolCalibrator: cal?.pool, backlogCalibrator: cal?.backlog,
      recentBacklog: inputs.lowerKnownSteps ? { atSec: nowSec, units: inputs.prediction.committedByPool.get(pool.id)?.[0] ?? 0 } : inputs.latest.recentBacklog.get(pool.id),
      lowerKnownSteps: inputs.lowerKnownSteps ?? false, residualRegimes: inputs.residualRegimes ?? false, committedUnits: inputs.prediction.committedByPool.get(pool.id) ?? [], predictedUnits: inputs.prediction.unitsByPool.get(pool.id) ?? [],
      ...(arrivals ? { arrivalUnits: arrivals.unitsByLevel } : {}),
      ...(cal?.coverage && (inputs.coverageGamma ?? 0) > 0 ? { coverage: { tracker: cal.coverage, readyUnits: readyUnitsOf(inputs.capacity, pool.id), serviceLevel: pool.serviceLevel, gamma: inputs.coverageGamma! } } : {}),
      ...(cal ? { quantileOf: (id: string, f: Forecast | undefined, level: number, t: number) => cal.metric.quantile(id, f, level, t) } : {}),
    });
    const out = inputs.planner.plan({ nowSec, pool, offerings: inputs.offeringsByPool.get(pool.id) ?? [], capacity: inputs.capacity, demand, slotSec, memory: prior[pool.id] ?? {}, ...budget });
    const warm = inputs.warmPools ? withWarmPool({ nowSec, pool, offerings: inputs.offeringsByPool.get(pool.id) ?? [], capacity: inputs.capacity, demand, slotSec, options: inputs.warmPools }, out.plan.commands) : undefined;
    const poolCommands = warm?.commands ?? out.plan.commands;
    usage = addUsage(usage, plannedUsage(poolCommands, inputs.offeringsByPool.get(pool.id) ?? [], inputs.capacity));
    next[pool.id] = out.memory;
    commands.push(...poolCommands);
    decisions.push({
      atSec: nowSec, kind: 'plan', subject: pool.id, chosen: `${poolCommands.length} command(s) by ${out.plan.solver}`,
      reason: `${out.plan.reason}; demand q${quantileKey(pool.serviceLevel)} now ${(demand[0]?.quantiles[quantileKey(pool.serviceLevel)] ?? 0).toFixed(2)} units${arrivals ? `; arrival headroom ${arrivals.nowUnits.toFixed(2)} units now` : ''}; ${inputs.cloudEventCount} cloud event(s)${warm?.reason ? `; ${warm.reason}` : ''}`,
    });
  }
  if (inputs.cachePools.length > 0) {
    const sized = planCacheStage({
      nowSec, tickSec: inputs.tickSec, slotSec, pools: inputs.cachePools, nodes: inputs.cacheNodes, capacity: inputs.capacity, ledger: memory.ledger,
      chains: inputs.prediction.prefetchInputs, prefetch: inputs.prefetch, memory: prior,
      ...(inputs.limits ? { budget: { limits: inputs.limits, usage } } : {}),
    });
    commands.push(...sized.commands);
    decisions.push(...sized.decisions);
    Object.assign(next, sized.memory);
  }
  return { memory: { ...memory, state: { ...memory.state, plannerMemory: next } }, commands, decisions };
}

/** Capacity units of the pool's running instances (booted: pending ones are not ready). */
function readyUnitsOf(capacity: CapacitySnapshot, poolId: string): number {
  let units = 0;
  for (const i of capacity.instances) if (i.poolId === poolId && i.state === 'running') units += i.capacityUnits;
  return units;
}

/**
 * What `commands` add against the limits, as validate counts them (core/tick/validate.ts): launches
 * at their offering's price and units, terminated instances' prices and count taken off, and every
 * launched or terminated unit counted as change.
 */
function plannedUsage(commands: readonly Command[], offerings: readonly Offering[], capacity: CapacitySnapshot): UsageDelta {
  const byId = new Map(offerings.map((o) => [o.id, o]));
  const live = new Map(capacity.instances.filter((i) => i.state !== 'terminated').map((i) => [i.id, i]));
  let usd = 0, instances = 0, changeUnits = 0;
  for (const c of commands) {
    if (c.kind === 'launch') {
      usd += c.count * (byId.get(c.offeringId)?.priceUsdPerHour ?? 0);
      instances += c.count;
      changeUnits += c.count * (byId.get(c.offeringId)?.capacityUnits ?? 0);
    } else if (c.kind === 'terminate') {
      for (const id of c.instanceIds) {
        const i = live.get(id);
        if (!i) continue;
        usd -= i.priceUsdPerHour;
        instances--;
        changeUnits += i.capacityUnits;
      }
    }
  }
  return { spendUsdPerHour: usd, instances, changeUnits };
}
