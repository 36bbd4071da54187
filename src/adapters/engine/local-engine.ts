/**
 * The local {@link WorkflowEngine}: runs the same ASL as AWS Step Functions with the
 * `aws-local-stepfunctions` package (v3, Node ≥ 22), with the task resources the compiler emits
 * overridden to local handlers:
 * - `sqs:sendMessage.waitForTaskToken`: the message (with a fresh task token) goes to the local
 *   {@link TaskQueue} of its QueueUrl and the state waits for {@link TaskCallbacks} from a worker;
 *   `HeartbeatSeconds` is enforced here (aws-local-stepfunctions does not), failing the attempt with
 *   `States.HeartbeatTimeout` so the machine's Retry moves the step to another worker;
 * - `lambda:invoke`: a registered local function for the FunctionName (the burst tier locally);
 * - `dynamodb:getItem` (the switch points): answered from {@link setVariantDecision}; the burst route
 *   reads (`route#…` keys) from {@link publish}.
 * Executions run in this process. With a {@link StateStore} their records and history (state exits
 * with outputs) are persisted as they happen, so after a restart `describe` reports an execution the
 * process was running as ABORTED (`Prescale.EngineRestarted`) and `history` still returns its state
 * exits: the chain service builds the checkpoint from them (checkpointFromHistory) and starts the
 * machine again under the next restart name, which skips the finished steps.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslMachine, AslState } from '../../core/engine/asl.js';
import {
  ExecutionNameConflictError,
  TaskTokenInvalidError,
  type EngineExecution,
  type EngineExecutionStatus,
  type EngineHistoryEvent,
  type MachineDefinition,
  type StartResult,
  type TaskCallbacks,
  type WorkflowEngine,
} from '../../ports/workflow-engine.js';
import type { TaskQueue } from '../../ports/task-queue.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import type { Clock, Timer } from '../../ports/clock.js';
import { systemClock } from '../clock/system-clock.js';
import type { StateStore } from '../../ports/state-store.js';
import { assertValidAsl } from './asl-validation.js';
import { routeKey, type StepClassRoute } from '../../core/model/route.js';
import type { StepRouter } from '../../ports/step-router.js';
import { canonicalJson } from '../../app/prefetch/state-key.js';

const SQS_WAIT = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const DDB_GET = 'arn:aws:states:::dynamodb:getItem';
const ARN = 'arn:aws:states:local:000000000000';

/** A local stand-in for a Lambda task runner: gets the Payload, returns the function's result. */
export type LocalLambda = (payload: unknown) => Promise<unknown>;

/** Options of {@link LocalWorkflowEngine}. */
export interface LocalEngineOptions {
  /** The local queue a QueueUrl names (undefined: the step fails with `States.TaskFailed`). */
  readonly queue: (queueUrl: string) => TaskQueue | undefined;
  /** Local Lambda task runners by FunctionName. */
  readonly lambdas?: Readonly<Record<string, LocalLambda>>;
  readonly logger?: Logger;
  /** Persists execution records and history (absent: they live only in memory). */
  readonly store?: StateStore;
  /**
   * Tells the executions' start and stop times and `State.EnteredTime`, and times heartbeat timeouts
   * and the bounded wait for an ended execution's event log. @default the wall clock (systemClock)
   */
  readonly clock?: Clock;
}

/** Store table of execution records and log-name prefix of their histories. */
export const LOCAL_ENGINE_TABLE = 'engine-executions';
const historyLog = (name: string): string => `engine-history:${name}`;

/** What is persisted per execution. */
interface ExecutionRecord {
  readonly ref: string;
  readonly name: string;
  readonly machineRef: string;
  readonly input: unknown;
  readonly inputKey: string;
  readonly startedAtSec: number;
  readonly status: EngineExecutionStatus;
  readonly stoppedAtSec?: number;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

interface Pending {
  readonly executionRef: string;
  readonly heartbeatSec?: number;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  timer?: Timer;
}

interface Execution {
  readonly ref: string;
  readonly name: string;
  readonly machineRef: string;
  readonly input: unknown;
  readonly inputKey: string;
  readonly startedAtSec: number;
  status: EngineExecutionStatus;
  stoppedAtSec?: number;
  output?: unknown;
  error?: string;
  cause?: string;
  readonly events: EngineHistoryEvent[];
  abort: () => void;
  done: Promise<void>;
}

/** An error whose `name` the machine's Retry/Catch match. */
function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** The Task states of a machine, with whether each runs as a Map item. */
function taskStates(m: AslMachine, out: Array<[string, AslState, boolean]> = [], inMap = false): Array<[string, AslState, boolean]> {
  for (const [name, s] of Object.entries(m.States)) {
    if (s.Type === 'Task') out.push([name, s, inMap]);
    for (const b of s.Branches ?? []) taskStates(b, out, inMap);
    if (s.ItemProcessor) taskStates(s.ItemProcessor, out, true);
  }
  return out;
}

/** See the module comment. */
export class LocalWorkflowEngine implements WorkflowEngine, TaskCallbacks, StepRouter {
  private readonly machines = new Map<string, AslMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, Pending>();
  private readonly decisions = new Map<string, string>();
  private readonly routes = new Map<string, { route: string; validUntil: string }>();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private persisting: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: LocalEngineOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
  }

