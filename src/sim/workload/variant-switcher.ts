/**
 * Variant switches on triggers inside the simulated workload (seed 003 component 4, adaptive
 * execution): which chains are re-scored on a spot interruption notice, a step overrunning its p95
 * runtime × the overrun factor, or queued steps in a pool with no available offering; and, when the
 * composer switches, applying it (switch-chain.ts) and handing the new steps back to the workload.
 * Each chain is re-scored at most once per trigger key and at most `maxSwitchesPerChain` times.
 */
import type { SwitchTrigger } from '../../core/compose/index.js';
import type { Random, Workflow } from '../../core/model/index.js';
import type { SimInstance } from '../cloud/sim-instance.js';
import type { ChainComposer } from './composer.js';
import type { PoolPlacement } from './placement.js';
import { applyVariantSwitch, keptTasks } from './switch-chain.js';
import type { SimChain, SimTask } from './types.js';
import type { WorkloadNote, WorkloadStats } from './workload-types.js';

/** The workload state and operations a {@link VariantSwitcher} reads and calls (owned by the Workload). */
export interface SwitchHost {
  readonly composer: ChainComposer;
  /** The workload's random stream (new steps draw their runtimes from it). */
  readonly random: Random;
  readonly workflows: ReadonlyMap<string, Workflow>;
  readonly chains: ReadonlyMap<string, SimChain>;
  readonly pools: ReadonlyMap<string, PoolPlacement>;
  /** Running steps, in start order. */
  readonly running: ReadonlySet<SimTask>;
  /** Counters updated on a switch (`tasksCancelled`, `tasksSubmitted`). */
  readonly stats: WorkloadStats;
  /** Receives one `variant-switch` note per switch. */
  readonly notes: WorkloadNote[];
  /** Current simulated time, epoch seconds. */
  nowSec(): number;
  /** Frees a step dropped by a switch: its queue place or its share of an instance. */
  drop(t: SimTask, nowSec: number): void;
  /** Registers a switch's new steps (submitted events), then queues those with no unfinished parent. */
  submit(fresh: readonly SimTask[], nowSec: number): void;
  /** Marks `chain` complete when all its steps are done. */
  maybeComplete(chain: SimChain, nowSec: number): void;
}

/** Detects switch triggers and applies the composer's switches to the workload's chains. See module doc. */
export class VariantSwitcher {
  /** Chain ids already re-scored for a trigger key (once per task/pool and trigger). */
  private readonly triggered = new Set<string>();

  constructor(private readonly host: SwitchHost) {}

  /**
   * A spot interruption notice for `inst`: every chain with a step running there is re-scored (in
   * chain id order); on a switch the step on the noticed instance is cancelled with the chain's
   * pending steps, and the new variant's remaining steps are queued.
   */
  instanceNoticed(inst: SimInstance): void {
    const slot = this.host.pools.get(inst.poolId)?.slots.get(inst.id);
    if (!slot) return;
    const byChain = new Map<string, SimTask[]>();
    for (const t of slot.tasks) {
      const list = byChain.get(t.chainId) ?? [];
      list.push(t);
      byChain.set(t.chainId, list);
    }
    for (const chainId of [...byChain.keys()].sort()) {
      const lost = new Set(byChain.get(chainId));
      this.trySwitch(this.host.chains.get(chainId)!, { kind: 'spot-interruption-notice', poolId: inst.poolId, detail: `instance ${inst.id} (${inst.offering.id})` }, lost, `notice:${inst.id}`);
    }
  }

  /**
   * Step-boundary triggers checked at `nowSec` (epoch seconds, once per tick): a running step past its
   * p95 runtime × the overrun factor (in task key order), then queued steps in a pool of
   * `unavailablePools` (pools whose offerings all report insufficient capacity; in pool id order).
   */
  checkTriggers(nowSec: number, unavailablePools: ReadonlySet<string>): void {
    const factor = this.host.composer.setup.overrunFactor;
    const overrun: SimTask[] = [];
    for (const t of this.host.running) {
      const p95 = t.def.runtime?.p95Sec;
      if (p95 !== undefined && t.startedAtSec !== undefined && nowSec - t.startedAtSec > p95 * factor) overrun.push(t);
    }
    overrun.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const t of overrun) {
      const chain = this.host.chains.get(t.chainId);
      if (!chain || t.status !== 'running') continue;
      this.trySwitch(chain, { kind: 'overrun', taskId: t.def.task_id, runtimeSec: nowSec - t.startedAtSec!, p95Sec: t.def.runtime!.p95Sec!, factor }, new Set(), `overrun:${t.key}`);
    }
    for (const poolId of [...unavailablePools].sort()) {
      const p = this.host.pools.get(poolId);
      if (!p || p.queue.length === 0) continue;
      const chainIds = [...new Set(p.queue.map((t) => t.chainId))].sort();
      for (const id of chainIds) this.trySwitch(this.host.chains.get(id)!, { kind: 'insufficient-capacity', poolId, detail: 'every offering reports InsufficientInstanceCapacity' }, new Set(), `ice:${poolId}`);
    }
  }

  /** Re-scores `chain` on `trigger` (once per `onceKey`) and applies a switch. */
  private trySwitch(chain: SimChain, trigger: SwitchTrigger, lost: ReadonlySet<SimTask>, onceKey: string): void {
    const host = this.host;
    const composer = host.composer;
    const wf = host.workflows.get(chain.workflow);
    if (!wf || wf.variants.length < 2 || chain.finishedAtSec !== undefined) return;
    if (chain.switches >= composer.setup.maxSwitchesPerChain) return;
    const key = `${chain.id}|${onceKey}`;
    if (this.triggered.has(key)) return;
    this.triggered.add(key);
    const now = host.nowSec();
    const doneIds = keptTasks(chain, lost).map((t) => t.def.task_id);
    const r = composer.rescore(wf, chain.variant, chain.principal, doneIds, trigger, chain.id, now);
    if (!r.switched) return;
    const variant = wf.variants.find((v) => v.name === r.variant)!;
    const { from, fresh, kept, cancelled } = applyVariantSwitch(chain, variant, r.remainingTaskIds, lost, host.random, (t) => host.drop(t, now));
    host.stats.tasksCancelled += cancelled;
    host.stats.tasksSubmitted += fresh.length - cancelled;
    const pool = trigger.kind === 'overrun' ? (kept.find((t) => t.def.task_id === trigger.taskId)?.poolId ?? '') : trigger.poolId;
    host.notes.push({ timestamp: now, pool, kind: 'variant-switch', detail: `${chain.id} ${chain.workflow}: ${from} -> ${variant.name}: ${r.decision.reason}` });
    host.submit(fresh, now);
    host.maybeComplete(chain, now);
  }
}
