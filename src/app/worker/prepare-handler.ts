/**
 * A worker's handling of `prepare` messages (see src/core/engine/prepare-message.ts): the speculative
 * pre-execution of a predicted step (seed 000 §3), on the pool that will run it.
 *
 * 1. The message is checked (strict schema, not expired) and its step looked up in this worker's own
 *    catalog: only a registered task with a `prepare` phase that is not `critical` is prepared (the
 *    message never names code).
 * 2. The step's input is resolved from the execution's record in the engine: the start document
 *    (`describe`) and the state exits of its finished steps (`history`), built exactly as the compiled
 *    machine builds the step's input ({@link preparedStepInput}). While a dependency is still running
 *    the handler waits (polling every `pollSec`, keeping the queue message invisible), until the
 *    dependencies have finished, the step itself has started (too late: dropped), the execution has
 *    ended, or the message expires.
 * 3. The `prepare` phase runs, and its state is stored in the state cache (Redis / ElastiCache) under
 *    `preparedStateKey(executionName, task, input)` for `ttlSec`, with its duration in front
 *    ({@link wrapPreparedState}): the key the step runner computes when the step really runs
 *    (`resumePreparedState(cache, msg.executionName, task, stepInput(msg))`), so the step resumes from
 *    it and its `finished` event says `setupOutcome: resumed` with the seconds saved.
 *
 * Idempotent: a state already under the key is not prepared again (`duplicate`). A preparation that
 * fails or finds the cache unreachable is dropped (the step then runs cold); it never fails a step.
 */
import { assembleDag } from '../../core/compose/index.js';
import type { DagStep } from '../../core/compose/types.js';
import { compileVariant, type CompiledMachine, type ExecutionDocument, type PoolTarget } from '../../core/engine/index.js';
import { PrepareMessageSchema, preparedStepInput, type PrepareMessage } from '../../core/engine/prepare-message.js';
import type { Workflow } from '../../core/model/index.js';
import type { Clock } from '../../ports/clock.js';
import type { Executor } from '../../ports/executor.js';
import type { Logger } from '../../ports/logger.js';
import type { StateCache } from '../../ports/state-cache.js';
import type { QueueMessage, TaskQueue } from '../../ports/task-queue.js';
import type { WorkflowEngine } from '../../ports/workflow-engine.js';
import { wrapPreparedState } from '../prefetch/prepared-state.js';
import { preparedStateKey } from '../prefetch/state-key.js';

/** A variant as the handler needs it: its compiled steps (state names, result keys) and DAG steps. */
export interface PreparableVariant {
  readonly machine: Pick<CompiledMachine, 'steps'>;
  readonly steps: readonly DagStep[];
}

/** The variant `workflow/variant` of this worker's catalog, or undefined when it has none. */
export type VariantResolver = (workflow: string, variant: string) => PreparableVariant | undefined;

/**
 * Resolves variants of `workflows` (the worker's catalog): each is compiled once, with placeholder
 * pool targets (state names, result keys and branches do not depend on targets). A variant that does
 * not compile is left out (its steps are never prepared; `onSkip` says which and why).
 */
export function catalogVariants(workflows: readonly Workflow[], onSkip?: (workflow: string, variant: string, error: string) => void): VariantResolver {
  const byKey = new Map<string, PreparableVariant>();
  for (const w of workflows) {
    for (const v of w.variants) {
      try {
        const dag = assembleDag(w.name, v);
        const pools: Record<string, PoolTarget> = {};
        for (const s of dag.steps) pools[s.poolId] = { kind: 'sqs', queueUrl: 'prepare' };
        byKey.set(`${w.name}\u0000${v.name}`, { machine: compileVariant(dag, { pools }), steps: dag.steps });
      } catch (e) {
        onSkip?.(w.name, v.name, (e as Error).message);
      }
    }
  }
  return (workflow, variant) => byKey.get(`${workflow}\u0000${variant}`);
}

/** What {@link PrepareHandler} needs. */
export interface PrepareHandlerDeps {
  /** Runs `prepare` phases (the worker's LocalExecutor). */
  readonly executor: Pick<Executor, 'prepare'>;
  /** Where prepared states go (ElastiCache in AWS). */
  readonly cache: StateCache;
  /** The engine the execution runs on (its start document and history). */
  readonly engine: Pick<WorkflowEngine, 'describe' | 'history'>;
  readonly variants: VariantResolver;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Options of {@link PrepareHandler}. */
export interface PrepareHandlerOptions {
  /** Seconds between reads of the execution's history while dependencies still run. @default 5 */
  readonly pollSec?: number;
  /** Most preparations held (waiting or running) at once; more are dropped. @default 4 */
  readonly maxPreparing?: number;
}

/** What became of one prepare message. */
export type PrepareRunOutcome =
  | 'prepared' | 'duplicate' | 'rejected' | 'expired' | 'too-late' | 'execution-ended' | 'not-ready' | 'failed' | 'aborted' | 'busy';

/** Counters of the handler's life, by outcome. */
export type PrepareStats = Record<PrepareRunOutcome, number>;

/** See the module comment. */
export class PrepareHandler {
  private held = 0;
  readonly stats: PrepareStats = { prepared: 0, duplicate: 0, rejected: 0, expired: 0, 'too-late': 0, 'execution-ended': 0, 'not-ready': 0, failed: 0, aborted: 0, busy: 0 };

  constructor(private readonly deps: PrepareHandlerDeps, private readonly opts: PrepareHandlerOptions = {}) {}