  async deploy(machine: MachineDefinition): Promise<string> {
    // Names carry the definition's hash (stateMachineName): a deployed name needs no second validation.
    if (!this.machines.has(machine.name)) {
      const definition = JSON.parse(machine.definitionJson) as AslMachine;
      assertValidAsl(machine.name, definition);
      this.machines.set(machine.name, definition);
    }
    return `${ARN}:stateMachine:${machine.name}`;
  }

  async start(machineRef: string, name: string, input: unknown): Promise<StartResult> {
    const machineName = machineRef.split(':').pop() ?? '';
    const definition = this.machines.get(machineName);
    if (!definition) throw new Error(`state machine ${machineRef} does not exist (deploy it first)`);
    const ref = `${ARN}:execution:${machineName}:${name}`;
    const inputKey = canonicalJson(input ?? {});
    if (this.closed) throw new Error('the local engine is closed');
    const existing = this.executions.get(ref) ?? (await this.stored(ref));
    if (existing) {
      if (existing.inputKey !== inputKey) throw new ExecutionNameConflictError(name);
      return { executionRef: ref, started: false };
    }
    const overrides: Record<string, (i: unknown) => Promise<unknown>> = {};
    for (const [stateName, state, inMap] of taskStates(definition)) overrides[stateName] = this.handler(ref, stateName, state, inMap);
    const clock = this.clock;
    const sm = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    const run = sm.run(structuredClone(input ?? {}) as never, {
      overrides: { taskResourceLocalHandlers: overrides as never },
      // State.EnteredTime (the burst route Choice compares it with the route's validUntil): the
      // library has no per-state context, so the getter answers the time the path is read
      context: { Execution: { Id: ref, Name: name }, Task: { Token: 'replaced-by-the-local-engine' }, State: { get EnteredTime() { return new Date(Math.round(clock.nowSec() * 1000)).toISOString(); } } } as never,
    });
    const exec: Execution = {
      ref, name, machineRef, input: structuredClone(input ?? {}), inputKey, startedAtSec: this.clock.nowSec(), status: 'RUNNING', events: [], abort: run.abort, done: Promise.resolve(),
    };
    this.executions.set(ref, exec);
    this.persist(exec);
    const logs = (async () => {
      for await (const ev of run.eventLogs) {
        const e = normalise(ev as unknown as LocalEvent);
        exec.events.push(e);
        if (this.opts.store && (e.type === 'TaskStateExited' || e.type.startsWith('Execution'))) this.enqueue(() => this.opts.store!.append(historyLog(name), [e]));
      }
    })();
    exec.done = run.result.then(
      (output) => {
        exec.status = 'SUCCEEDED';
        exec.output = output;
      },
      (e: unknown) => {
        if (exec.status !== 'RUNNING') return;
        if (e instanceof ExecutionAbortedError) {
          exec.status = 'ABORTED';
          return;
        }
        const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e instanceof Error ? e : new Error(String(e));
        exec.status = cause.name === 'States.Timeout' ? 'TIMED_OUT' : 'FAILED';
        exec.error = cause.name;
        exec.cause = cause.message;
      },
    ).finally(async () => {
      exec.stoppedAtSec ??= this.clock.nowSec();
      this.dropTokens(ref, 'execution closed');
      await Promise.race([logs, this.clock.sleep(100)]);
      this.persist(exec);
      await this.persisting;
    });
    return { executionRef: ref, started: true };
  }

