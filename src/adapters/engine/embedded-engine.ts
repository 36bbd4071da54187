/**
 * The engine of `prescale serve` and of the embedded default: the local ASL engine
 * (aws-local-stepfunctions, {@link LocalWorkflowEngine}) with one in-memory {@link MemoryTaskQueue}
 * per EC2 pool and one in-process {@link PoolWorker} per pool whose vCPU limit is the pool's
 * configured available units, so a pool never runs more step units at once than it has. Execution
 * records and state exits persist in the state store (a restarted server resumes from them).
 * Workers run only tasks of executions the chain service registered ({@link ChainEngine.register}),
 * looked up by workflow/variant/task id, never code a message names. With a prefetch manager, a step
 * starts through it, so it resumes from a state prepared while it waited for capacity.
 *
 * Pools listed in `remotePools` get no in-process worker: their queues are served to separate
 * `prescale worker --serve-url` processes through the worker channel ({@link WorkerChannelBackend},
 * src/adapters/http/worker-channel.ts), wrapped in a {@link TrackingTaskQueue} so the units those
 * workers use are known.
 */
import type { PoolTarget } from '../../core/engine/index.js';
import type { ChainServiceConfig } from '../../app/chains/config.js';
import type { ChainEngine } from '../../app/chains/engine.js';
import type { PrefetchManager } from '../../app/prefetch/prefetch-manager.js';
import type { ResumeOutcome } from '../../app/prefetch/prepared-state.js';
import { PoolWorker, type SpotNotice } from '../../app/worker/pool-worker.js';
import type { DocumentSchemaValidator } from '../../app/worker/step-runner.js';
import type { TaskDefinition, Workflow } from '../../core/model/index.js';
import type { Clock } from '../../ports/clock.js';
import type { Executor } from '../../ports/executor.js';
import type { Logger } from '../../ports/logger.js';
import type { StateStore } from '../../ports/state-store.js';
import { LocalWorkflowEngine } from './local-engine.js';
import { MemoryTaskQueue } from './memory-task-queue.js';
import { TrackingTaskQueue } from './tracking-task-queue.js';
import type { TaskQueue } from '../../ports/task-queue.js';
import type { TaskCallbacks } from '../../ports/workflow-engine.js';

/**
 * What the worker channel of `prescale serve` serves to remote workers: the remote pools' queues,
 * the engine's task callbacks, the registered task of a step and the events log.
 */
export interface WorkerChannelBackend {
  /** The queue of a remote pool (undefined for any other pool id). */
  queue(poolId: string): TaskQueue | undefined;
  readonly callbacks: TaskCallbacks;
  /** The registered task definition an admitted execution's step runs (undefined: none). */
  task(executionName: string, variant: string, taskId: string): TaskDefinition | undefined;
  /** The events log the workers write step events to. */
  readonly events: Pick<StateStore, 'append'>;
}

/** Options of {@link createEmbeddedEngine}. */
export interface EmbeddedEngineOptions {
  readonly config: Pick<ChainServiceConfig, 'pools' | 'availability'>;
  /** Runs one attempt of a step (no retries: those are the machine's). */
  readonly executor: Pick<Executor, 'run'>;
  readonly store: StateStore;
  readonly schemas: DocumentSchemaValidator;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly prefetch?: PrefetchManager;
  /**
   * Spot interruption notices per pool (tests; on EC2 `prescale worker` polls IMDSv2): a worker whose
   * poll returns a notice fails its running steps with `Prescale.SpotInterruption` and stops.
   */
  readonly spotNotices?: Readonly<Record<string, () => Promise<SpotNotice | undefined>>>;
  /** Seconds between spot notice polls. @default 5 */
  readonly spotPollSec?: number;
  /** Long-poll wait of the workers' receives, seconds. @default 1 */
  readonly receiveWaitSec?: number;
  /** EC2 pool ids whose steps separate worker processes take (no in-process worker for them). */
  readonly remotePools?: readonly string[];
}

/** The queue URL of a pool's local queue. */
export const localQueueUrl = (poolId: string): string => `local://prescale/pool/${encodeURIComponent(poolId)}`;

