/**
 * The pool worker (`prescale worker --pool ID`): long-polls its pool's queue for step messages sent by
 * `sqs:sendMessage.waitForTaskToken` tasks, runs each step (see runStepMessage) and reports it with
 * the task callbacks (heartbeats every third of the step's HeartbeatSeconds, then SendTaskSuccess or
 * SendTaskFailure). Steps run concurrently up to the instance's vCPU (a step needing more than the
 * instance has runs alone). A message is deleted when its step starts: from then on the engine owns
 * the step (a worker that dies stops heartbeating and the machine's Retry sends the step again).
 * Before that, with `checkTokenBeforeStart`, one heartbeat checks the token: a message that waited in
 * the queue past its HeartbeatSeconds (the engine has already retried the step) is dropped unrun.
 * On a spot interruption notice the worker stops taking work and fails its running steps with
 * `Prescale.SpotInterruption`, which the machines retry, so the step runs on another instance.
 * Every step gets a `started` and a `finished`/`failed` event in the execution-events log, and the
 * `progress` events its code reports in between (progress-reporter.ts).
 */
import { STEP_ERRORS, StepMessageSchema, type StepMessage } from '../../core/engine/index.js';
import type { ExecutionEvent } from '../../core/model/events.js';
import { taskTypeOf, type TaskDefinition } from '../../core/model/task.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StateStore } from '../../ports/state-store.js';
import type { QueueMessage, TaskQueue } from '../../ports/task-queue.js';
import { TaskTokenInvalidError, type TaskCallbacks } from '../../ports/workflow-engine.js';
import type { ResumeOutcome } from '../prefetch/prepared-state.js';
import { runStepMessage, StepError, type StepRunnerDeps, type TaskResolver } from './step-runner.js';
import { isPrepareMessage } from '../../core/engine/prepare-message.js';
import type { PrepareHandler } from './prepare-handler.js';
import { progressReporter } from './progress-reporter.js';

/** The log the tick reads step events from (same name as src/app/history). */
export const EXECUTION_EVENTS_LOG = 'execution-events';

/** A spot interruption notice: the instance is reclaimed at `actionAtSec` (epoch seconds). */
export interface SpotNotice {
  readonly action: string;
  readonly actionAtSec: number;
}

/** Dependencies of {@link PoolWorker}. */
export interface PoolWorkerDeps extends StepRunnerDeps {
  readonly poolId: string;
  readonly queue: TaskQueue;
  readonly callbacks: TaskCallbacks;
  readonly tasks: TaskResolver;
  /** Where step events go (its `append`). */
  readonly events: Pick<StateStore, 'append'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** vCPUs of this instance: the most step vCPUs running at once. */
  readonly vcpu: number;
  /** This instance's id, written on events (the tick protects instances running critical steps). */
  readonly instanceId?: string;
  /** Polls the instance metadata for a spot interruption notice (absent: never interrupted). */
  readonly spotNotice?: () => Promise<SpotNotice | undefined>;
  /** Handles `prepare` messages on the same queue (src/app/worker/prepare-handler.ts); absent: they are dropped as malformed. */
  readonly prepare?: PrepareHandler;
}

/** Options of {@link PoolWorker}. */
export interface PoolWorkerOptions {
  /** Long-poll wait per receive, seconds. @default 20 (SQS maximum) */
  readonly receiveWaitSec?: number;
  /** Seconds between spot notice polls. @default 5 (AWS recommends every 5 s) */
  readonly spotPollSec?: number;
  /** Visibility timeout of a received message until its step starts, seconds. @default 60 */
  readonly visibilityTimeoutSec?: number;
  /** The events log. @default EXECUTION_EVENTS_LOG */
  readonly eventLog?: string;
  /**
   * Heartbeat once before a step starts and drop its message unrun when the token is no longer valid
   * (the message waited past its HeartbeatSeconds and the engine already retried the step). On for the
   * local engine (in-process and worker-channel workers); off by default because moto's Step
   * Functions emulation records extra attempts after such a heartbeat. @default false
   */
  readonly checkTokenBeforeStart?: boolean;
}

interface Active {
  readonly msg: StepMessage;
  readonly ctl: AbortController;
}

