/**
 * The act stage's I/O: applies accepted commands through the CloudProvider with a write-ahead save
 * (every launch is in the pending-launch ledger before the provider is called), hands preparations
 * to the Preparer, and describes capacity with the ledger's launches the provider does not list yet.
 *
 * Crash safety: command ids are deterministic (pool, tick time, action, target); the tick state is
 * written before acting (with the ids applied so far) and after each command when a store is given,
 * so a tick that crashed mid-way is re-run with the same commands and skips those already applied.
 */
import type { ApplyResult, CapacitySnapshot, Command, ControllerConfig, Decision, Offering, PreExecuteCommand } from '../../core/model/index.js';
import type { PreparedStateLedger } from '../../core/prefetch/ledger.js';
import type { TickState } from '../../core/tick/memory.js';
import { intend, reconcile, settle, unseenIds, unsettled, withUnseen, type PendingLaunches } from '../../core/tick/pending-launches.js';
import { liveMarks, markUnavailable, type UnavailableOfferings } from '../../core/tick/unavailable-offerings.js';
import type { CloudProvider } from '../../ports/cloud-provider.js';
import type { Preparer, PrepareOutcome } from '../../ports/preparer.js';
import type { TickStateHolder } from './state.js';

/** What the actuator uses. */
export interface ActuatorDeps {
  readonly cloud: CloudProvider;
  readonly preparer?: Preparer;
  readonly holder: TickStateHolder;
  /** True when the state is durable (saved after every command). */
  readonly durable: boolean;
  readonly mode: ControllerConfig['mode'];
  readonly nowSec: number;
  readonly ledger: PreparedStateLedger;
  readonly pendingLaunchMaxAgeSec?: number;
}

/** One tick's acting: the pending-launch ledger, unavailable offerings and applied ids it keeps. */
export class TickActuator {
  pending: PendingLaunches;
  unavailable: UnavailableOfferings;
  readonly results: ApplyResult[] = [];
  readonly preparations: PrepareOutcome[] = [];
  /** Ids of instances only the pending-launch ledger knows of (in the last snapshots). */
  readonly unseen = new Set<string>();
  /** The state written ahead of acting (the loaded state plus the spot stage's). */
  base: TickState;
  private readonly done: Set<string>;

  constructor(private readonly deps: ActuatorDeps, state: TickState) {
    this.pending = state.pendingLaunches ?? {};
    this.unavailable = liveMarks(state.unavailableOfferings, deps.nowSec);
    this.done = new Set(state.inFlight?.tickSec === deps.nowSec ? state.inFlight.appliedIds : []);
    this.base = state;
  }

  /** Active mode: re-applies launches of earlier ticks whose outcome was never saved (same command id). */
  async reapplyPending(): Promise<void> {
    if (this.deps.mode !== 'active') return;
    for (const c of unsettled(this.pending)) {
      const r = await this.deps.cloud.apply(c);
      this.results.push(r);
      this.done.add(c.id);
      this.pending = settle(this.pending, c, r);
      this.unavailable = markUnavailable(this.unavailable, c, r, this.deps.nowSec);
    }
  }

  /** Describes capacity, reconciles the ledger with it and adds the launches it does not list yet. */
  async describe(anyOfferingById: ReadonlyMap<string, Offering>): Promise<CapacitySnapshot> {
    const raw = await this.deps.cloud.describeCapacity();
    this.pending = reconcile(this.pending, raw, this.deps.nowSec, this.deps.pendingLaunchMaxAgeSec);
    const snapshot = withUnseen(raw, this.pending, anyOfferingById);
    for (const id of unseenIds(snapshot, raw)) this.unseen.add(id);
    return snapshot;
  }

  /** Applies `cmds` (active mode; dry-run records them), a `validate` decision per failure. */
  async act(cmds: readonly Command[], decisions: Decision[]): Promise<void> {
    const { mode, nowSec } = this.deps;
    if (mode === 'dry-run') for (const c of cmds) this.results.push({ commandId: c.id, status: 'dry-run', instanceIds: [] });
    if (mode !== 'active' || cmds.length === 0) return;
    for (const c of cmds) if (c.kind === 'launch' && !this.done.has(c.id)) this.pending = intend(this.pending, c, nowSec);
    await this.saveAhead();
    for (const c of cmds) {
      if (this.done.has(c.id)) continue;
      const r = await this.deps.cloud.apply(c);
      this.results.push(r);
      this.done.add(c.id);
      if (c.kind === 'launch') {
        this.pending = settle(this.pending, c, r);
        this.unavailable = markUnavailable(this.unavailable, c, r, nowSec);
      }
      if (r.status === 'failed') decisions.push({ atSec: nowSec, kind: 'validate', subject: c.poolId, chosen: `failed ${c.id}`, reason: `${r.error?.code}: ${r.error?.message}` });
      if (this.deps.durable) await this.saveAhead();
    }
  }

  /**
   * Hands `preparations` to the Preparer (active mode, with a Preparer); `accepted` (or `duplicate`)
   * ones are passed to `onAccepted`, others get a `validate` decision.
   */
  async prepare(preparations: readonly PreExecuteCommand[], decisions: Decision[], onAccepted: (c: PreExecuteCommand) => void): Promise<void> {
    const { preparer, mode, nowSec } = this.deps;
    if (mode !== 'active' || !preparer) return;
    for (const c of preparations) {
      const r = await preparer.prepare(c);
      this.preparations.push(r);
      if (r.status === 'accepted' || r.status === 'duplicate') onAccepted(c);
      else decisions.push({ atSec: nowSec, kind: 'validate', subject: c.poolId, chosen: `failed ${c.id}`, reason: `${r.status}: ${r.reason ?? ''}` });
      if (this.deps.durable) await this.saveAhead();
    }
  }

  /** The state at the end of the tick (`state`: the stages' memory state). */
  finalState(state: TickState): TickState {
    return {
      lastTickSec: this.deps.nowSec, plannerMemory: state.plannerMemory, avoidOfferings: state.avoidOfferings, replacedInstances: state.replacedInstances,
      preparedStates: this.deps.ledger.toRecord(),
      ...(Object.keys(this.pending).length > 0 ? { pendingLaunches: this.pending } : {}),
      ...(Object.keys(this.unavailable).length > 0 ? { unavailableOfferings: this.unavailable } : {}),
    };
  }

  private async saveAhead(): Promise<void> {
    await this.deps.holder.save({
      ...this.base, preparedStates: this.deps.ledger.toRecord(), inFlight: { tickSec: this.deps.nowSec, appliedIds: [...this.done] }, pendingLaunches: this.pending, unavailableOfferings: this.unavailable,
    });
  }
}