  async describe(executionRef: string): Promise<EngineExecution> {
    const e = this.executions.get(executionRef) ?? (await this.stored(executionRef));
    if (!e) throw new Error(`execution ${executionRef} does not exist`);
    return {
      executionRef: e.ref, name: e.name, machineRef: e.machineRef, status: e.status, startedAtSec: e.startedAtSec, input: e.input,
      ...(e.stoppedAtSec !== undefined ? { stoppedAtSec: e.stoppedAtSec } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  async stop(executionRef: string, error: string, cause: string): Promise<void> {
    const e = this.executions.get(executionRef);
    if (!e || e.status !== 'RUNNING') return;
    e.status = 'ABORTED';
    e.error = error;
    e.cause = cause;
    e.stoppedAtSec = this.clock.nowSec();
    e.abort();
    this.dropTokens(executionRef, 'execution stopped');
    this.persist(e);
  }

  async history(executionRef: string): Promise<EngineHistoryEvent[]> {
    const e = this.executions.get(executionRef);
    if (e) return [...e.events];
    const rec = await this.stored(executionRef);
    if (!rec || !this.opts.store) throw new Error(`execution ${executionRef} does not exist`);
    await this.persisting;
    return this.opts.store.readLog<EngineHistoryEvent>(historyLog(rec.name));
  }

  /**
   * Ends this process's part (server shutdown): running executions are abandoned without recording
   * an end, so their persisted records stay RUNNING and a restarted engine reports them ABORTED
   * (`Prescale.EngineRestarted`), to be restarted from their checkpoint. Later starts are refused.
   */
  close(): void {
    this.closed = true;
    for (const e of this.executions.values()) {
      if (e.status !== 'RUNNING') continue;
      e.abort();
      this.dropTokens(e.ref, 'engine closed');
    }
  }

  /** Resolves when every record and history event so far is persisted. */
  async flush(): Promise<void> {
    await this.persisting;
  }

  async setVariantDecision(executionName: string, variant: string): Promise<void> {
    this.decisions.set(executionName, variant);
  }

  /**
   * Burst routes (issue 19, item 5; the `StepRouter` port): the compiled machines' route Choices
   * read them as the stack's decision-table items `route#<poolId>#<taskType>`.
   */
  async publish(routes: readonly StepClassRoute[]): Promise<void> {
    for (const r of routes) this.routes.set(routeKey(r.poolId, r.taskType), { route: r.route, validUntil: new Date(r.validUntilSec * 1000).toISOString() });
  }

  /** Resolves when the execution has closed (tests and the local serve loop). */
  async waitForClose(executionRef: string): Promise<EngineExecution> {
    const e = this.executions.get(executionRef);
    if (!e) throw new Error(`execution ${executionRef} does not exist`);
    await e.done;
    return this.describe(executionRef);
  }

  async sendTaskSuccess(taskToken: string, outputJson: string): Promise<void> {
    const p = this.take(taskToken);
    p.resolve(JSON.parse(outputJson));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const p = this.take(taskToken);
    p.reject(namedError(error, cause));
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    const p = this.tokens.get(taskToken);
    if (!p) throw new TaskTokenInvalidError(`task token is unknown or has expired`);
    this.arm(taskToken, p);
  }

  /** True while `taskToken` names a step waiting for its callback (not yet reported, timed out or stopped). */
  isTaskLive(taskToken: string): boolean {
    return this.tokens.has(taskToken);
  }

  /** A persisted execution this process is not running; one it was running when it stopped reads as ABORTED. */
  private async stored(ref: string): Promise<ExecutionRecord | undefined> {
    if (!this.opts.store) return undefined;
    const got = await this.opts.store.get<ExecutionRecord>(LOCAL_ENGINE_TABLE, ref);
    if (!got) return undefined;
    const r = got.value;
    return r.status === 'RUNNING' ? { ...r, status: 'ABORTED', error: 'Prescale.EngineRestarted', cause: 'the process running this local execution stopped; restart it from its checkpoint' } : r;
  }

  private persist(e: Execution): void {
    if (!this.opts.store || this.closed) return;
    const rec: ExecutionRecord = {
      ref: e.ref, name: e.name, machineRef: e.machineRef, input: e.input, inputKey: e.inputKey, startedAtSec: e.startedAtSec, status: e.status,
      ...(e.stoppedAtSec !== undefined ? { stoppedAtSec: e.stoppedAtSec } : {}),
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
    this.enqueue(() => this.opts.store!.put(LOCAL_ENGINE_TABLE, e.ref, rec).then(() => undefined));
  }

  private enqueue(f: () => Promise<void>): void {
    if (this.closed) return;
    this.persisting = this.persisting.then(f).catch((err: unknown) => this.logger.warn('could not persist local engine state', { error: (err as Error).message }));
  }

  private take(token: string): Pending {
    const p = this.tokens.get(token);
    if (!p) throw new TaskTokenInvalidError(`task token is unknown or has expired`);
    p.timer?.cancel();
    this.tokens.delete(token);
    return p;
  }

  private arm(token: string, p: Pending): void {
    p.timer?.cancel();
    if (p.heartbeatSec === undefined) return;
    p.timer = this.clock.setTimer(p.heartbeatSec * 1000, () => {
      if (this.tokens.get(token) !== p) return;
      this.tokens.delete(token);
      p.reject(namedError('States.HeartbeatTimeout', `no heartbeat within ${p.heartbeatSec} s`));
    });
  }

  private dropTokens(executionRef: string, why: string): void {
    for (const [t, p] of this.tokens) {
      if (p.executionRef !== executionRef) continue;
      p.timer?.cancel();
      this.tokens.delete(t);
      p.reject(namedError('States.TaskFailed', why));
    }
  }

  /**
   * aws-local-stepfunctions 3 loses many events of Map iterations (their nested event logs are
   * forwarded without back-pressure), so the engine records the exit of a Map item's Task state
   * itself, in the shape the compiled item has (`{ item: { taskId }, result: { output } }`), so
   * checkpoints of a map's finished items survive a restart.
   */
  private recordMapItemExit(executionRef: string, stateName: string, taskId: unknown, result: unknown): void {
    const exec = this.executions.get(executionRef);
    if (!exec || typeof taskId !== 'string') return;
    const e: EngineHistoryEvent = { type: 'TaskStateExited', atSec: this.clock.nowSec(), stateName, output: { item: { taskId }, result: { output: result } } };
    exec.events.push(e);
    if (this.opts.store) this.enqueue(() => this.opts.store!.append(historyLog(exec.name), [e]));
  }

  private handler(executionRef: string, stateName: string, state: AslState, inMap = false): (input: unknown) => Promise<unknown> {
    if (state.Resource === SQS_WAIT) {
      return async (params) => {
        const { QueueUrl, MessageBody } = params as { QueueUrl: string; MessageBody: Record<string, unknown> };
        const queue = this.opts.queue(QueueUrl);
        if (!queue) throw namedError('States.TaskFailed', `no local queue for ${QueueUrl}`);
        const token = randomUUID();
        const result = new Promise<unknown>((resolve, reject) => {
          const p: Pending = { executionRef, heartbeatSec: state.HeartbeatSeconds, resolve, reject };
          this.tokens.set(token, p);
          this.arm(token, p);
        });
        result.catch(() => undefined);
        await queue.send(JSON.stringify({ ...MessageBody, taskToken: token }));
        this.logger.debug('step sent to local queue', { executionRef, state: stateName, queueUrl: QueueUrl });
        if (!inMap) return result;
        const value = await result;
        this.recordMapItemExit(executionRef, stateName, MessageBody.taskId, value);
        return value;
      };
    }
    if (state.Resource === LAMBDA_INVOKE) {
      return async (params) => {
        const { FunctionName, Payload } = params as { FunctionName: string; Payload: unknown };
        const fn = this.opts.lambdas?.[FunctionName];
        if (!fn) throw namedError('Lambda.ResourceNotFoundException', `no local function ${FunctionName}`);
        const out = await fn(Payload);
        if (inMap) this.recordMapItemExit(executionRef, stateName, (Payload as { taskId?: unknown } | undefined)?.taskId, out);
        return { StatusCode: 200, Payload: out };
      };
    }
    if (state.Resource === DDB_GET) {
      return async (params) => {
        const pk = (params as { Key?: { pk?: { S?: string } } }).Key?.pk?.S ?? '';
        const route = this.routes.get(pk);
        if (route) return { Item: { pk: { S: pk }, route: { S: route.route }, validUntil: { S: route.validUntil } } };
        const v = this.decisions.get(pk);
        return v === undefined ? {} : { Item: { pk: { S: pk }, variant: { S: v } } };
      };
    }
    return async () => {
      throw namedError('States.TaskFailed', `the local engine has no handler for resource ${state.Resource ?? '(none)'} of state ${stateName}`);
    };
  }
}

interface LocalEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string; readonly type: string; readonly input?: unknown; readonly output?: unknown };
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
}

/** aws-local-stepfunctions events with Step Functions' event type names. */
function normalise(ev: LocalEvent): EngineHistoryEvent {
  const atSec = ev.timestamp / 1000;
  const err = ev.Error !== undefined ? { error: ev.Error, cause: typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause ?? '') } : {};
  if (ev.state) {
    const kind = ev.type === 'StateEntered' ? 'StateEntered' : ev.type === 'StateExited' ? 'StateExited' : ev.type;
    const type = kind === 'StateEntered' || kind === 'StateExited' ? `${ev.state.type}${kind}` : ev.type === 'StateFailed' && ev.state.type === 'Task' ? 'TaskFailed' : ev.type;
    return {
      type, atSec, stateName: ev.state.name,
      ...(kind === 'StateEntered' ? { input: ev.state.input } : {}),
      ...(kind === 'StateExited' ? { output: ev.state.output } : {}),
      ...err,
    };
  }
  return { type: ev.type, atSec, ...(ev.input !== undefined ? { input: ev.input } : {}), ...(ev.output !== undefined ? { output: ev.output } : {}), ...err };
}
