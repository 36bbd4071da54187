/**
 * The spot-signal stage of the tick: before planning, every EC2 pool reacts to this tick's spot
 * interruption notices, rebalance recommendations and insufficient-capacity events with
 * core/plan/spot-signals' `reactToSpotSignals` (replace ahead in other offerings; units running
 * critical steps replaced on on-demand), and the offerings that got signals are kept out of the plans
 * for `spotAvoidSec` (marked `available: false`, as buildOfferings' `unavailable` does).
 *
 * No double replacement: an instance replaced once is remembered (tick state `replacedInstances`,
 * until it is gone from the snapshot) and left out of later reactions, so an instance still
 * `interrupting` on the next tick is not replaced again. The tick applies the replacements before
 * planning (active mode) or shows them to the planner as pending placeholders (other modes), so the
 * planner counts them as capacity.
 *
 * Critical steps: execution events may carry the instance a step runs on (`ExecutionEvent.instanceId`).
 * When a critical step runs in a pool and its instance is not known, every instance of the pool that
 * may be busy (`busyUnits` > 0, or unknown) is treated as running it — conservative: its replacement
 * goes to on-demand.
 */
import type { CapacitySnapshot, CloudEvent, Decision, Ec2Pool, Instance, LaunchCommand, Offering } from '../model/index.js';
import { reactToSpotSignals } from '../plan/spot-signals.js';
import type { ChainBook } from './chain-book.js';
import { stepKey, type ChainView } from './chain-view.js';
import type { StageResult, TickMemory } from './memory.js';

/**
 * Seconds an offering stays out of the plans after a signal. 30 minutes: a rebalance recommendation
 * means elevated interruption risk "in the near future" (EC2 User Guide, "EC2 instance rebalance
 * recommendations"); this is our choice of how near, not an AWS figure.
 */
export const DEFAULT_SPOT_AVOID_SEC = 1800;

/** Follows which instance each running step runs on, from execution events that name it. */
export class CriticalStepTracker {
  private readonly instanceOf = new Map<string, string>();

  /** The tracker as data: `chainId/taskId` → instance id, insertion order. */
  toJSON(): Array<[string, string]> {
    return [...this.instanceOf];
  }

  /** Rebuilds a tracker saved by {@link toJSON}. */
  static fromJSON(json: ReadonlyArray<readonly [string, string]>): CriticalStepTracker {
    const t = new CriticalStepTracker();
    for (const [k, v] of json) t.instanceOf.set(k, v);
    return t;
  }

  /** Applies execution events in order. */
  observe(view: ChainView): void {
    for (const e of view.events) {
      const key = stepKey(e.chainId, e.taskId);
      if (e.kind === 'started' && e.instanceId) this.instanceOf.set(key, e.instanceId);
      else if (e.kind === 'finished' || e.kind === 'failed') this.instanceOf.delete(key);
    }
  }

  /**
   * Instance ids of `poolId` running critical steps: the known instance of each running critical
   * step; when one's instance is unknown, every instance of the pool that may be busy.
   */
  instanceIds(book: ChainBook, poolId: string, snap: CapacitySnapshot): Set<string> {
    const ids = new Set<string>();
    let unknown = false;
    for (const c of book.chains.values()) {
      for (const [taskId, s] of c.steps) {
        if (s.status !== 'started' || !s.def.critical || s.poolId !== poolId) continue;
        const id = this.instanceOf.get(stepKey(c.chainId, taskId));
        if (id) ids.add(id);
        else unknown = true;
      }
    }
    if (unknown) for (const i of snap.instances) if (i.poolId === poolId && (i.busyUnits === undefined || i.busyUnits > 0)) ids.add(i.id);
    return ids;
  }
}

/** Inputs of {@link reactToSpotStage}. */
export interface SpotStageInput {
  readonly nowSec: number;
  readonly pools: readonly Ec2Pool[];
  /** Offerings per pool, with the avoided ones already marked unavailable (see {@link withoutAvoided}). */
  readonly offeringsByPool: ReadonlyMap<string, readonly Offering[]>;
  readonly capacity: CapacitySnapshot;
  /** Cloud events drained this tick. */
  readonly events: readonly CloudEvent[];
  /** Instance ids running critical steps, per pool. */
  readonly criticalInstanceIds: (poolId: string) => ReadonlySet<string>;
  /** Tick state: offerings avoided until (epoch seconds). */
  readonly avoidOfferings: Readonly<Record<string, number>>;
  /** Tick state: instances already replaced (epoch seconds of the replacement). */
  readonly replacedInstances: Readonly<Record<string, number>>;
  /** @default {@link DEFAULT_SPOT_AVOID_SEC} */
  readonly avoidSec?: number;
}

