/**
 * Launches the cloud may not list yet: a write-ahead ledger in the persisted tick state, so a launch's
 * effect is visible to the next tick even when the tick crashed after the launch and before saving, and
 * while EC2's DescribeInstances does not list the new instances yet (EC2 is eventually consistent:
 * "it can take up to several minutes", EC2 API reference, "Eventual consistency").
 *
 * Life of an entry (keyed by command id):
 * 1. `intend` before the provider is called (saved first): the launch may happen from now on;
 * 2. `settle` with the provider's result: failed → removed; launched → its instance ids and count;
 * 3. a later tick re-applies an entry that never got a result (the crash case) with the same command id,
 *    so the provider's idempotency (EC2 ClientToken) returns the first launch instead of a second one;
 * 4. `reconcile` drops an entry once a describe lists all its instances (by command id or instance
 *    id), or after `maxAgeSec`; until then `withUnseen` adds its missing instances to each snapshot
 *    the tick plans and validates on, as pending instances of the launch's offering.
 */
import type { ApplyResult, CapacitySnapshot, Instance, LaunchCommand, Offering } from '../model/index.js';

/**
 * How long a launch is counted while no describe lists it, seconds: Karpenter gives a launched node
 * 15 minutes to appear and register before it gives up on it (kubernetes-sigs/karpenter, registration
 * TTL in pkg/controllers/nodeclaim/lifecycle/liveness.go).
 */
export const DEFAULT_PENDING_LAUNCH_MAX_AGE_SEC = 900;

/** Prefix of the ids of instances a launch added that the provider has not named (Auto Scaling). */
export const UNSEEN_INSTANCE_PREFIX = 'unseen:';

/** One launch in the ledger. */
export interface PendingLaunch {
  readonly command: LaunchCommand;
  /** Epoch seconds the launch was first intended. */
  readonly atSec: number;
  /** The provider's result; absent while the outcome is unknown (the process died during the call). */
  readonly outcome?: { readonly instanceIds: readonly string[]; readonly count: number };
}

/** The ledger as persisted: command id → entry. */
export type PendingLaunches = Readonly<Record<string, PendingLaunch>>;

/** Failures after which nothing was launched (anything else, e.g. a timeout, may have launched). */
const DEFINITE_FAILURES = new Set(['insufficient-capacity', 'throttled', 'unauthorized', 'invalid', 'not-owned', 'limit-exceeded', 'quota-exceeded', 'retry-later', 'unsupported']);

/** The ledger with `command` intended at `nowSec` (kept as is when already there). */
export function intend(ledger: PendingLaunches, command: LaunchCommand, nowSec: number): PendingLaunches {
  if (ledger[command.id]) return ledger;
  return { ...ledger, [command.id]: { command, atSec: nowSec } };
}

/** The ledger after the provider answered `result` for a launch. */
export function settle(ledger: PendingLaunches, command: LaunchCommand, result: ApplyResult): PendingLaunches {
  const entry = ledger[command.id] ?? { command, atSec: Number.NEGATIVE_INFINITY };
  const { [command.id]: _drop, ...rest } = ledger;
  if (result.status === 'dry-run') return rest;
  if (result.status === 'failed') return result.error && DEFINITE_FAILURES.has(result.error.code) ? rest : ledger;
  const count = Math.max(result.instanceIds.length, result.launchedCount ?? 0);
  if (result.status === 'duplicate' && count === 0) {
    // the provider had applied it before and names nothing now: keep what we knew, else assume the full count
    return { ...rest, [command.id]: entry.outcome ? entry : { ...entry, outcome: { instanceIds: [], count: command.count } } };
  }
  return { ...rest, [command.id]: { ...entry, outcome: { instanceIds: [...result.instanceIds], count } } };
}

/** Launch commands whose outcome is unknown (to re-apply with the same id), by command id. */
export function unsettled(ledger: PendingLaunches): LaunchCommand[] {
  return Object.keys(ledger).sort().map((id) => ledger[id]).filter((e) => !e.outcome).map((e) => e.command);
}

/** How many of an entry's instances `snap` lists. */
function seenCount(e: PendingLaunch, snap: CapacitySnapshot): number {
  const ids = new Set(e.outcome?.instanceIds ?? []);
  return snap.instances.filter((i) => i.commandId === e.command.id || ids.has(i.id)).length;
}

/** The ledger without entries `snap` lists in full, or older than `maxAgeSec` (settled ones only). */
export function reconcile(ledger: PendingLaunches, snap: CapacitySnapshot, nowSec: number, maxAgeSec = DEFAULT_PENDING_LAUNCH_MAX_AGE_SEC): PendingLaunches {
  const out: Record<string, PendingLaunch> = {};
  for (const [id, e] of Object.entries(ledger)) {
    if (!e.outcome) { out[id] = e; continue; }
    if (seenCount(e, snap) >= e.outcome.count) continue;
    if (nowSec - e.atSec > maxAgeSec) continue;
    out[id] = e;
  }
  return out;
}

/**
 * `snap` with the instances of settled ledger entries it does not list yet, as `pending` instances of
 * the launch's offering (busy, so scale-in leaves them alone; unnamed ones get an
 * {@link UNSEEN_INSTANCE_PREFIX} id). Unsettled entries are not added: they are re-applied first.
 */
export function withUnseen(snap: CapacitySnapshot, ledger: PendingLaunches, offeringsById: ReadonlyMap<string, Offering>): CapacitySnapshot {
  const listed = new Set(snap.instances.map((i) => i.id));
  const added: Instance[] = [];
  for (const id of Object.keys(ledger).sort()) {
    const e = ledger[id];
    if (!e.outcome) continue;
    let missing = e.outcome.count - seenCount(e, snap);
    if (missing <= 0) continue;
    const o = offeringsById.get(e.command.offeringId);
    const [instanceType = 'unknown', market = 'on-demand', az = 'unknown'] = e.command.offeringId.split('/');
    const units = o?.capacityUnits ?? 1;
    const ids = [...e.outcome.instanceIds.filter((x) => !listed.has(x))];
    for (let k = 0; missing > 0; k++, missing--) {
      added.push({
        id: ids[k] ?? `${UNSEEN_INSTANCE_PREFIX}${id}:${k}`, poolId: e.command.poolId, offeringId: e.command.offeringId,
        instanceType: o?.instanceType ?? instanceType, market: o?.market ?? (market === 'spot' ? 'spot' : 'on-demand'), az: o?.az ?? az,
        capacityUnits: units, state: 'pending', launchedAtSec: e.atSec, readyAtSec: e.atSec + (o?.launchLeadTimeSec ?? 0),
        priceUsdPerHour: o?.priceUsdPerHour ?? e.command.expectedCostUsdPerHour / Math.max(1, e.command.count),
        busyUnits: units, commandId: id, tags: {},
      });
    }
  }
  return added.length === 0 ? snap : { ...snap, instances: [...snap.instances, ...added] };
}

/** Ids of the instances `withUnseen` added (a terminate command must not name them). */
export function unseenIds(snap: CapacitySnapshot, raw: CapacitySnapshot): Set<string> {
  const listed = new Set(raw.instances.map((i) => i.id));
  return new Set(snap.instances.filter((i) => !listed.has(i.id)).map((i) => i.id));
}
