/**
 * The {@link Preparer} of `prescale serve` (issue 18): the local prefetch manager behind the same port
 * the controller tick's preparations go through (the simulator's workload and the AWS `SqsPreparer`
 * are the others). A preparation names the step by chain and task; under `serve` its `chainId` is
 * the **engine execution name** (one execution is one chain of the tick's view, and the name is the
 * key the workers resume under: `preparedStateKey(executionName, task, input)`).
 *
 * The step's input is resolved here, as the AWS prepare handler does it (src/app/worker/prepare-handler.ts):
 * from the engine execution's start document (`describe`) and the state exits of its finished steps
 * (`history`), built exactly as the compiled machine builds it ({@link preparedStepInput}). A step
 * whose dependencies still run is held (`accepted`) and re-checked every `pollMs` until they have
 * finished (then its `prepare` phase is queued with the {@link PrefetchManager}), the step itself has
 * run (too late), the execution ended, or its TTL passed.
 *
 * The chain service tells it which engine executions run ({@link ExecutionTracker}): the execution
 * runners report `attached`, `dropped` (steps a variant switch removed) and `ended`, so the runners
 * never call the prefetch manager themselves. It never prepares a step marked `critical` or one without
 * a `prepare` phase (`rejected`).
 */
import type { DagStep } from '../../core/compose/types.js';
import type { CompiledMachine, ExecutionDocument } from '../../core/engine/index.js';
import { preparedStepInput } from '../../core/engine/prepare-message.js';
import type { PreExecuteCommand } from '../../core/model/command.js';
import type { Clock, Timer } from '../../ports/clock.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import type { PrepareOutcome, Preparer } from '../../ports/preparer.js';
import type { EngineHistoryEvent, WorkflowEngine } from '../../ports/workflow-engine.js';
import type { PrefetchManager } from './prefetch-manager.js';

/** An engine execution the chain service follows, as the preparer needs it. */
export interface TrackedExecution {
  /** Engine execution name (the chain id of its preparations). */
  readonly executionName: string;
  /** Engine reference (`describe`/`history`). */
  readonly executionRef: string;
  /** The chain (record) id it runs. */
  readonly chainId: string;
  readonly principalId: string;
  readonly workflow: string;
  readonly variant: string;
  /** The compiled machine's steps (state names, result keys). */
  readonly machine: Pick<CompiledMachine, 'steps'>;
  /** The variant's DAG steps (task definitions, dependencies, pools). */
  readonly steps: readonly DagStep[];
  /** Epoch seconds it was attached. */
  readonly atSec: number;
}

/** What execution runners tell the preparer (instead of calling the prefetch manager). */
export interface ExecutionTracker {
  /** A runner follows (started, restarted or re-attached to) this engine execution. */
  attached(x: TrackedExecution): void;
  /** A variant switch dropped these steps of the execution: their preparations are wasted. */
  dropped(executionName: string, taskIds: readonly string[], reason: string): void;
  /** The execution ended (or its runner stopped following it): its preparations are dropped. */
  ended(executionName: string, reason: string): void;
}

/** The local preparer as the chain service sees it. */
export interface ServePreparer extends Preparer, ExecutionTracker {}

/** Dependencies of {@link LocalPreparer}. */
export interface LocalPreparerDeps {
  readonly manager: Pick<PrefetchManager, 'submit' | 'discard' | 'hasStarted'>;
  /** The engine the executions run on. */
  readonly engine: Pick<WorkflowEngine, 'describe' | 'history'>;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** The A/B arm of a principal (absent: the command's arm, else none). */
  readonly armOf?: (principalId: string) => string | undefined;
}

/** Options of {@link LocalPreparer}. */
export interface LocalPreparerOptions {
  /** Milliseconds between re-checks of held preparations' dependencies. @default 1000 */
  readonly pollMs?: number;
  /** TTL of a held preparation when the command has none, seconds. @default 900 */
  readonly defaultTtlSec?: number;
  /** Seconds an ended execution stays known (late events still find its principal). @default 3600 */
  readonly keepEndedSec?: number;
  /** Most preparations held waiting for dependencies; more are `failed`. @default 256 */
  readonly maxHeld?: number;
}

interface Held {
  readonly cmd: PreExecuteCommand;
  readonly step: DagStep;
  readonly untilSec: number;
}

/** Counts of the preparer's answers and of held preparations' ends. */
export interface LocalPreparerStats {
  accepted: number;
  duplicate: number;
  rejected: number;
  failed: number;
  /** Held preparations queued with the manager once their dependencies finished. */
  submittedLater: number;
  /** Held preparations dropped (too late, execution ended, TTL passed). */
  droppedHeld: number;
}

/** See the module comment. */
export class LocalPreparer implements ServePreparer {
  private readonly byName = new Map<string, TrackedExecution & { endedAtSec?: number }>();
  private readonly held = new Map<string, Held>();
  private readonly seen = new Set<string>();
  private timer: Timer | undefined;
  private polling = false;
  private readonly logger: Logger;
  readonly stats: LocalPreparerStats = { accepted: 0, duplicate: 0, rejected: 0, failed: 0, submittedLater: 0, droppedHeld: 0 };