/** What the stage decided, and the tick state to keep. */
export interface SpotStageOutput {
  /** Replacement launches of every pool (pool order, then offering id). */
  readonly commands: readonly LaunchCommand[];
  /** One `plan` decision per pool that replaced instances or started avoiding offerings. */
  readonly decisions: readonly Decision[];
  /** Offering id → avoided until (epoch seconds), expired entries dropped, keys sorted. */
  readonly avoidOfferings: Record<string, number>;
  /** Instance id → replaced at (epoch seconds), for instances still live, keys sorted. */
  readonly replacedInstances: Record<string, number>;
}

/** Offering ids avoided at `nowSec`. */
export function avoidedAt(avoid: Readonly<Record<string, number>> | undefined, nowSec: number): Set<string> {
  const out = new Set<string>();
  for (const [id, until] of Object.entries(avoid ?? {})) if (until > nowSec) out.add(id);
  return out;
}

/** `offerings` with the avoided ones marked `available: false` (other fields unchanged). */
export function withoutAvoided(offerings: readonly Offering[], avoided: ReadonlySet<string>): Offering[] {
  return offerings.map((o) => (avoided.has(o.id) && o.available ? { ...o, available: false } : o));
}

/**
 * Reacts to the tick's spot signals in every pool. Deterministic: pools in the given order, events
 * as drained. Instances already replaced are left out, so each instance is replaced once.
 */
export function reactToSpotStage(input: SpotStageInput): SpotStageOutput {
  const { nowSec } = input;
  const avoidSec = input.avoidSec ?? DEFAULT_SPOT_AVOID_SEC;
  const replacedBefore = input.replacedInstances;
  if (input.events.length === 0 && Object.keys(replacedBefore).length === 0) {
    // nothing to react to (most ticks): skip the per-pool scans
    const kept: Record<string, number> = {};
    for (const [id, until] of Object.entries(input.avoidOfferings)) if (until > nowSec) kept[id] = until;
    return { commands: [], decisions: [], avoidOfferings: sortedRecord(kept), replacedInstances: {} };
  }
  const fresh: CapacitySnapshot = { ...input.capacity, instances: input.capacity.instances.filter((i) => replacedBefore[i.id] === undefined) };
  const events = input.events.filter((e) => !e.instanceId || replacedBefore[e.instanceId] === undefined);
  const avoid: Record<string, number> = {};
  for (const [id, until] of Object.entries(input.avoidOfferings)) if (until > nowSec) avoid[id] = until;
  const replaced: Record<string, number> = {};
  const live = new Set(input.capacity.instances.filter((i) => i.state !== 'terminated').map((i) => i.id));
  for (const [id, at] of Object.entries(replacedBefore)) if (live.has(id)) replaced[id] = at;
  const commands: LaunchCommand[] = [];
  const decisions: Decision[] = [];
  const byId = new Map<string, Instance>(input.capacity.instances.map((i) => [i.id, i]));
  for (const pool of input.pools) {
    const r = reactToSpotSignals({
      nowSec, pool, offerings: input.offeringsByPool.get(pool.id) ?? [], capacity: fresh, events, criticalInstanceIds: input.criticalInstanceIds(pool.id),
    });
    const newlyAvoided = r.avoidOfferingIds.filter((id) => !(id in avoid));
    for (const id of r.avoidOfferingIds) avoid[id] = Math.max(avoid[id] ?? 0, nowSec + avoidSec);
    for (const id of r.replacedInstanceIds) replaced[id] = nowSec;
    commands.push(...r.commands);
    if (r.replacedInstanceIds.length === 0 && newlyAvoided.length === 0) continue;
    const avoidText = r.avoidOfferingIds.length > 0 ? `avoid ${r.avoidOfferingIds.join(', ')} until ${nowSec + avoidSec}` : '';
    if (r.replacedInstanceIds.length > 0) {
      const launched = r.commands.map((c) => `${c.count} × ${c.offeringId}`).join(', ') || 'nothing (no usable offering)';
      const lost = r.replacedInstanceIds.map((id) => `${id} (${byId.get(id)?.offeringId ?? '?'})`).join(', ');
      decisions.push({
        atSec: nowSec, kind: 'plan', subject: pool.id, chosen: `replace ahead ${lost} with ${launched}`,
        reason: [...r.commands.map((c) => c.reason), avoidText].filter((x) => x).join('; '),
      });
    } else {
      decisions.push({ atSec: nowSec, kind: 'plan', subject: pool.id, chosen: `avoid ${newlyAvoided.join(', ')}`, reason: `spot or capacity signal; ${avoidText}` });
    }
  }
  return { commands, decisions, avoidOfferings: sortedRecord(avoid), replacedInstances: sortedRecord(replaced) };
}

