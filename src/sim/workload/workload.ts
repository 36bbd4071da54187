/**
 * The simulated workload of one world: chain arrivals, task dependencies, queues per pool, placement
 * on ready instances, task runtimes, kills on spot reclaim (killed tasks re-queue at the front, so
 * work is conserved), preparations, and the execution events the controller observes.
 */
import type { ExecutionEvent, PreExecuteCommand, Random, Workflow } from '../../core/model/index.js';
import type { SimInstance } from '../cloud/sim-instance.js';
import type { EventQueue } from '../event-queue.js';
import type { SimClock } from '../sim-clock.js';
import { EVENT_PRIORITY, type SimEvent, type WorkloadSimEvent } from '../sim-events.js';
import { instantiateChain } from './chains.js';
import { PoolPlacement } from './placement.js';
import { PrefetchLedger } from './prefetch-ledger.js';
import type { ChainArrival, SimChain, SimTask } from './types.js';

/** Workload statistics for the report. */
export interface WorkloadStats {
  /** Seconds each start waited since the task became runnable. */
  readonly waitSec: number[];
  tasksSubmitted: number;
  tasksCompleted: number;
  tasksRequeued: number;
  chainsSubmitted: number;
  chainsCompleted: number;
  readonly makespanSec: number[];
}

/** Options of a workload. */
export interface WorkloadOptions {
  readonly clock: SimClock;
  readonly queue: EventQueue<SimEvent>;
  readonly random: Random;
  readonly workflows: readonly Workflow[];
  readonly arrivals: readonly ChainArrival[];
  readonly poolIds: readonly string[];
  /** TTL of preparations, seconds. @default 900 */
  readonly prefetchTtlSec?: number;
}

/** See module doc. */
export class Workload {
  readonly pools = new Map<string, PoolPlacement>();
  readonly chains = new Map<string, SimChain>();
  readonly prefetch = new PrefetchLedger();
  readonly events: ExecutionEvent[] = [];
  readonly stats: WorkloadStats = { waitSec: [], tasksSubmitted: 0, tasksCompleted: 0, tasksRequeued: 0, chainsSubmitted: 0, chainsCompleted: 0, makespanSec: [] };
  private readonly workflows: Map<string, Workflow>;
  private readonly tasks = new Map<string, SimTask>();
  private readonly dirty = new Set<string>();
  /** Optional hook: a task could not be placed (the oracle launches for it at once). */
  onShortage?: (poolId: string) => void;

  constructor(private readonly opts: WorkloadOptions) {
    this.workflows = new Map(opts.workflows.map((w) => [w.name, w]));
    for (const id of opts.poolIds) this.pools.set(id, new PoolPlacement());
    opts.arrivals.forEach((a, i) => opts.queue.push(a.atSec, { kind: 'chain-arrival', chainIndex: i }, EVENT_PRIORITY.arrival));
  }

  /** Chains not finished yet. */
  get openChains(): number {
    return this.stats.chainsSubmitted - this.stats.chainsCompleted;
  }

  /** The task with `key`, if submitted. */
  task(key: string): SimTask | undefined {
    return this.tasks.get(key);
  }

  /** Handles one workload queue event. */
  handle(ev: WorkloadSimEvent): void {
    const now = this.opts.clock.nowSec();
    if (ev.kind === 'chain-arrival') this.arrive(this.opts.arrivals[ev.chainIndex], now);
    else if (ev.kind === 'task-finish') {
      const t = this.tasks.get(ev.taskKey);
      if (t && t.status === 'running' && t.attempt === ev.attempt) this.finish(t, now);
    }
  }

  /** Cloud hook: an instance became ready. */
  instanceReady(inst: SimInstance): void {
    const p = this.pools.get(inst.poolId);
    if (!p) return;
    p.addInstance(inst);
    this.dirty.add(inst.poolId);
  }

