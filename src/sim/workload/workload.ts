/**
 * The simulated workload of one world: chain arrivals (composed by the chain service's composer when
 * the scenario has one, see composer.ts), task dependencies, queues per pool, placement on ready
 * instances, task runtimes, kills on spot reclaim (killed tasks re-queue at the front, so work is
 * conserved), variant switches on triggers (variant-switcher.ts, switch-chain.ts), preparations
 * (prefetch-ledger.ts), the cost of each chain's task attempts, and the execution events the
 * controller observes. Its statistics and notes are typed in workload-types.ts.
 */
import type { ExecutionEvent, PreExecuteCommand, Random, Workflow } from '../../core/model/index.js';
import type { Preparer, PrepareOutcome } from '../../ports/preparer.js';
import type { SimInstance } from '../cloud/sim-instance.js';
import type { EventQueue } from '../event-queue.js';
import type { SimClock } from '../sim-clock.js';
import { EVENT_PRIORITY, type SimEvent, type WorkloadSimEvent } from '../sim-events.js';
import { instantiateChain } from './chains.js';
import type { ChainComposer } from './composer.js';
import { PoolPlacement } from './placement.js';
import { PrefetchLedger, type PrefetchPrices } from './prefetch-ledger.js';
import type { ChainArrival, SimChain, SimTask } from './types.js';
import { VariantSwitcher } from './variant-switcher.js';
import { LAMBDA, LambdaConcurrency, lambdaInvocationUsd } from '../../core/plan/burst.js';
import type { BurstRouter } from './burst.js';
import type { WorkloadNote, WorkloadStats } from './workload-types.js';
import { SimProgressEvents } from './progress-events.js';

export type { WorkloadNote, WorkloadStats } from './workload-types.js';

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
  /** Prices valuing wasted preparations. @default DEFAULT_PREFETCH_PRICES */
  readonly prefetchPrices?: PrefetchPrices;
  /** Composes arriving chains and re-scores running ones; absent: arrivals run their named (or first) variant. */
  readonly composer?: ChainComposer;
  /** Long steps report `progress` events (progress-events.ts; issue 22 intensity). @default true */
  readonly progressEvents?: boolean;
  /** Usable memory of the prefetch state cache now, GiB (undefined: unbounded). @default unbounded */
  readonly cacheCapacityGiB?: () => number | undefined;
}

/** See module doc. */
export class Workload implements Preparer {
  /** Ids of the preparations accepted (the Preparer contract: idempotent per command id). */
  private readonly preparedIds = new Set<string>();

  readonly pools = new Map<string, PoolPlacement>();
  readonly chains = new Map<string, SimChain>();
  readonly prefetch: PrefetchLedger;
  readonly events: ExecutionEvent[] = [];
  /** Discrete events for events.csv, in time order. */
  readonly notes: WorkloadNote[] = [];
  readonly stats: WorkloadStats = {
    waitSec: [], tasksSubmitted: 0, tasksCompleted: 0, tasksRequeued: 0, chainsSubmitted: 0, chainsCompleted: 0, chainsDenied: 0, tasksCancelled: 0, makespanSec: [],
  };
  private readonly workflows: Map<string, Workflow>;
  private readonly tasks = new Map<string, SimTask>();
  private readonly running = new Set<SimTask>();
  /** Variant switches on triggers; absent without a composer. */
  private readonly switcher?: VariantSwitcher;
  private readonly dirty = new Set<string>();
  private prepsSeen = 0;
  /** Progress reports of long running attempts, released into {@link events} as time passes them. */
  private readonly progress = new SimProgressEvents();
  /** Optional hook: a task could not be placed (the oracle launches for it at once). */
  onShortage?: (poolId: string) => void;
  /**
   * Optional Lambda burst tier (burst.ts): a queued task EC2 cannot place now is offered to it; when
   * it routes the task and Lambda's concurrency and scaling rate allow, the task runs there after
   * Lambda's start latency, billed per GB-second and request (core/plan/burst.ts constants).
   */
  burst?: BurstRouter;
  /** Lambda's limits in this world (created with the first burst). */
  private lambda?: LambdaConcurrency;
  /** Burst-tier totals: invocations, throttled offers, USD. */
  readonly lambdaStats = { invocations: 0, throttled: 0, usd: 0 };
  private lambdaUsdByPool = new Map<string, number>();