/**
 * `snap` plus a pending placeholder instance for each launched unit of `commands` (ids
 * `planned:<command id>:<k>`, marked fully busy so scale-in never picks them), for planning when the
 * launches were not applied (dry-run and forecast-only modes).
 */
export function withPendingLaunches(snap: CapacitySnapshot, commands: readonly LaunchCommand[], offeringsById: ReadonlyMap<string, Offering>): CapacitySnapshot {
  if (commands.length === 0) return snap;
  const extra: Instance[] = [];
  for (const c of commands) {
    const o = offeringsById.get(c.offeringId);
    if (!o) continue;
    for (let k = 0; k < c.count; k++) {
      extra.push({
        id: `planned:${c.id}:${k}`, poolId: c.poolId, offeringId: o.id, instanceType: o.instanceType, market: o.market, az: o.az,
        capacityUnits: o.capacityUnits, state: 'pending', launchedAtSec: snap.atSec, priceUsdPerHour: o.priceUsdPerHour,
        busyUnits: o.capacityUnits, commandId: c.id, tags: {},
      });
    }
  }
  return { ...snap, instances: [...snap.instances, ...extra] };
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Inputs of {@link spotStage}. */
export interface SpotInputs {
  readonly nowSec: number;
  readonly pools: readonly Ec2Pool[];
  /** From the offerings stage. */
  readonly offeringsByPool: ReadonlyMap<string, readonly Offering[]>;
  readonly capacity: CapacitySnapshot;
  /** Cloud events drained this tick. */
  readonly events: readonly CloudEvent[];
  /** @default {@link DEFAULT_SPOT_AVOID_SEC} */
  readonly avoidSec?: number;
}

/** The spot stage's output: replacement launches, and the offerings with the newly avoided ones marked. */
export interface SpotOutput extends StageResult<LaunchCommand> {
  readonly offeringsByPool: Map<string, Offering[]>;
  /** Every offering of {@link offeringsByPool} by id. */
  readonly offeringsById: Map<string, Offering>;
}

/**
 * The spot stage: {@link reactToSpotStage} on the memory's avoided offerings and replaced instances
 * (replaced in the returned memory's state), with the critical steps' instances from the chain book.
 */
export function spotStage(inputs: SpotInputs, memory: TickMemory): SpotOutput {
  const { nowSec } = inputs;
  const spot = reactToSpotStage({
    nowSec, pools: inputs.pools, offeringsByPool: inputs.offeringsByPool, capacity: inputs.capacity, events: inputs.events,
    criticalInstanceIds: (id) => memory.critical.instanceIds(memory.chains, id, inputs.capacity),
    avoidOfferings: memory.state.avoidOfferings ?? {}, replacedInstances: memory.state.replacedInstances ?? {},
    ...(inputs.avoidSec !== undefined ? { avoidSec: inputs.avoidSec } : {}),
  });
  const avoidNow = avoidedAt(spot.avoidOfferings, nowSec);
  const offeringsByPool = new Map<string, Offering[]>();
  for (const [id, os] of inputs.offeringsByPool) offeringsByPool.set(id, withoutAvoided(os, avoidNow));
  const offeringsById = new Map<string, Offering>();
  for (const os of offeringsByPool.values()) for (const o of os) offeringsById.set(o.id, o);
  const state = { ...memory.state, avoidOfferings: spot.avoidOfferings, replacedInstances: spot.replacedInstances };
  return { memory: { ...memory, state }, commands: spot.commands, decisions: spot.decisions, offeringsByPool, offeringsById };
}