  constructor(private readonly deps: LocalPreparerDeps, private readonly opts: LocalPreparerOptions = {}) {
    this.logger = deps.logger ?? silentLogger;
  }

  attached(x: TrackedExecution): void {
    this.byName.set(x.executionName, x);
    this.prune();
  }

  dropped(executionName: string, taskIds: readonly string[], reason: string): void {
    for (const [id, h] of this.held) if (h.cmd.chainId === executionName && taskIds.includes(h.cmd.taskId)) this.dropHeld(id);
    this.deps.manager.discard(executionName, taskIds, reason);
  }

  ended(executionName: string, reason: string): void {
    for (const [id, h] of this.held) if (h.cmd.chainId === executionName) this.dropHeld(id);
    this.deps.manager.discard(executionName, undefined, reason);
    const x = this.byName.get(executionName);
    if (x && x.endedAtSec === undefined) this.byName.set(executionName, { ...x, endedAtSec: this.deps.clock.nowSec() });
  }

  /** The executions followed now or ended within `keepEndedSec` (the learning loop reads their principals and DAGs). */
  executions(): ReadonlyArray<TrackedExecution & { readonly endedAtSec?: number }> {
    return [...this.byName.values()];
  }

  /** The execution of a name, when known. */
  execution(executionName: string): (TrackedExecution & { readonly endedAtSec?: number }) | undefined {
    return this.byName.get(executionName);
  }

  /** Preparations held while their dependencies run. */
  get heldCount(): number {
    return this.held.size;
  }

  async prepare(command: PreExecuteCommand): Promise<PrepareOutcome> {
    const out = await this.decide(command);
    this.stats[out.status]++;
    return out;
  }

  /** Stops re-checking held preparations (they are dropped). */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.held.clear();
  }

  private async decide(command: PreExecuteCommand): Promise<PrepareOutcome> {
    const id = command.id;
    const reject = (reason: string): PrepareOutcome => ({ commandId: id, status: 'rejected', reason });
    if (this.seen.has(id)) return { commandId: id, status: 'duplicate' };
    const x = this.byName.get(command.chainId);
    if (!x || x.endedAtSec !== undefined) return reject(`no running execution ${command.chainId} followed by this server`);
    const step = x.steps.find((s) => s.taskId === command.taskId);
    if (!step || !x.machine.steps[command.taskId]) return reject(`step ${command.taskId} is not in ${x.workflow}/${x.variant}`);
    if (step.task.critical) return reject(`step ${command.taskId} is critical (side effects): never pre-executed`);
    if (!step.task.prepare) return reject(`step ${command.taskId} has no prepare phase`);
    if (this.deps.manager.hasStarted(x.executionName, command.taskId)) return reject(`step ${command.taskId} already started`);
    const arm = command.arm ?? this.deps.armOf?.(x.principalId);
    const cmd: PreExecuteCommand = arm !== undefined ? { ...command, arm } : command;
    let state: Awaited<ReturnType<LocalPreparer['resolve']>>;
    try {
      state = await this.resolve(x, cmd.taskId);
    } catch (e) {
      return { commandId: id, status: 'failed', reason: `could not read the execution from the engine: ${(e as Error).message}`.slice(0, 300) };
    }
    if (state.kind === 'ended') return reject(`execution ${x.executionName} has ended`);
    if (state.kind === 'too-late') return reject(`step ${cmd.taskId} already ran`);
    if (state.kind === 'ready') {
      if (!this.deps.manager.submit(cmd, step.task, state.input)) return { commandId: id, status: 'duplicate' };
      this.seen.add(id);
      return { commandId: id, status: 'accepted' };
    }
    if (this.held.size >= (this.opts.maxHeld ?? 256)) return { commandId: id, status: 'failed', reason: 'too many preparations wait for their dependencies' };
    const ttlSec = cmd.ttlSec ?? this.opts.defaultTtlSec ?? 900;
    this.held.set(id, { cmd, step, untilSec: this.deps.clock.nowSec() + ttlSec });
    this.seen.add(id);
    this.schedule();
    return { commandId: id, status: 'accepted' };
  }

