/**
 * The one definition of every safety limit (ControllerConfig.limits, {@link SafetyLimits}) and of a
 * principal's spend cap, used by the planner (one spend budget across pools: {@link poolSpendCap}),
 * by the tick's validate stage (core/tick/validate.ts) and by the Lambda's last-line guard
 * (handlers/safety-guard.ts):
 * - `maxInstances`: live instances (not terminated), counting launches not listed yet;
 * - `maxSpendUsdPerHour`: spend of the live instances plus the cache groups (billed nodes × price
 *   per node-hour: the larger of the current and the pending shape while a modification runs);
 * - `maxChangeUnitsPerTick`: capacity units launched plus terminated in one tick;
 * - a warm pool's size against `maxInstances` ({@link warmPoolBreach}): its stopped instances are no
 *   capacity and no spend beyond EBS, but each is an instance the account holds;
 * - a principal's `spendCapUsdPerHour` (policies): its spend over the last hour plus a chain's
 *   expected cost.
 * The planner plans within the same limits ({@link poolSpendCap}, {@link poolBudgets}: one budget
 * across pools; {@link cacheGrowthBreach}: cache scale-out from the same spend budget, after the EC2
 * pools), so validate only drops what changed between planning and acting.
 * Shrinking never breaches a limit (a terminate only counts against the change per tick).
 */
import { billedCacheNodes, cacheNodeCount, type CacheGroupState, type CapacitySnapshot, type SafetyLimits } from '../model/index.js';
import type { SpendCap } from './types.js';

/** What the commands of a tick hold and change against the limits. */
export interface LimitUsage {
  /** Live instances. */
  readonly instances: number;
  /** Instances plus cache groups, USD per hour. */
  readonly spendUsdPerHour: number;
  /** Capacity units launched or terminated this tick. */
  readonly changeUnits: number;
}

/** A limit a command would breach: its name, the value it would reach and the limit. */
export interface LimitBreach {
  readonly limit: keyof SafetyLimits;
  readonly value: number;
  readonly max: number;
}

/** Spend of a snapshot, USD per hour: live instances plus every cache group's billed nodes. */
export function spendOf(snap: CapacitySnapshot): number {
  let spend = snap.instances.filter((i) => i.state !== 'terminated').reduce((s, i) => s + i.priceUsdPerHour, 0);
  for (const g of snap.caches) spend += cacheGroupSpend(g);
  return spend;
}

/**
 * What a cache group is billed, USD per hour: its billed nodes (the larger of the current and the
 * pending shape while a modification runs) × price per node-hour; `nodes` overrides the node count
 * (the guard's count after this tick's growths).
 */
export function cacheGroupSpend(g: CacheGroupState, nodes = billedCacheNodes(g)): number {
  return nodes * g.priceUsdPerNodeHour;
}

/**
 * Spend a scale-cache to `shards` × (1 + `replicasPerShard`) nodes adds to group `g`, USD per hour
 * (negative for a shrink): (target nodes − `priorNodes`) × price per node-hour.
 * @param priorNodes the nodes the group is billed for now @default billedCacheNodes(g)
 */
export function cacheGrowthSpend(g: CacheGroupState, shards: number, replicasPerShard: number, priorNodes = billedCacheNodes(g)): number {
  return (cacheNodeCount(shards, replicasPerShard) - priorNodes) * g.priceUsdPerNodeHour;
}

/**
 * The limit a cache scale-out of group `g` to `shards` × (1 + `replicasPerShard`) nodes would breach
 * from `usage` (only `maxSpendUsdPerHour`: a cache node is no instance and no capacity unit),
 * undefined when none or when it does not grow the group. The one check of cache growth: the plan
 * stage sizes caches within it (core/prefetch/cache-stage.ts), validate and the guard drop what
 * still breaches it.
 */
export function cacheGrowthBreach(
  limits: SafetyLimits, usage: LimitUsage, g: CacheGroupState, shards: number, replicasPerShard: number, priorNodes = billedCacheNodes(g),
): LimitBreach | undefined {
  const add = cacheGrowthSpend(g, shards, replicasPerShard, priorNodes);
  return add > 0 ? breachOf(limits, usage, { spendUsdPerHour: add }) : undefined;
}

/** Usage of a snapshot before any command of the tick (no change yet). */
export function usageOf(snap: CapacitySnapshot): LimitUsage {
  return { instances: snap.instances.filter((i) => i.state !== 'terminated').length, spendUsdPerHour: spendOf(snap), changeUnits: 0 };
}

/** What a command adds (negative for a terminate's instances and spend). */
export interface UsageDelta {
  readonly instances?: number;
  readonly spendUsdPerHour?: number;
  /** Units changed (always ≥ 0: launched or terminated). */
  readonly changeUnits?: number;
}