  constructor(private readonly opts: WorkloadOptions) {
    this.workflows = new Map(opts.workflows.map((w) => [w.name, w]));
    this.prefetch = new PrefetchLedger(opts.prefetchPrices);
    if (opts.composer) {
      this.switcher = new VariantSwitcher({
        composer: opts.composer, random: opts.random, workflows: this.workflows, chains: this.chains, pools: this.pools,
        running: this.running, stats: this.stats, notes: this.notes,
        nowSec: () => opts.clock.nowSec(),
        drop: (t, now) => this.drop(t, now),
        submit: (fresh, now) => {
          for (const n of fresh) {
            this.tasks.set(n.key, n);
            this.emit(n, 'submitted', now);
          }
          for (const n of fresh) if (n.pendingParents === 0) this.makeRunnable(n, now);
        },
        maybeComplete: (chain, now) => this.maybeComplete(chain, now),
      });
    }
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
      this.accrue(t, now, inst);
      this.running.delete(t);
      this.progress.end(t.key, now);
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

  /**
   * A spot interruption notice for `inst`: every chain with a step running there is re-scored; on a
   * switch the step on the noticed instance is cancelled with the chain's pending steps, and the new
   * variant's remaining steps are queued.
   */
  instanceNoticed(inst: SimInstance): void {
    this.switcher?.instanceNoticed(inst);
  }

  /**
   * Step-boundary triggers checked at `nowSec` (once per tick): a running step past its p95 runtime ×
   * the overrun factor, and queued steps in a pool whose offerings all report insufficient capacity
   * (`unavailablePools`).
   */
  checkTriggers(nowSec: number, unavailablePools: ReadonlySet<string> = new Set()): void {
    this.switcher?.checkTriggers(nowSec, unavailablePools);
  }

  /**
   * The Preparer port in a backtest: starts the step's preparation on the prefetch workers
   * (prefetch-ledger.ts); `rejected` with the reason when it cannot run (no such pending step, a
   * critical one, no setup to save), `duplicate` for a command id already accepted.
   */
  async prepare(cmd: PreExecuteCommand): Promise<PrepareOutcome> {
    if (this.preparedIds.has(cmd.id)) return { commandId: cmd.id, status: 'duplicate' };
    const err = this.preExecute(cmd);
    if (err !== undefined) return { commandId: cmd.id, status: 'rejected', reason: err };
    this.preparedIds.add(cmd.id);
    return { commandId: cmd.id, status: 'accepted' };
  }

  /** Starts the preparation of `cmd`'s step; returns an error message when it cannot run. */
  preExecute(cmd: PreExecuteCommand): string | undefined {
    const t = this.chains.get(cmd.chainId)?.tasks.find((x) => x.def.task_id === cmd.taskId) ?? this.findByType(cmd.chainId, cmd.taskId);
    if (!t) return `no pending task ${cmd.taskId} in chain ${cmd.chainId}`;
    this.advanceCache();
    return this.prefetch.prepare(t, this.opts.clock.nowSec(), this.opts.prefetchTtlSec ?? 900);
  }

  /** Cloud hook: the state cache changed shape (states over its new memory are evicted now). */
  cacheResized(): void {
    this.advanceCache();
    this.notePreps();
  }

  private advanceCache(): void {
    this.prefetch.advance(this.opts.clock.nowSec(), this.opts.cacheCapacityGiB?.());
  }

  /** Places queued tasks of pools whose capacity or queue changed. */
  schedule(): void {
    if (this.dirty.size === 0) return;
    const now = this.opts.clock.nowSec();
    for (const poolId of [...this.dirty].sort()) {
      const p = this.pools.get(poolId)!;
      if (p.queue.length > 0 && this.burst?.beforePlacement) this.burstQueued(poolId, p, now);
      p.place((t) => this.start(t, now));
      if (p.queue.length > 0 && this.burst && !this.burst.beforePlacement) this.burstQueued(poolId, p, now);
      if (p.queue.length > 0 && this.onShortage) {
        this.onShortage(poolId);
        p.place((t) => this.start(t, now));
      }
    }
    this.dirty.clear();
  }

  /** Lambda cost accrued per pool since the previous call, USD (pools in first-charged order). */
  collectLambdaCost(): Map<string, number> {
    const out = this.lambdaUsdByPool;
    this.lambdaUsdByPool = new Map();
    return out;
  }

  /** Offers the pool's queued tasks to the burst router, in queue order; stops at the first throttle. */
  private burstQueued(poolId: string, p: PoolPlacement, now: number): void {
    const router = this.burst!;
    const keep: SimTask[] = [];
    const decide = router.begin(poolId, p, now);
    let throttled = false;
    for (const t of p.queue) {
      const mib = throttled ? undefined : decide(t);
      if (mib === undefined) { keep.push(t); continue; }
      this.lambda ??= new LambdaConcurrency(now);
      if (!this.lambda.tryStart(now)) {
        this.lambdaStats.throttled++;
        throttled = true;
        keep.push(t);
        continue;
      }
      p.queuedVcpu -= t.vcpu;
      this.startOnLambda(t, mib, now);
    }
    p.queue = keep;
  }

  private startOnLambda(t: SimTask, memoryMiB: number, now: number): void {
    const at = now + (this.burst?.startLatencySec ?? LAMBDA.startLatencySec);
    t.status = 'running';
    t.lambdaMemoryMiB = memoryMiB;
    t.instanceId = undefined;
    t.startedAtSec = at;
    this.running.add(t);
    this.lambdaStats.invocations++;
    this.stats.waitSec.push(at - (t.queuedAtSec ?? now));
    if (t.attempt === 0) this.advanceCache();
    const saved = t.attempt === 0 ? this.prefetch.consume(t, now) : 0;
    this.notePreps();
    this.emit(t, 'started', now, setupOutcomeOf(t, saved));
    this.startProgress(t, at, t.runtimeSec - saved);
    this.opts.queue.push(at + t.runtimeSec - saved, { kind: 'task-finish', taskKey: t.key, attempt: t.attempt }, EVENT_PRIORITY.finish);
  }

  private findByType(chainId: string, taskType: string): SimTask | undefined {
    const c = this.chains.get(chainId);
    return c?.tasks.find((t) => t.taskType === taskType && (t.status === 'blocked' || t.status === 'queued'));
  }

  private arrive(a: ChainArrival, now: number): void {
    let variant: string | undefined;
    const composer = this.opts.composer;
    const wf = this.workflows.get(a.workflow);
    if (composer && !a.variant && wf) {
      const r = composer.compose(wf, a.principal, a.chainId, now);
      if (!('variant' in r)) {
        this.stats.chainsDenied++;
        this.notes.push({ timestamp: now, pool: '', kind: 'chain-denied', detail: `${a.chainId} ${a.workflow} for ${a.principal ?? 'anonymous'}: ${r.reason}` });
        return;
      }
      variant = r.variant;
    }
    const chain = instantiateChain(a, this.workflows, this.opts.random, variant);
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
    t.lambdaMemoryMiB = undefined;
    t.startedAtSec = now;
    this.running.add(t);
    this.stats.waitSec.push(now - (t.queuedAtSec ?? now));
    if (t.attempt === 0) this.advanceCache();
    const saved = t.attempt === 0 ? this.prefetch.consume(t, now) : 0;
    this.notePreps();
    this.emit(t, 'started', now, setupOutcomeOf(t, saved));
    this.startProgress(t, now, t.runtimeSec - saved);
    this.opts.queue.push(now + t.runtimeSec - saved, { kind: 'task-finish', taskKey: t.key, attempt: t.attempt }, EVENT_PRIORITY.finish);
  }

  private finish(t: SimTask, now: number): void {
    this.accrue(t, now);
    this.running.delete(t);
    this.progress.end(t.key, now);
    if (t.lambdaMemoryMiB !== undefined) this.lambda?.end();
    else this.pools.get(t.poolId)!.release(t);
    this.dirty.add(t.poolId);
    t.status = 'done';
    t.finishedAtSec = now;
    this.stats.tasksCompleted++;
    this.emit(t, 'finished', now);
    for (const c of t.children) if (--c.pendingParents === 0) this.makeRunnable(c, now);
    const chain = this.chains.get(t.chainId)!;
    chain.doneTasks++;
    this.maybeComplete(chain, now);
  }

  private maybeComplete(chain: SimChain, now: number): void {
    if (chain.finishedAtSec === undefined && chain.doneTasks === chain.tasks.length) {
      chain.finishedAtSec = now;
      this.stats.chainsCompleted++;
      this.stats.makespanSec.push(now - chain.arrivalSec);
    }
  }

  /** Adds the instance time of `t`'s attempt (start to `now`) to its chain's cost and its principal's spend. */
  private accrue(t: SimTask, now: number, inst?: SimInstance): void {
    if (t.lambdaMemoryMiB !== undefined) {
      if (t.startedAtSec === undefined) return;
      const usd = lambdaInvocationUsd(t.lambdaMemoryMiB, now - t.startedAtSec);
      this.lambdaStats.usd += usd;
      this.lambdaUsdByPool.set(t.poolId, (this.lambdaUsdByPool.get(t.poolId) ?? 0) + usd);
      const c = this.chains.get(t.chainId);
      if (c) { c.costUsd += usd; this.opts.composer?.recordSpend(c.principal, now, usd); }
      return;
    }
    const instance = inst ?? (t.instanceId ? this.pools.get(t.poolId)?.slots.get(t.instanceId)?.instance : undefined);
    if (!instance || t.startedAtSec === undefined) return;
    const usd = ((now - t.startedAtSec) * t.vcpu * instance.offering.priceUsdPerHour) / instance.offering.capacityUnits / 3600;
    const chain = this.chains.get(t.chainId);
    if (!chain) return;
    chain.costUsd += usd;
    this.opts.composer?.recordSpend(chain.principal, now, usd);
  }

  /** Turns newly settled preparations into notes. */
  notePreps(): void {
    const recs = this.prefetch.records;
    for (; this.prepsSeen < recs.length; this.prepsSeen++) {
      const r = recs[this.prepsSeen];
      this.notes.push(r.outcome === 'hit'
        ? { timestamp: r.atSec, pool: r.task.poolId, kind: 'prefetch-hit', detail: `${r.task.key} saved ${r.savedSec} s of setup` }
        : { timestamp: r.atSec, pool: r.task.poolId, kind: 'prefetch-waste', detail: `${r.task.key} ${r.outcome}: ${r.wastedCpuSec} CPU-s wasted` });
    }
  }

  /** Frees a step dropped by a switch: its queue place or its share of an instance. */
  private drop(t: SimTask, now: number): void {
    const p = this.pools.get(t.poolId)!;
    if (t.status === 'queued') {
      p.queue = p.queue.filter((x) => x !== t);
      p.queuedVcpu -= t.vcpu;
    } else if (t.status === 'running') {
      this.accrue(t, now);
      this.running.delete(t);
      this.progress.end(t.key, now);
      if (t.lambdaMemoryMiB !== undefined) { this.lambda?.end(); t.lambdaMemoryMiB = undefined; } else p.release(t);
      t.instanceId = undefined;
      this.dirty.add(t.poolId);
    }
  }

  /**
   * Releases the progress reports before `untilSec` into {@link events} (the event source calls it
   * before reading the window [since, until)).
   */
  releaseProgress(untilSec: number): void {
    this.progress.release(untilSec, this.events, true);
  }

  private startProgress(t: SimTask, startSec: number, durationSec: number): void {
    if (this.opts.progressEvents === false) return;
    const chain = this.chains.get(t.chainId)!;
    this.progress.start(t.key, startSec, durationSec, { chainId: t.chainId, workflow: chain.workflow, variant: chain.variant, taskId: t.def.task_id, taskType: t.taskType, ...(chain.principal ? { principal: chain.principal } : {}) });
  }

  private emit(t: SimTask, kind: ExecutionEvent['kind'], atSec: number, setupOutcome?: ExecutionEvent['setupOutcome']): void {
    const chain = this.chains.get(t.chainId)!;
    this.progress.release(atSec, this.events);
    this.events.push({ chainId: t.chainId, workflow: chain.workflow, variant: chain.variant, taskId: t.def.task_id, taskType: t.taskType, kind, atSec, ...(chain.principal ? { principal: chain.principal } : {}), ...(setupOutcome ? { setupOutcome } : {}) });
  }
}

/**
 * What a worker reports of a starting step's setup (core/model ExecutionEvent `setupOutcome`):
 * `resumed` when it skipped its setup on a prepared state, `not-prepared` when it has a `prepare`
 * phase but found no usable state (never prepared, not ready yet, expired or evicted), `none` for a
 * step without one or a critical step. Retries (attempt > 0) never resume.
 */
export function setupOutcomeOf(t: SimTask, savedSec: number): ExecutionEvent['setupOutcome'] {
  if (!t.def.prepare || t.def.critical) return 'none';
  return savedSec > 0 ? 'resumed' : 'not-prepared';
}