/** An embedded engine with its workers running; `close()` stops them and the local executions. */
export function createEmbeddedEngine(opts: EmbeddedEngineOptions): ChainEngine & { readonly engine: LocalWorkflowEngine; readonly workers: ReadonlyMap<string, PoolWorker>; readonly channel: WorkerChannelBackend } {
  const queues = new Map<string, TaskQueue>();
  const remote = new Map<string, TrackingTaskQueue>();
  const remoteIds = new Set(opts.remotePools ?? []);
  const targets: Record<string, PoolTarget> = {};
  const registered = new Map<string, Workflow>();
  const taskOf = (executionName: string, variant: string, taskId: string): TaskDefinition | undefined =>
    registered.get(executionName)?.variants.find((v) => v.name === variant)?.tasks.find((t) => t.task_id === taskId);
  const unitsOf = (body: string): number | undefined => {
    try {
      const m = JSON.parse(body) as { executionName?: string; variant?: string; taskId?: string };
      return taskOf(String(m.executionName), String(m.variant), String(m.taskId))?.resource_requirements.vcpu;
    } catch {
      return undefined;
    }
  };
  // The engine is created below (it needs the queues); the tracking queues ask it later whether a token is live.
  for (const p of opts.config.pools) {
    if (p.kind !== 'ec2') continue;
    const url = localQueueUrl(p.id);
    const q = new MemoryTaskQueue(opts.clock);
    if (remoteIds.has(p.id)) {
      const t = new TrackingTaskQueue(q, { unitsOf, isLive: (token) => engine.isTaskLive(token) });
      remote.set(p.id, t);
      queues.set(url, t);
    } else queues.set(url, q);
    targets[p.id] = { kind: 'sqs', queueUrl: url };
  }
  const engine = new LocalWorkflowEngine({ queue: (url) => queues.get(url), store: opts.store, logger: opts.logger, clock: opts.clock });
  const resolve = async (msg: { executionName: string; variant: string; taskId: string }): Promise<TaskDefinition | undefined> => taskOf(msg.executionName, msg.variant, msg.taskId);
  const prefetch = opts.prefetch;
  const resume = prefetch
    ? async (executionName: string, task: TaskDefinition, input: unknown): Promise<ResumeOutcome> => {
      if (!task.prepare || task.critical) return { outcome: 'none', savedSetupSec: 0 };
      const r = await prefetch.trigger(executionName, task, input);
      return { outcome: r.reason === 'resumed' || r.reason === 'cache-unavailable' ? r.reason : 'not-prepared', savedSetupSec: r.savedSetupSec, ...(r.hit && r.preparedState ? { preparedState: r.preparedState } : {}) };
    }
    : undefined;
  const workers = new Map<string, PoolWorker>();
  const runs: Array<Promise<void>> = [];
  for (const p of opts.config.pools) {
    if (p.kind !== 'ec2' || remoteIds.has(p.id)) continue;
    const units = opts.config.availability[p.id]?.availableUnits ?? 0;
    if (!(units > 0)) continue; // no capacity: its steps wait in the queue (and are prepared meanwhile)
    const w = new PoolWorker({
      poolId: p.id,
      queue: queues.get(localQueueUrl(p.id))!,
      callbacks: engine,
      tasks: resolve,
      events: opts.store,
      clock: opts.clock,
      logger: opts.logger,
      vcpu: units,
      instanceId: `local-${p.id}`,
      executor: opts.executor,
      schemas: opts.schemas,
      ...(resume ? { resume } : {}),
      ...(opts.spotNotices?.[p.id] ? { spotNotice: opts.spotNotices[p.id] } : {}),
    }, { receiveWaitSec: opts.receiveWaitSec ?? 1, checkTokenBeforeStart: true, ...(opts.spotPollSec !== undefined ? { spotPollSec: opts.spotPollSec } : {}) });
    workers.set(p.id, w);
    runs.push(w.run().catch((e: unknown) => opts.logger.error('pool worker stopped', { poolId: p.id, error: e instanceof Error ? e.message : String(e) })));
  }
  let closed: Promise<void> | undefined;
  return {
    engine,
    targets,
    workers,
    channel: { queue: (poolId) => remote.get(poolId), callbacks: engine, task: taskOf, events: opts.store },
    unitsInUse: (poolId) => remote.get(poolId)?.unitsInUse() ?? workers.get(poolId)?.unitsInUse ?? (targets[poolId] ? 0 : undefined),
    register: (name, workflow) => {
      registered.set(name, workflow);
    },
    close: () => {
      closed ??= (async () => {
        engine.close();
        await Promise.all([...workers.values()].map((w) => w.stop(0)));
        await Promise.allSettled(runs);
        await engine.flush();
      })();
      return closed;
    },
  };
}