  /** The step's input when its dependencies have finished, or why it cannot be prepared (now or ever). */
  private async resolve(x: TrackedExecution, taskId: string): Promise<{ kind: 'ready'; input: unknown } | { kind: 'waiting' | 'ended' | 'too-late' }> {
    const d = await this.deps.engine.describe(x.executionRef);
    if (d.status !== 'RUNNING') return { kind: 'ended' };
    const history: readonly EngineHistoryEvent[] = await this.deps.engine.history(x.executionRef);
    const own = x.machine.steps[taskId]?.taskState;
    // entered is fine (its run message waits for capacity: the case worth preparing); exited is too late
    if (history.some((e) => e.type === 'TaskStateExited' && e.stateName === own)) return { kind: 'too-late' };
    const exits = history.filter((e) => e.type === 'TaskStateExited' && e.stateName).map((e) => ({ stateName: e.stateName!, output: e.output }));
    const r = preparedStepInput(x.machine, x.steps, taskId, d.input as ExecutionDocument, exits);
    return r.ready ? { kind: 'ready', input: r.input } : { kind: 'waiting' };
  }

  private schedule(): void {
    if (this.timer || this.held.size === 0) return;
    this.timer = this.deps.clock.setRepeating(this.opts.pollMs ?? 1000, () => {
      if (this.polling) return;
      this.polling = true;
      void this.poll().catch((e: unknown) => this.logger.warn('re-checking held preparations failed', { error: e instanceof Error ? e.message : String(e) })).finally(() => {
        this.polling = false;
        if (this.held.size === 0) {
          this.timer?.cancel();
          this.timer = undefined;
        }
      });
    }, { background: true });
  }

  private async poll(): Promise<void> {
    const now = this.deps.clock.nowSec();
    for (const [id, h] of [...this.held]) {
      if (!this.held.has(id)) continue;
      const x = this.byName.get(h.cmd.chainId);
      if (!x || x.endedAtSec !== undefined || now >= h.untilSec) {
        this.dropHeld(id);
        continue;
      }
      let state: Awaited<ReturnType<LocalPreparer['resolve']>>;
      try {
        state = await this.resolve(x, h.cmd.taskId);
      } catch (e) {
        this.logger.debug('could not read an execution for a held preparation; trying again', { executionName: x.executionName, error: (e as Error).message });
        continue;
      }
      if (!this.held.has(id) || state.kind === 'waiting') continue;
      this.held.delete(id);
      if (state.kind === 'ready' && this.deps.manager.submit(h.cmd, h.step.task, state.input)) {
        this.stats.submittedLater++;
        this.logger.info('preparing a predicted step whose dependencies finished', { executionName: x.executionName, taskId: h.cmd.taskId, arm: h.cmd.arm });
      } else this.stats.droppedHeld++;
    }
  }

  private dropHeld(id: string): void {
    if (this.held.delete(id)) this.stats.droppedHeld++;
  }

  private prune(): void {
    const keep = this.opts.keepEndedSec ?? 3600;
    const now = this.deps.clock.nowSec();
    for (const [name, x] of this.byName) if (x.endedAtSec !== undefined && now - x.endedAtSec > keep) this.byName.delete(name);
    if (this.seen.size > 100_000) this.seen.clear();
  }
}