  /** Cloud hook: an instance is gone; its tasks re-queue at the front. */
  instanceLost(inst: SimInstance): void {
    const p = this.pools.get(inst.poolId);
    if (!p) return;
    const killed = p.removeInstance(inst.id);
    const now = this.opts.clock.nowSec();
    for (let k = killed.length - 1; k >= 0; k--) {
      const t = killed[k];
      t.status = 'queued';
      t.instanceId = undefined;
      t.queuedAtSec = now;
      t.attempt++;
      this.stats.tasksRequeued++;
      this.emit(t, 'failed', now);
      p.enqueue(t, true);
    }
    this.dirty.add(inst.poolId);
  }

  /** Cloud hook: a pre-execute command. */
  preExecute(cmd: PreExecuteCommand): string | undefined {
    const t = this.tasks.get(`${cmd.chainId}/${cmd.taskId}`) ?? this.findByType(cmd.chainId, cmd.taskId);
    if (!t) return `no pending task ${cmd.taskId} in chain ${cmd.chainId}`;
    return this.prefetch.prepare(t, this.opts.clock.nowSec(), this.opts.prefetchTtlSec ?? 900);
  }

  /** Places queued tasks of pools whose capacity or queue changed. */
  schedule(): void {
    if (this.dirty.size === 0) return;
    const now = this.opts.clock.nowSec();
    for (const poolId of [...this.dirty].sort()) {
      const p = this.pools.get(poolId)!;
      p.place((t) => this.start(t, now));
      if (p.queue.length > 0 && this.onShortage) {
        this.onShortage(poolId);
        p.place((t) => this.start(t, now));
      }
    }
    this.dirty.clear();
  }

  private findByType(chainId: string, taskType: string): SimTask | undefined {
    const c = this.chains.get(chainId);
    return c?.tasks.find((t) => t.taskType === taskType && (t.status === 'blocked' || t.status === 'queued'));
  }

  private arrive(a: ChainArrival, now: number): void {
    const chain = instantiateChain(a, this.workflows, this.opts.random);
    this.chains.set(chain.id, chain);
    this.stats.chainsSubmitted++;
    this.stats.tasksSubmitted += chain.tasks.length;
    for (const t of chain.tasks) {
      this.tasks.set(t.key, t);
      this.emit(t, 'submitted', now);
    }
    for (const t of chain.tasks) if (t.pendingParents === 0) this.makeRunnable(t, now);
  }

  private makeRunnable(t: SimTask, now: number): void {
    t.status = 'queued';
    t.queuedAtSec = now;
    this.pools.get(t.poolId)!.enqueue(t);
    this.dirty.add(t.poolId);
  }

  private start(t: SimTask, now: number): void {
    t.status = 'running';
    t.startedAtSec = now;
    this.stats.waitSec.push(now - (t.queuedAtSec ?? now));
    const saved = t.attempt === 0 ? this.prefetch.consume(t, now) : 0;
    this.emit(t, 'started', now);
    this.opts.queue.push(now + t.runtimeSec - saved, { kind: 'task-finish', taskKey: t.key, attempt: t.attempt }, EVENT_PRIORITY.finish);
  }

  private finish(t: SimTask, now: number): void {
    this.pools.get(t.poolId)!.release(t);
    this.dirty.add(t.poolId);
    t.status = 'done';
    t.finishedAtSec = now;
    this.stats.tasksCompleted++;
    this.emit(t, 'finished', now);
    for (const c of t.children) if (--c.pendingParents === 0) this.makeRunnable(c, now);
    const chain = this.chains.get(t.chainId)!;
    if (++chain.doneTasks === chain.tasks.length) {
      chain.finishedAtSec = now;
      this.stats.chainsCompleted++;
      this.stats.makespanSec.push(now - chain.arrivalSec);
    }
  }

  private emit(t: SimTask, kind: ExecutionEvent['kind'], atSec: number): void {
    const chain = this.chains.get(t.chainId)!;
    this.events.push({ chainId: t.chainId, workflow: chain.workflow, variant: chain.variant, taskId: t.def.task_id, taskType: t.taskType, kind, atSec, ...(chain.principal ? { principal: chain.principal } : {}) });
  }
}
