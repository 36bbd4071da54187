/**
 * The prefetch manager (seeds 000, 001, 004): runs the `prepare` phase of predicted steps in an
 * isolated worker pool, never more than `maxConcurrent` at once, and keeps their serialised state in a
 * {@link StateCache} under keys versioned by the inputs the preparation saw.
 *
 * - `submit` queues a {@link PreExecuteCommand}'s preparation (one per chain and task; never for a
 *   step that has already started: too late).
 * - `trigger` is called when the live step really starts: a cached state under the live inputs' key
 *   is resumed (a hit: setup skipped) and removed; otherwise the step runs cold (a miss). A state
 *   prepared from other inputs is never found (stale) and is discarded.
 * - `discard` drops a chain's preparations whose prediction turned out wrong; `expire` drops those
 *   not used within their TTL. Both abort running work, delete cached state and count the waste.
 * - Shadow runs never touch live data: the worker gets a structured clone of the input and its
 *   output goes only into the cache.
 * - The cache being unreachable never fails a live step: the step runs cold, the preparation is
 *   counted as wasted, and the manager uses the cache again as soon as it answers.
 */
import type { PreExecuteCommand } from '../../core/model/command.js';
import type { TaskDefinition } from '../../core/model/task.js';
import { compareArms, emptyArmMetrics, type ArmComparison, type ArmMetrics } from '../../core/predict/ab-test.js';
import { DEFAULT_USD_PER_GIB_HOUR, DEFAULT_USD_PER_VCPU_HOUR } from '../../core/prefetch/selection.js';
import { stepKey } from '../../core/tick/chain-view.js';
import type { Clock } from '../../ports/clock.js';
import type { Executor } from '../../ports/executor.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import { CacheUnavailableError, type StateCache } from '../../ports/state-cache.js';
import { preparedStateKey } from './state-key.js';
import { unwrapPreparedState as unwrap, wrapPreparedState as wrap } from './prepared-state.js';

/** Dependencies of {@link PrefetchManager}. */
export interface PrefetchManagerDeps {
  /** Runs `prepare` phases (a worker pool in production). */
  readonly runner: Pick<Executor, 'prepare'>;
  readonly cache: StateCache;
  readonly clock: Clock;
  readonly logger?: Logger;
  /**
   * Who owns a chain (under `serve`: the principal of an engine execution), to keep figures per owner
   * besides per arm ({@link metricsOf}); absent: per arm only.
   */
  readonly ownerOf?: (chainId: string) => string | undefined;
}

/** Options of {@link PrefetchManager}. */
export interface PrefetchManagerOptions {
  /** Most preparations running at once; set it to the worker pool's size. */
  readonly maxConcurrent: number;
  /** TTL of prepared state when the command has none, seconds. @default 900 */
  readonly ttlSec?: number;
  /** @default DEFAULT_USD_PER_VCPU_HOUR */
  readonly usdPerVcpuHour?: number;
  /** @default DEFAULT_USD_PER_GIB_HOUR */
  readonly usdPerGiBHour?: number;
}

/** Outcome of {@link PrefetchManager.trigger}. */
export interface TriggerResult {
  readonly hit: boolean;
  /** The state to resume from (pass as `Executor.run`'s `preparedState`) on a hit. */
  readonly preparedState?: Buffer;
  /** Setup seconds skipped (the preparation's measured duration) on a hit, else 0. */
  readonly savedSetupSec: number;
  readonly reason: 'resumed' | 'not-prepared' | 'still-preparing' | 'stale' | 'cache-unavailable';
}

type Status = 'queued' | 'running' | 'ready' | 'done';

interface Preparation {
  readonly cmd: PreExecuteCommand;
  readonly task: TaskDefinition;
  readonly arm: string;
  readonly key: string;
  readonly ttlSec: number;
  readonly input: unknown;
  readonly abort: AbortController;
  status: Status;
  startedAtSec?: number;
  readyAtSec?: number;
  bytes: number;
}

/** See the module comment. */
export class PrefetchManager {
  private readonly preps = new Map<string, Preparation>();
  private readonly queue: Preparation[] = [];
  private readonly metrics = new Map<string, ArmMetrics>();
  private readonly byOwner = new Map<string, ArmMetrics>();
  private running = 0;
  private peak = 0;
  /** `chainId/taskId` of steps that started (trigger), with the epoch seconds: never prepared after. */
  private readonly started = new Map<string, number>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly logger: Logger;

