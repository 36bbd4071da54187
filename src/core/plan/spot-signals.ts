/**
 * Reaction to spot interruption notices and rebalance recommendations (EC2 User Guide: "Spot
 * Instance interruption notices" give 120 s; "EC2 instance rebalance recommendations" come earlier,
 * when an instance is at elevated risk). Pure: events and state in, commands out.
 *
 * - Replace ahead: every instance under a notice (or a rebalance recommendation) gets replacement
 *   capacity launched now, so it is ready as close as possible to the reclaim.
 * - Shift offerings: replacements go to other spot offerings (never one that received a signal this
 *   tick), cheapest effective USD per unit first, each kept under `maxSpotSharePerOffering` of the
 *   spot fleet; offerings that got signals are returned so the caller can mark them unavailable for
 *   the next plans (buildOfferings' `unavailable`).
 * - Protect critical steps: units running critical steps on at-risk instances are replaced on
 *   on-demand (the on-demand floor raised for them), as are replacements no spot offering can take.
 * Apply these commands before planning the same tick (or plan on a fresh describeCapacity): the
 * planner counts pending replacements as capacity and does not replace twice.
 */
import type { CapacitySnapshot, Instance } from '../model/capacity.js';
import type { LaunchCommand } from '../model/command.js';
import type { CloudEvent } from '../model/events.js';
import type { Offering } from '../model/offering.js';
import type { Ec2Pool } from '../model/pool.js';
import { commandId, round6 } from './commands.js';

/** What the reaction needs. */
export interface SpotSignalInput {
  readonly nowSec: number;
  readonly pool: Ec2Pool;
  readonly offerings: readonly Offering[];
  readonly capacity: CapacitySnapshot;
  /** Cloud events received since the last tick. */
  readonly events: readonly CloudEvent[];
  /** Instance ids running critical steps (their units are replaced on on-demand). */
  readonly criticalInstanceIds?: ReadonlySet<string>;
}

/** The reaction: launches, and offerings to avoid in the next plans. */
export interface SpotSignalReaction {
  readonly commands: readonly LaunchCommand[];
  /** Offering ids that received a notice or recommendation this tick, sorted. */
  readonly avoidOfferingIds: readonly string[];
  /** Instance ids replaced ahead, sorted. */
  readonly replacedInstanceIds: readonly string[];
}

/** Computes replacement launches for the pool's at-risk instances. Deterministic. */
export function reactToSpotSignals(input: SpotSignalInput): SpotSignalReaction {
  const { pool, nowSec } = input;
  const mine = new Map(input.capacity.instances.filter((i) => i.poolId === pool.id && i.state !== 'terminated').map((i) => [i.id, i]));
  const atRisk = new Map<string, { inst: Instance; kind: CloudEvent['kind'] }>();
  const avoid = new Set<string>();
  for (const e of input.events) {
    if (e.kind === 'insufficient-capacity') { if (e.offeringId) avoid.add(e.offeringId); continue; }
    const inst = e.instanceId ? mine.get(e.instanceId) : undefined;
    if (inst) { avoid.add(inst.offeringId); if (!atRisk.has(inst.id) || e.kind === 'spot-interruption-notice') atRisk.set(inst.id, { inst, kind: e.kind }); }
    else if (e.offeringId && e.kind === 'rebalance-recommendation') avoid.add(e.offeringId);
  }
  for (const i of mine.values()) if (i.state === 'interrupting') { atRisk.set(i.id, atRisk.get(i.id) ?? { inst: i, kind: 'spot-interruption-notice' }); avoid.add(i.offeringId); }
  // Spot units per offering after the at-risk instances leave.
  const spotUnits = new Map<string, number>();
  for (const i of mine.values()) if (i.market === 'spot' && !atRisk.has(i.id) && i.state !== 'interrupting') spotUnits.set(i.offeringId, (spotUnits.get(i.offeringId) ?? 0) + i.capacityUnits);
  const perUnit = (o: Offering): number => (o.priceUsdPerHour + o.interruptionHazardPerHour * o.priceUsdPerHour) / o.capacityUnits;
  const usable = input.offerings.filter((o) => o.available && !avoid.has(o.id) && pool.markets.includes(o.market))
    .slice().sort((a, b) => perUnit(a) - perUnit(b) || (a.id < b.id ? -1 : 1));
  const spot = usable.filter((o) => o.market === 'spot');
  const onDemand = usable.filter((o) => o.market === 'on-demand');
  const launches = new Map<string, { count: number; reasons: string[] }>();
  const add = (o: Offering, why: string): void => {
    const l = launches.get(o.id) ?? { count: 0, reasons: [] };
    l.count++; l.reasons.push(why); launches.set(o.id, l);
  };
  const replaced: string[] = [];
  const ordered = [...atRisk.values()].sort((a, b) => (a.inst.interruptionAtSec ?? Infinity) - (b.inst.interruptionAtSec ?? Infinity) || (a.inst.id < b.inst.id ? -1 : 1));
  for (const { inst, kind } of ordered) {
    let units = inst.capacityUnits;
    const critical = input.criticalInstanceIds?.has(inst.id) ?? false;
    const why = `${kind === 'spot-interruption-notice' ? 'interruption notice' : 'rebalance recommendation'} for ${inst.id} (${inst.offeringId})`;
    const useOnDemand = critical || inst.market === 'on-demand';
    while (units > 0) {
      let o: Offering | undefined;
      if (!useOnDemand) {
        const total = [...spotUnits.values()].reduce((a, b) => a + b, 0);
        o = spot.find((c) => (spotUnits.get(c.id) ?? 0) + c.capacityUnits <= pool.maxSpotSharePerOffering * (total + c.capacityUnits) + 1e-9)
          ?? spot.find((c) => (spotUnits.get(c.id) ?? 0) === 0);
      }
      o ??= onDemand.find((c) => c.capacityUnits >= units) ?? onDemand[0];
      if (!o) break;
      add(o, critical ? `${why}: critical step, on-demand` : why);
      if (o.market === 'spot') spotUnits.set(o.id, (spotUnits.get(o.id) ?? 0) + o.capacityUnits);
      units -= o.capacityUnits;
    }
    replaced.push(inst.id);
  }
  const byId = new Map(input.offerings.map((o) => [o.id, o]));
  const commands: LaunchCommand[] = [...launches.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, l]) => ({
    kind: 'launch', id: commandId(pool.id, nowSec, 'replace', id), poolId: pool.id, offeringId: id, count: l.count, needAtSec: nowSec,
    expectedCostUsdPerHour: round6(l.count * (byId.get(id)?.priceUsdPerHour ?? 0)),
    reason: `replace ahead: ${[...new Set(l.reasons)].join('; ')}`,
  }));
  return { commands, avoidOfferingIds: [...avoid].sort(), replacedInstanceIds: replaced.sort() };
}
