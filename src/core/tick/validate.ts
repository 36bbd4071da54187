/**
 * The validate stage (DESIGN.md rule 3): every planned command is re-checked against a fresh
 * capacity snapshot and the configured safety limits before anything acts. A command that would
 * breach a limit is dropped with a `safety` decision; one made stale by the fresh state (an instance
 * already gone, an offering now unavailable) is dropped or trimmed with a `validate` decision.
 * Spend counts the instances and the cache groups (nodes × price per node-hour, the larger of the
 * current and the pending shape while a modification runs); a cache scale-out that would take the
 * spend over `maxSpendUsdPerHour` is dropped like a launch (core/plan/limits.ts `cacheGrowthBreach`,
 * the check the plan stage sizes caches within). A warm pool whose size beside the instances held
 * (live, unseen launches and this tick's accepted launches) would exceed `maxInstances` is capped to
 * the room left (limits.ts `warmPoolBreach`, the rule the guard applies too) with a `safety`
 * decision. Shrinking is always allowed.
 */
import { billedCacheNodes, cacheNodeCount, type CapacitySnapshot, type Command, type Decision, type Offering, type SafetyLimits } from '../model/index.js';
import type { StageResult, TickMemory } from './memory.js';
import { round6 } from '../plan/commands.js';
import { addUsage, breachOf, breachText, cacheGrowthBreach, cacheGrowthSpend, usageOf, warmPoolBreach, warmPoolRoom } from '../plan/limits.js';

/** Result of validation. */
export interface ValidationOutput {
  readonly accepted: Command[];
  readonly decisions: Decision[];
  /** Capacity units the accepted commands launch or terminate (with the prior units given). */
  readonly changeUnits: number;
}

/**
 * Validates `commands` in order, accumulating their effect on instance count, spend and change.
 * @param offeringsById every offering of the pools concerned, fresh from the provider
 */
export function validateCommands(
  commands: readonly Command[], snap: CapacitySnapshot, offeringsById: ReadonlyMap<string, Offering>, limits: SafetyLimits, nowSec: number, priorChangeUnits = 0,
): ValidationOutput {
  const accepted: Command[] = [];
  const decisions: Decision[] = [];
  const liveById = new Map(snap.instances.filter((i) => i.state !== 'terminated').map((i) => [i.id, i]));
  const caches = new Map(snap.caches.map((g) => [g.poolId, { group: g, nodes: billedCacheNodes(g) }]));
  let usage = addUsage(usageOf(snap), { changeUnits: priorChangeUnits });
  const drop = (c: Command, kind: 'validate' | 'safety', reason: string): void => {
    decisions.push({ atSec: nowSec, kind, subject: c.poolId, chosen: `drop ${c.id}`, reason });
  };
  for (const c of commands) {
    if (c.kind === 'launch') {
      const o = offeringsById.get(c.offeringId);
      if (!o || !o.available) { drop(c, 'validate', `offering ${c.offeringId} is ${o ? 'unavailable' : 'unknown'} now`); continue; }
      const d = { instances: c.count, spendUsdPerHour: c.count * o.priceUsdPerHour, changeUnits: c.count * o.capacityUnits };
      const breach = breachOf(limits, usage, d);
      if (breach) { drop(c, 'safety', breachText(breach)); continue; }
      usage = addUsage(usage, d);
      accepted.push(c);
    } else if (c.kind === 'terminate') {
      const still = c.instanceIds.filter((id) => liveById.has(id));
      if (still.length === 0) { drop(c, 'validate', 'every instance is already gone'); continue; }
      const units = still.reduce((s, id) => s + liveById.get(id)!.capacityUnits, 0);
      const breach = breachOf(limits, usage, { changeUnits: units });
      if (breach) { drop(c, 'safety', breachText(breach)); continue; }
      if (still.length < c.instanceIds.length) {
        decisions.push({ atSec: nowSec, kind: 'validate', subject: c.poolId, chosen: `trim ${c.id}`, reason: `${c.instanceIds.length - still.length} instance(s) already gone` });
      }
      for (const id of still) {
        usage = addUsage(usage, { spendUsdPerHour: -liveById.get(id)!.priceUsdPerHour });
        liveById.delete(id);
      }
      usage = addUsage(usage, { instances: -still.length, changeUnits: units });
      accepted.push(still.length === c.instanceIds.length ? c : { ...c, instanceIds: still });
    } else if (c.kind === 'scale-cache' && caches.has(c.poolId)) {
      const g = caches.get(c.poolId)!;
      const breach = cacheGrowthBreach(limits, usage, g.group, c.shards, c.replicasPerShard, g.nodes);
      if (breach) { drop(c, 'safety', breachText(breach)); continue; }
      const addSpend = cacheGrowthSpend(g.group, c.shards, c.replicasPerShard, g.nodes);
      if (addSpend > 0) { usage = addUsage(usage, { spendUsdPerHour: addSpend }); g.nodes = cacheNodeCount(c.shards, c.replicasPerShard); }
      accepted.push(c);
    } else if (c.kind === 'warm-pool' && warmPoolBreach(limits, usage.instances, c.minSize)) {
      const room = warmPoolRoom(limits, usage.instances);
      decisions.push({ atSec: nowSec, kind: 'safety', subject: c.poolId, chosen: `cap ${c.id} to ${room}`, reason: breachText(warmPoolBreach(limits, usage.instances, c.minSize)!) });
      accepted.push({ ...c, minSize: room, expectedCostUsdPerHour: c.minSize > 0 ? round6((c.expectedCostUsdPerHour * room) / c.minSize) : 0 });
    } else {
      accepted.push(c);
    }
  }
  return { accepted, decisions, changeUnits: usage.changeUnits };
}

/**
 * A terminate never names an instance only the pending-launch ledger knows of (the provider cannot
 * find it yet): such ids are left out, and a terminate left with none is dropped.
 * @param unseen ids of instances the ledger added to the snapshot (core/tick/pending-launches.ts `unseenIds`)
 */
export function listedOnly(commands: readonly Command[], unseen: ReadonlySet<string>): Command[] {
  return commands.flatMap((c) => {
    if (c.kind !== 'terminate' || !c.instanceIds.some((id) => unseen.has(id))) return [c];
    const ids = c.instanceIds.filter((id) => !unseen.has(id));
    return ids.length > 0 ? [{ ...c, instanceIds: ids }] : [];
  });
}

/** Inputs of {@link validateStage}. */
export interface ValidateInputs {
  readonly nowSec: number;
  readonly commands: readonly Command[];
  /** A fresh snapshot (with the pending-launch ledger's unseen instances). */
  readonly capacity: CapacitySnapshot;
  /** Ids of the snapshot's instances no describe listed yet. */
  readonly unseen: ReadonlySet<string>;
  readonly offeringsById: ReadonlyMap<string, Offering>;
  readonly limits: SafetyLimits;
  /** Units already launched or terminated this tick (an earlier validate's `changeUnits`). @default 0 */
  readonly priorChangeUnits?: number;
}

/**
 * The validate stage: {@link listedOnly}, then {@link validateCommands}; the accepted commands and the
 * tick's change units after them (for a later stage's `priorChangeUnits`).
 */
export function validateStage(inputs: ValidateInputs, memory: TickMemory): StageResult & { readonly changeUnits: number } {
  const out = validateCommands(listedOnly(inputs.commands, inputs.unseen), inputs.capacity, inputs.offeringsById, inputs.limits, inputs.nowSec, inputs.priorChangeUnits);
  return { memory, commands: out.accepted, decisions: out.decisions, changeUnits: out.changeUnits };
}