  constructor(private readonly deps: PrefetchManagerDeps, private readonly opts: PrefetchManagerOptions) {
    if (!(opts.maxConcurrent >= 1)) throw new RangeError(`maxConcurrent must be >= 1, got ${opts.maxConcurrent}`);
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * Queues the preparation of `task` (the command's step) on `input`.
   * @returns false when that chain's task is already prepared or being prepared, has started, or has no `prepare`
   */
  submit(cmd: PreExecuteCommand, task: TaskDefinition, input: unknown): boolean {
    const id = stepKey(cmd.chainId, cmd.taskId);
    if (this.preps.has(id) || this.started.has(id) || !task.prepare || task.critical) return false;
    const p: Preparation = {
      cmd,
      task,
      arm: cmd.arm ?? 'default',
      key: preparedStateKey(cmd.chainId, task, input),
      ttlSec: cmd.ttlSec ?? this.opts.ttlSec ?? 900,
      input: structuredClone(input),
      abort: new AbortController(),
      status: 'queued',
      bytes: 0,
    };
    this.preps.set(id, p);
    this.bump(p.arm, { prepared: 1 }, p.cmd.chainId);
    this.queue.push(p);
    this.pump();
    return true;
  }

  /** The live step `task` of `chainId` starts now with `input`: resume from cached state, or run cold. */
  async trigger(chainId: string, task: TaskDefinition, input: unknown, arm?: string): Promise<TriggerResult> {
    const id = stepKey(chainId, task.task_id);
    this.markStarted(id);
    const p = this.preps.get(id);
    const armName = p?.arm ?? arm ?? 'default';
    const key = preparedStateKey(chainId, task, input);
    if (p && p.status !== 'ready') {
      this.bump(armName, { triggers: 1, misses: 1 }, chainId);
      this.waste(p, 'triggered while still preparing');
      return { hit: false, savedSetupSec: 0, reason: 'still-preparing' };
    }
    if (p && p.key !== key) {
      this.bump(armName, { triggers: 1, misses: 1, stale: 1 }, chainId);
      this.waste(p, 'inputs changed since the preparation (stale)');
      return { hit: false, savedSetupSec: 0, reason: 'stale' };
    }
    let state: Buffer | undefined;
    try {
      state = await this.deps.cache.get(key);
    } catch (e) {
      if (!(e instanceof CacheUnavailableError)) throw e;
      this.bump(armName, { cacheErrors: 1, ...(p ? { triggers: 1, misses: 1 } : {}) }, chainId);
      if (p) this.waste(p, 'cache unavailable at trigger');
      this.logger.warn('prefetch cache unavailable; running cold', { chainId, taskId: task.task_id, error: e.message });
      return { hit: false, savedSetupSec: 0, reason: 'cache-unavailable' };
    }
    if (!state) {
      if (p) {
        this.bump(armName, { triggers: 1, misses: 1 }, chainId);
        this.waste(p, 'prepared state no longer cached');
      }
      return { hit: false, savedSetupSec: 0, reason: 'not-prepared' };
    }
    const { preparedSec, body } = unwrap(state);
    this.bump(armName, { triggers: 1, hits: 1, setupSecSaved: preparedSec, cacheBytes: -(p?.bytes ?? 0) }, chainId);
    if (p) this.finish(p);
    await this.deps.cache.delete(key).catch(() => undefined);
    return { hit: true, preparedState: body, savedSetupSec: preparedSec, reason: 'resumed' };
  }

  /** Drops a chain's preparations (all, or only `taskIds`): the prediction was wrong or the chain ended. */
  discard(chainId: string, taskIds?: readonly string[], reason = 'prediction wrong'): void {
    for (const p of [...this.preps.values()]) {
      if (p.cmd.chainId === chainId && (!taskIds || taskIds.includes(p.cmd.taskId))) this.waste(p, reason);
    }
  }

  /** Drops ready preparations whose TTL has passed (their cached state has expired). @returns how many */
  expire(): number {
    const now = this.deps.clock.nowSec();
    let n = 0;
    for (const p of [...this.preps.values()]) {
      if (p.status === 'ready' && p.readyAtSec !== undefined && now >= p.readyAtSec + p.ttlSec) {
        this.waste(p, 'not used within its TTL');
        n++;
      }
    }
    return n;
  }

  /** Whether the live step `taskId` of `chainId` has started (been triggered): too late to prepare. */
  hasStarted(chainId: string, taskId: string): boolean {
    return this.started.has(stepKey(chainId, taskId));
  }

  /** Metrics of the chains of one owner (see `ownerOf`), undefined when it has none. */
  metricsOf(owner: string): ArmMetrics | undefined {
    return this.byOwner.get(owner);
  }

  /** Metrics per arm, arms in name order. */
  metricsByArm(): Record<string, ArmMetrics> {
    return Object.fromEntries([...this.metrics.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /**
   * Metrics per arm, the comparison of the arms with `control` (two-proportion z-test on hit rate),
   * and the memory the cache reports (undefined when it cannot be reached).
   */
  async report(control?: string): Promise<{ byArm: Record<string, ArmMetrics>; comparison: ArmComparison[]; cacheUsedBytes?: number }> {
    const byArm = this.metricsByArm();
    const cacheUsedBytes = await this.deps.cache.usedBytes().catch(() => undefined);
    return { byArm, comparison: compareArms(byArm, control), cacheUsedBytes };
  }

  /** Most preparations that ever ran at the same time. */
  get peakConcurrent(): number {
    return this.peak;
  }

  /** Preparations queued, running or ready (not yet used or discarded). */
  get open(): number {
    return this.preps.size;
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private markStarted(id: string): void {
    const now = this.deps.clock.nowSec();
    if (this.started.size >= 10_000) for (const [k, at] of this.started) if (now - at > 3600 || this.started.size >= 10_000) this.started.delete(k);
    this.started.set(id, now);
  }

  private pump(): void {
    while (this.running < this.opts.maxConcurrent && this.queue.length > 0) {
      const p = this.queue.shift()!;
      if (p.status !== 'queued') continue;
      this.running++;
      this.peak = Math.max(this.peak, this.running);
      void this.run(p).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
    if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(p: Preparation): Promise<void> {
    p.status = 'running';
    p.startedAtSec = this.deps.clock.nowSec();
    let state: Buffer;
    try {
      state = await this.deps.runner.prepare(p.task, p.input, { signal: p.abort.signal });
    } catch (e) {
      if (p.status === 'running') this.waste(p, `prepare failed: ${(e as Error).message}`);
      return;
    }
    if (p.status !== 'running') return; // discarded meanwhile
    p.readyAtSec = this.deps.clock.nowSec();
    const wrapped = wrap(p.readyAtSec - p.startedAtSec, state);
    try {
      await this.deps.cache.set(p.key, wrapped, p.ttlSec);
    } catch (e) {
      this.bump(p.arm, { cacheErrors: 1 }, p.cmd.chainId);
      this.waste(p, `cache unavailable when storing: ${(e as Error).message}`);
      return;
    }
    if (p.status !== 'running') {
      await this.deps.cache.delete(p.key).catch(() => undefined);
      return;
    }
    p.status = 'ready';
    p.bytes = wrapped.length;
    this.bump(p.arm, { cacheBytes: wrapped.length }, p.cmd.chainId);
  }

  private waste(p: Preparation, reason: string): void {
    const was = p.status;
    if (was === 'done') return;
    p.abort.abort(new Error(reason));
    const end = p.readyAtSec ?? this.deps.clock.nowSec();
    const busySec = p.startedAtSec !== undefined ? Math.max(0, end - p.startedAtSec) : 0;
    const heldSec = p.startedAtSec !== undefined ? Math.max(0, this.deps.clock.nowSec() - p.startedAtSec) : 0;
    const r = p.task.resource_requirements;
    const cpuSec = busySec * r.vcpu;
    const usd = (cpuSec * (this.opts.usdPerVcpuHour ?? DEFAULT_USD_PER_VCPU_HOUR) + heldSec * r.memoryGiB * (this.opts.usdPerGiBHour ?? DEFAULT_USD_PER_GIB_HOUR)) / 3600;
    this.bump(p.arm, { discarded: 1, wastedCpuSec: cpuSec, wastedUsd: usd, cacheBytes: was === 'ready' ? -p.bytes : 0 }, p.cmd.chainId);
    this.finish(p);
    if (was === 'ready') void this.deps.cache.delete(p.key).catch(() => undefined);
    this.logger.debug('preparation discarded', { chainId: p.cmd.chainId, taskId: p.cmd.taskId, reason, cpuSec });
  }

  private finish(p: Preparation): void {
    p.status = 'done';
    this.preps.delete(stepKey(p.cmd.chainId, p.cmd.taskId));
  }

  private bump(arm: string, d: Partial<ArmMetrics>, chainId: string): void {
    add(this.metrics, arm, d);
    const owner = this.deps.ownerOf?.(chainId);
    if (owner !== undefined) add(this.byOwner, owner, d);
  }
}

function add(into: Map<string, ArmMetrics>, key: string, d: Partial<ArmMetrics>): void {
  const m = { ...(into.get(key) ?? emptyArmMetrics()) } as Record<keyof ArmMetrics, number>;
  for (const [k, v] of Object.entries(d) as Array<[keyof ArmMetrics, number]>) m[k] += v;
  into.set(key, m as ArmMetrics);
}