/** Counters of a worker's life. */
export interface WorkerStats {
  received: number;
  succeeded: number;
  failed: number;
  released: number;
  rejected: number;
  /** Messages dropped unrun because their task token had expired while they waited. */
  stale: number;
  peakVcpu: number;
}

/** See the module comment. */
export class PoolWorker {
  private draining = false;
  private usedVcpu = 0;
  private readonly active = new Map<string, Active>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopCtl = new AbortController();
  private slotWaiters: Array<() => void> = [];
  private interruption?: SpotNotice;
  readonly stats: WorkerStats = { received: 0, succeeded: 0, failed: 0, released: 0, rejected: 0, stale: 0, peakVcpu: 0 };

  constructor(private readonly deps: PoolWorkerDeps, private readonly opts: PoolWorkerOptions = {}) {
    if (!(deps.vcpu > 0)) throw new RangeError(`vcpu must be > 0, got ${deps.vcpu}`);
  }

  /** Runs until {@link stop} or a spot notice; resolves when the running steps are done. */
  async run(): Promise<void> {
    const spot = this.watchSpot();
    try {
      while (!this.draining) {
        await this.waitForSlot();
        if (this.draining) break;
        let msgs: QueueMessage[];
        try {
          msgs = await this.deps.queue.receive({ maxMessages: 1, waitSec: this.opts.receiveWaitSec ?? 20, visibilityTimeoutSec: this.opts.visibilityTimeoutSec ?? 60, signal: this.stopCtl.signal });
        } catch (e) {
          if (this.draining) break;
          this.deps.logger.warn('receive failed; retrying', { poolId: this.deps.poolId, error: (e as Error).message });
          await this.deps.clock.sleep(1000, this.stopCtl.signal);
          continue;
        }
        for (const m of msgs) await this.admit(m);
      }
    } finally {
      this.draining = true;
      this.stopCtl.abort();
      await Promise.allSettled([...this.running]);
      await spot;
    }
  }

  /**
   * Stops taking work. Running steps get `graceSec` to finish; then they are failed with
   * `Prescale.WorkerStopped` (retried on another worker).
   */
  async stop(graceSec = 0): Promise<void> {
    this.draining = true;
    this.stopCtl.abort();
    this.wakeSlots();
    if (this.running.size === 0) return;
    const all = Promise.allSettled([...this.running]);
    if (graceSec > 0) {
      const grace = new AbortController();
      await Promise.race([all.finally(() => grace.abort()), this.deps.clock.sleep(graceSec * 1000, grace.signal)]);
    }
    for (const a of this.active.values()) a.ctl.abort(new StepError(STEP_ERRORS.workerStopped, `worker on pool ${this.deps.poolId} stopped while the step ran`));
    await all;
  }

  /** vCPU units of the steps running now. */
  get unitsInUse(): number {
    return this.usedVcpu;
  }

  /** Steps running now. */
  get runningSteps(): number {
    return this.active.size;
  }

  /** The spot notice that stopped this worker, if one did. */
  get interruptedBy(): SpotNotice | undefined {
    return this.interruption;
  }

  private async watchSpot(): Promise<void> {
    const poll = this.deps.spotNotice;
    if (!poll) return;
    while (!this.draining) {
      let notice: SpotNotice | undefined;
      try {
        notice = await poll();
      } catch (e) {
        this.deps.logger.debug('spot notice poll failed', { error: (e as Error).message });
      }
      if (notice) {
        this.interruption = notice;
        this.deps.logger.warn('spot interruption notice: stopping work and failing running steps for retry elsewhere', { poolId: this.deps.poolId, action: notice.action, actionAtSec: notice.actionAtSec, running: this.active.size });
        this.draining = true;
        this.stopCtl.abort();
        this.wakeSlots();
        for (const a of this.active.values()) a.ctl.abort(new StepError(STEP_ERRORS.spotInterruption, `instance ${this.deps.instanceId ?? '(this one)'} of pool ${this.deps.poolId} got a spot interruption notice (${notice.action} at ${new Date(notice.actionAtSec * 1000).toISOString()})`));
        return;
      }
      await this.deps.clock.sleep((this.opts.spotPollSec ?? 5) * 1000, this.stopCtl.signal);
    }
  }