  /**
   * Handles one prepare message from a pool queue: waits for the dependencies (keeping the message
   * invisible), prepares, stores the state, and deletes the message; on `aborted` (the worker stops)
   * the message is left to reappear for another worker.
   */
  async handleQueueMessage(queue: Pick<TaskQueue, 'delete' | 'extendVisibility'>, m: QueueMessage, signal: AbortSignal): Promise<PrepareRunOutcome> {
    const pollSec = this.opts.pollSec ?? 5;
    const keep = (): Promise<void> => queue.extendVisibility(m.receiptHandle, Math.ceil(pollSec * 2 + 30)).catch(() => undefined);
    const outcome = await this.handle(m.body, signal, Infinity, keep);
    if (outcome !== 'aborted') await queue.delete(m.receiptHandle).catch((e: unknown) => this.deps.logger.warn('could not delete a prepare message', { error: (e as Error).message }));
    return outcome;
  }

  /**
   * Handles one prepare message (a queue body or an invoke payload).
   * @param untilSec epoch seconds after which the handler stops waiting for dependencies (`not-ready`)
   * @param keepAlive called at every poll while waiting
   */
  async handle(body: unknown, signal: AbortSignal, untilSec = Infinity, keepAlive?: () => Promise<void>): Promise<PrepareRunOutcome> {
    const msg = this.parse(body);
    if (!msg) return this.count('rejected');
    if (this.held >= (this.opts.maxPreparing ?? 4)) {
      this.deps.logger.warn('too many preparations held; dropping this one', { taskId: msg.taskId, executionName: msg.executionName });
      return this.count('busy');
    }
    this.held++;
    try {
      return this.count(await this.run(msg, signal, untilSec, keepAlive));
    } catch (e) {
      this.deps.logger.warn('preparation failed; the step will run cold', { taskId: msg.taskId, executionName: msg.executionName, error: (e as Error).message });
      return this.count(signal.aborted ? 'aborted' : 'failed');
    } finally {
      this.held--;
    }
  }

  private parse(body: unknown): PrepareMessage | undefined {
    try {
      const doc: unknown = typeof body === 'string' ? JSON.parse(body) : body;
      const parsed = PrepareMessageSchema.safeParse(doc);
      if (parsed.success) return parsed.data;
      this.deps.logger.error('dropping a malformed prepare message', { error: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') });
    } catch (e) {
      this.deps.logger.error('dropping a prepare message that is not JSON', { error: (e as Error).message });
    }
    return undefined;
  }

  private async run(msg: PrepareMessage, signal: AbortSignal, untilSec: number, keepAlive?: () => Promise<void>): Promise<PrepareRunOutcome> {
    const { clock, logger } = this.deps;
    const where = { taskId: msg.taskId, workflow: msg.workflow, variant: msg.variant, executionName: msg.executionName };
    if (clock.nowSec() >= msg.expiresAtSec) return 'expired';
    const variant = this.deps.variants(msg.workflow, msg.variant);
    const step = variant?.steps.find((s) => s.taskId === msg.taskId);
    if (!variant || !step) {
      logger.warn('prepare message for a step this worker does not have registered; dropped', where);
      return 'rejected';
    }
    const task = step.task;
    if (!task.prepare || task.critical) {
      logger.warn(`prepare message for a step that ${task.critical ? 'is critical' : 'has no prepare phase'}; dropped`, where);
      return 'rejected';
    }
    const own = variant.machine.steps[msg.taskId]?.taskState;
    let start: ExecutionDocument | undefined;
    for (;;) {
      if (signal.aborted) return 'aborted';
      const d = await this.deps.engine.describe(msg.executionRef);
      if (d.status !== 'RUNNING') return 'execution-ended';
      start ??= d.input as ExecutionDocument;
      const history = await this.deps.engine.history(msg.executionRef);
      // the step's own state entered means its run message is queued (perhaps waiting for capacity: the case
      // worth preparing for); only once the state exited is a preparation too late
      if (history.some((e) => e.type === 'TaskStateExited' && e.stateName === own)) return 'too-late';
      const exits = history.filter((e) => e.type === 'TaskStateExited' && e.stateName).map((e) => ({ stateName: e.stateName!, output: e.output }));
      const resolved = preparedStepInput(variant.machine, variant.steps, msg.taskId, start, exits);
      if (resolved.ready) return await this.prepare(msg, task, resolved.input, signal, where);
      const now = clock.nowSec();
      if (now >= msg.expiresAtSec) return 'expired';
      if (now >= untilSec) return 'not-ready';
      await keepAlive?.();
      await clock.sleep((this.opts.pollSec ?? 5) * 1000, signal);
    }
  }

  private async prepare(msg: PrepareMessage, task: DagStep['task'], input: unknown, signal: AbortSignal, where: Record<string, string>): Promise<PrepareRunOutcome> {
    const key = preparedStateKey(msg.executionName, task, input);
    if (await this.deps.cache.get(key)) return 'duplicate';
    const t0 = this.deps.clock.nowSec();
    const state = await this.deps.executor.prepare(task, structuredClone(input), { signal });
    if (signal.aborted) return 'aborted';
    const preparedSec = this.deps.clock.nowSec() - t0;
    await this.deps.cache.set(key, wrapPreparedState(preparedSec, state), msg.ttlSec);
    this.deps.logger.info('prepared a predicted step', { ...where, preparedSec, bytes: state.length, ttlSec: msg.ttlSec });
    return 'prepared';
  }

  private count(o: PrepareRunOutcome): PrepareRunOutcome {
    this.stats[o]++;
    return o;
  }
}