/** `usage` after `d`. */
export function addUsage(usage: LimitUsage, d: UsageDelta): LimitUsage {
  return { instances: usage.instances + (d.instances ?? 0), spendUsdPerHour: usage.spendUsdPerHour + (d.spendUsdPerHour ?? 0), changeUnits: usage.changeUnits + (d.changeUnits ?? 0) };
}

/**
 * The first limit a growth `d` would breach from `usage` (instances, then spend, then change),
 * undefined when none. Only the fields `d` gives are checked: a launch gives all three, a terminate
 * only its change (shrinking is always allowed), a cache growth its added spend.
 */
export function breachOf(limits: SafetyLimits, usage: LimitUsage, d: UsageDelta): LimitBreach | undefined {
  const next = addUsage(usage, d);
  if (d.instances !== undefined && next.instances > limits.maxInstances) return { limit: 'maxInstances', value: next.instances, max: limits.maxInstances };
  if (d.spendUsdPerHour !== undefined && next.spendUsdPerHour > limits.maxSpendUsdPerHour) return { limit: 'maxSpendUsdPerHour', value: next.spendUsdPerHour, max: limits.maxSpendUsdPerHour };
  if (d.changeUnits !== undefined && next.changeUnits > limits.maxChangeUnitsPerTick) return { limit: 'maxChangeUnitsPerTick', value: next.changeUnits, max: limits.maxChangeUnitsPerTick };
  return undefined;
}

/** One line naming the breach: "would hold 4 instances > maxInstances 3", "would spend 1.10 USD/h > …", "would change 6 units > …". */
export function breachText(b: LimitBreach): string {
  if (b.limit === 'maxInstances') return `would hold ${b.value} instances > maxInstances ${b.max}`;
  if (b.limit === 'maxSpendUsdPerHour') return `would spend ${b.value.toFixed(2)} USD/h > maxSpendUsdPerHour ${b.max}`;
  return `would change ${b.value} units > maxChangeUnitsPerTick ${b.max}`;
}

/**
 * The spend budget of one pool under `maxSpendUsdPerHour` shared by every pool and cache, as the
 * planner's spend cap on the pool's own spend: the limit minus what everything else spends
 * (`usage`, including earlier pools' planned launches, less this pool's `poolSpendUsdPerHour`), never below 0.
 */
export function poolSpendCap(limits: SafetyLimits, usage: LimitUsage, poolSpendUsdPerHour: number): SpendCap {
  return { label: 'maxSpendUsdPerHour', capUsdPerHour: Math.max(0, limits.maxSpendUsdPerHour - (usage.spendUsdPerHour - poolSpendUsdPerHour)) };
}

/**
 * The global change and instance limits left for the next pool's plan, as the planner's
 * `changeBudgetUnits` and `instanceBudget` (PlanInput): the limit less what `usage` (the tick's
 * commands so far and the live instances) already takes, never below 0.
 */
export function poolBudgets(limits: SafetyLimits, usage: LimitUsage): { readonly changeBudgetUnits: number; readonly instanceBudget: number } {
  return { changeBudgetUnits: Math.max(0, limits.maxChangeUnitsPerTick - usage.changeUnits), instanceBudget: Math.max(0, limits.maxInstances - usage.instances) };
}

/**
 * The warm-pool rule: a warm pool's stopped instances are not capacity and cost only EBS, but each
 * one is an instance the account holds, so `liveInstances` + the pool's `minSize` (instances) must
 * not exceed `maxInstances`. The breach (limit `maxInstances`, value live + minSize), or undefined
 * when it fits. Validate caps a warm-pool command to {@link warmPoolRoom} (core/tick/validate.ts);
 * the Lambda's guard refuses one that still breaches (handlers/safety-guard.ts).
 * @param liveInstances instances held now (not terminated), as the caller counts them
 * @param minSize the warm pool's requested size, instances (≥ 0)
 */
export function warmPoolBreach(limits: SafetyLimits, liveInstances: number, minSize: number): LimitBreach | undefined {
  const value = liveInstances + minSize;
  return value > limits.maxInstances ? { limit: 'maxInstances', value, max: limits.maxInstances } : undefined;
}

/** The largest warm pool {@link warmPoolBreach} allows beside `liveInstances`, instances: maxInstances − live, never below 0. */
export function warmPoolRoom(limits: SafetyLimits, liveInstances: number): number {
  return Math.max(0, limits.maxInstances - liveInstances);
}

/** True when a principal's cap would be exceeded: spent over the last hour plus the expected cost (USD) above the cap (USD per hour). */
export function principalCapReached(capUsdPerHour: number, spentUsdLastHour: number, expectedCostUsd: number): boolean {
  return spentUsdLastHour + expectedCostUsd > capUsdPerHour;
}