  private async admit(m: QueueMessage): Promise<void> {
    this.stats.received++;
    // issue 21: a predicted step's preparation runs beside the steps (no vCPU slot; the handler caps how many it holds)
    if (this.deps.prepare && isPrepareMessage(m.body)) {
      const p = this.deps.prepare.handleQueueMessage(this.deps.queue, m, this.stopCtl.signal).then(() => undefined, () => undefined).finally(() => this.running.delete(p));
      this.running.add(p);
      return;
    }
    let msg: StepMessage;
    try {
      const parsed = StepMessageSchema.safeParse(JSON.parse(m.body));
      if (!parsed.success) throw new Error(parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
      msg = parsed.data;
    } catch (e) {
      this.stats.rejected++;
      this.deps.logger.error('dropping a malformed step message', { poolId: this.deps.poolId, messageId: m.messageId, error: (e as Error).message });
      await this.deps.queue.delete(m.receiptHandle);
      const token = tokenOf(m.body);
      if (token) await this.deps.callbacks.sendTaskFailure(token, STEP_ERRORS.notRunnable, `malformed step message: ${(e as Error).message}`.slice(0, 32_000)).catch(() => undefined);
      return;
    }
    if (!msg.taskToken) {
      this.stats.rejected++;
      this.deps.logger.error('dropping a step message without a task token', { poolId: this.deps.poolId, taskId: msg.taskId });
      await this.deps.queue.delete(m.receiptHandle);
      return;
    }
    const task = await this.deps.tasks(msg).catch(() => undefined);
    if (!task) {
      this.stats.rejected++;
      await this.deps.queue.delete(m.receiptHandle);
      await this.fail(msg, STEP_ERRORS.notRunnable, `task ${msg.taskId} of ${msg.workflow}/${msg.variant} is not registered with this worker`);
      return;
    }
    const units = task.resource_requirements.vcpu;
    if (this.usedVcpu > 0 && this.usedVcpu + units > this.deps.vcpu) {
      // Not enough free vCPU now: give the message back to the queue (another worker may have room).
      this.stats.released++;
      await this.deps.queue.extendVisibility(m.receiptHandle, 0);
      await this.waitForRelease();
      return;
    }
    // A message that waited in the queue past its HeartbeatSeconds carries a dead token (the engine
    // has already retried the step under a new one): drop it instead of running the step for nothing.
    if (this.opts.checkTokenBeforeStart && !(await this.tokenLive(msg.taskToken))) {
      this.stats.stale++;
      this.deps.logger.warn('dropping a step message whose task token is no longer valid (it waited past its heartbeat; the engine retried the step)', { poolId: this.deps.poolId, taskId: msg.taskId, executionName: msg.executionName });
      await this.deps.queue.delete(m.receiptHandle);
      return;
    }
    await this.deps.queue.delete(m.receiptHandle);
    this.usedVcpu += units;
    this.stats.peakVcpu = Math.max(this.stats.peakVcpu, this.usedVcpu);
    const p = this.runStep(msg, task).finally(() => {
      this.usedVcpu -= units;
      this.running.delete(p);
      this.wakeSlots();
    });
    this.running.add(p);
  }

  /** False only when a heartbeat says the token is invalid (other errors: assume it is live). */
  private async tokenLive(token: string): Promise<boolean> {
    try {
      await this.deps.callbacks.sendTaskHeartbeat(token);
      return true;
    } catch (e) {
      return !(e instanceof TaskTokenInvalidError);
    }
  }

  private async runStep(msg: StepMessage, task: TaskDefinition): Promise<void> {
    const token = msg.taskToken!;
    const ctl = new AbortController();
    this.active.set(token, { msg, ctl });
    const startedAtSec = this.deps.clock.nowSec();
    let setup: ResumeOutcome | undefined;
    await this.event(msg, task, 'started', startedAtSec, {});
    const beat = this.deps.clock.setRepeating(Math.max(1, msg.heartbeatSec / 3) * 1000, () => {
      this.deps.callbacks.sendTaskHeartbeat(token).catch((e: unknown) => {
        if (e instanceof TaskTokenInvalidError) {
          this.deps.logger.warn('task token no longer valid (timed out or execution stopped); abandoning the step', { taskId: msg.taskId, executionName: msg.executionName });
          ctl.abort(new StepError('Prescale.Abandoned', 'task token no longer valid'));
        }
      });
    });
    // issue 22 (intensity): the step code's progress(fraction) reports, as rate-limited `progress` events
    const progress = progressReporter((f, at) => this.event(msg, task, 'progress', at, { intensity: f }), this.deps.clock, this.deps.logger, msg.taskId);
    try {
      const r = await runStepMessage(this.deps, msg, task, ctl.signal, (s) => (setup = s), progress.report);
      await progress.close();
      // The event first (as for failures): once the engine reports the step done, its event (worker,
      // runtime, setup outcome) is already in the log for whoever follows the execution.
      await this.event(msg, task, 'finished', this.deps.clock.nowSec(), { runtimeSec: this.deps.clock.nowSec() - startedAtSec, setup });
      await this.deps.callbacks.sendTaskSuccess(token, r.outputJson);
      this.stats.succeeded++;
    } catch (e) {
      const err = e instanceof StepError ? e : new StepError(STEP_ERRORS.taskFailed, e instanceof Error ? e.message : String(e));
      this.stats.failed++;
      await progress.close();
      // The event first: whoever follows the execution sees why a step failed once the engine reports it.
      await this.event(msg, task, 'failed', this.deps.clock.nowSec(), { runtimeSec: this.deps.clock.nowSec() - startedAtSec, setup, error: `${err.errorName}: ${err.message}` });
      if (err.errorName !== 'Prescale.Abandoned') await this.fail(msg, err.errorName, err.message);
    } finally {
      beat.cancel();
      this.active.delete(token);
    }
  }

  private async fail(msg: StepMessage, error: string, cause: string): Promise<void> {
    try {
      await this.deps.callbacks.sendTaskFailure(msg.taskToken!, error.slice(0, 256), cause.slice(0, 32_000));
    } catch (e) {
      this.deps.logger.warn('could not report the step failure (token expired?)', { taskId: msg.taskId, error: (e as Error).message });
    }
  }

  private async event(msg: StepMessage, task: TaskDefinition, kind: ExecutionEvent['kind'], atSec: number, extra: { runtimeSec?: number; setup?: ResumeOutcome; error?: string; intensity?: number }): Promise<void> {
    const ev: ExecutionEvent = {
      chainId: msg.chainId,
      workflow: msg.workflow,
      variant: msg.variant,
      taskId: msg.taskId,
      taskType: taskTypeOf(task),
      kind,
      atSec,
      vcpu: task.resource_requirements.vcpu,
      memoryGiB: task.resource_requirements.memoryGiB,
      executionName: msg.executionName,
      ...(msg.principal ? { principal: msg.principal } : {}),
      poolId: this.deps.poolId,
      ...(this.deps.instanceId ? { instanceId: this.deps.instanceId } : {}),
      ...(extra.runtimeSec !== undefined ? { runtimeSec: extra.runtimeSec } : {}),
      ...(extra.setup ? { setupOutcome: extra.setup.outcome, setupSavedSec: extra.setup.savedSetupSec } : {}),
      ...(extra.error ? { error: extra.error } : {}),
      ...(extra.intensity !== undefined ? { intensity: extra.intensity } : {}),
    };
    try {
      await this.deps.events.append(this.opts.eventLog ?? EXECUTION_EVENTS_LOG, [ev]);
    } catch (e) {
      this.deps.logger.warn('could not write a step event', { taskId: msg.taskId, kind, error: (e as Error).message });
    }
  }

  private waitForSlot(): Promise<void> {
    if (this.draining || this.usedVcpu < this.deps.vcpu) return Promise.resolve();
    return this.waitForRelease();
  }

  private waitForRelease(): Promise<void> {
    if (this.draining || this.running.size === 0) return Promise.resolve();
    return new Promise((r) => this.slotWaiters.push(r));
  }

  private wakeSlots(): void {
    const w = this.slotWaiters;
    this.slotWaiters = [];
    for (const f of w) f();
  }
}

function tokenOf(body: string): string | undefined {
  try {
    const t = (JSON.parse(body) as { taskToken?: unknown }).taskToken;
    return typeof t === 'string' && t.length > 0 ? t : undefined;
  } catch {
    return undefined;
  }
}

