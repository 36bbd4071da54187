/**
 * Command building: deterministic ids (idempotent client tokens), launches due by lead time, and
 * the choice of instances to terminate.
 */
import type { Instance } from '../model/capacity.js';
import type { LaunchCommand, TerminateCommand } from '../model/command.js';
import { EC2_BILLING_MINIMUM_SEC } from '../model/pool.js';
import type { Counts, OfferingBook } from './fleet.js';


/**
 * Deterministic command id: the same pool, tick time, action and target give the same id, so a retried
 * tick is deduplicated by the provider (EC2 ClientToken semantics).
 */
export function commandId(poolId: string, nowSec: number, action: string, target: string): string {
  return `${poolId}@${nowSec}/${action}/${target}`;
}

/** A launch of `count` instances of `offeringId`, needed at `needAtSec`. */
export function launchCommand(
  poolId: string, nowSec: number, offeringId: string, count: number, needAtSec: number, book: OfferingBook, reason: string,
): LaunchCommand {
  const o = book.info(offeringId);
  return {
    kind: 'launch', id: commandId(poolId, nowSec, 'launch', offeringId), poolId, offeringId, count, needAtSec,
    expectedCostUsdPerHour: round6(count * o.priceUsdPerHour), reason,
  };
}

/** One terminate command for the given instances (sorted ids). */
export function terminateCommand(poolId: string, nowSec: number, instanceIds: readonly string[], reason: string): TerminateCommand {
  const ids = instanceIds.slice().sort();
  return { kind: 'terminate', id: commandId(poolId, nowSec, 'terminate', ids.join('+')), poolId, instanceIds: ids, reason };
}

/**
 * Seconds of an instance's already-paid billing minimum still to run at `nowSec` (0 once past 60 s).
 * Terminating it earlier wastes that time, so instances nearest the end of their minimum go first.
 */
export function prepaidRemainingSec(i: Instance, nowSec: number): number {
  return Math.max(0, EC2_BILLING_MINIMUM_SEC - (nowSec - i.launchedAtSec));
}

/**
 * Picks instances to terminate so that each offering goes from `from` to `to` counts: within an
 * offering, idle instances first, then the least busy (`busyUnits`, unknown counts as idle: no work
 * is lost by stopping an idle instance), then those with the least prepaid billing time left, then
 * the newest (newest pending ones carry the least work), then by id.
 */
export function pickInstancesToTerminate(instances: readonly Instance[], from: Counts, to: Counts, nowSec: number): Instance[] {
  const out: Instance[] = [];
  for (const [id, n] of from) {
    const drop = n - (to.get(id) ?? 0);
    if (drop <= 0) continue;
    const mine = instances.filter((i) => i.offeringId === id)
      .sort((a, b) => (a.busyUnits ?? 0) - (b.busyUnits ?? 0) || prepaidRemainingSec(a, nowSec) - prepaidRemainingSec(b, nowSec) || b.launchedAtSec - a.launchedAtSec || (a.id < b.id ? -1 : 1));
    out.push(...mine.slice(0, drop));
  }
  return out;
}

/** Rounds to 6 decimals (USD amounts in plans). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
