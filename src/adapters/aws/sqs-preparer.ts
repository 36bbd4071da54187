/**
 * The AWS {@link Preparer} (issue 21): a tick's pre-execute command becomes a `prepare` message
 * (src/core/engine/prepare-message.ts) on the work queue of the step's pool, where `prescale worker`
 * runs it (src/app/worker/prepare-handler.ts), or, for a step on a Lambda pool, an asynchronous
 * invoke (`InvocationType: Event`) of the task runner with the same message.
 *
 * The command names a chain; the message names the engine execution: the chain's current execution
 * (name, workflow, variant) comes from the execution events the tick reads ({@link ExecutionIndex}),
 * and its Step Functions ARN from the state machine of that variant
 * (`arn:aws:states:<region>:<account>:execution:<machine name>:<execution name>`, the ARN format of
 * the Step Functions API reference, "DescribeExecution"). The step's input is resolved by the worker
 * from that execution's history.
 *
 * Answers: `accepted` (message sent), `duplicate` (this command id was sent before by this process; the
 * worker also skips a state already cached), `rejected` (unknown chain or execution, no queue for the
 * pool, a critical step or one without a `prepare` phase in the catalog), `failed` (the send failed).
 */
import { PREPARE_MESSAGE_VERSION, type PrepareMessage } from '../../core/engine/prepare-message.js';
import type { ExecutionEvent, PreExecuteCommand, TaskDefinition } from '../../core/model/index.js';
import type { Clock } from '../../ports/clock.js';
import type { PrepareOutcome, Preparer } from '../../ports/preparer.js';

/** The execution a chain runs as now. */
export interface ChainExecution {
  readonly executionName: string;
  readonly workflow: string;
  readonly variant: string;
  readonly atSec: number;
}

/**
 * Chain id → its latest engine execution, from execution events (workers' `started`/`finished`, the
 * status handler's `submitted`). Feed it every batch the tick reads ({@link observe}).
 */
export class ExecutionIndex {
  private readonly byChain = new Map<string, ChainExecution>();

  /** Takes the executions named by `events` (the latest per chain wins); forgets chains whose last event is older than `keepSec` before the newest. */
  observe(events: readonly ExecutionEvent[], keepSec = 86_400): void {
    let newest = -Infinity;
    for (const e of events) {
      newest = Math.max(newest, e.atSec);
      if (!e.executionName || !e.variant) continue;
      const was = this.byChain.get(e.chainId);
      if (!was || e.atSec >= was.atSec) this.byChain.set(e.chainId, { executionName: e.executionName, workflow: e.workflow, variant: e.variant, atSec: e.atSec });
    }
    for (const [id, x] of this.byChain) if (x.atSec < newest - keepSec) this.byChain.delete(id);
  }

  /** The chain's latest execution, if an event named one. */
  get(chainId: string): ChainExecution | undefined {
    return this.byChain.get(chainId);
  }
}

/** Narrow transports (SQS `SendMessage`, Lambda `Invoke` with `InvocationType: Event`). */
export interface PrepareTransports {
  sendMessage(queueUrl: string, body: string): Promise<void>;
  invokeAsync(functionArn: string, payload: string): Promise<void>;
}

/** What {@link SqsPreparer} needs. */
export interface SqsPreparerDeps {
  readonly transports: PrepareTransports;
  /** Work queue URL of each EC2 pool. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Task runner function ARN of each Lambda pool. */
  readonly lambdaPools?: Readonly<Record<string, string>>;
  /** State machine ARN of each variant, by `workflow/variant`. */
  readonly machineArns: Readonly<Record<string, string>>;
  readonly executions: Pick<ExecutionIndex, 'get'>;
  /** The catalog's task definition (absent: the worker decides alone). */
  readonly task?: (workflow: string, variant: string, taskId: string) => TaskDefinition | undefined;
  readonly clock: Clock;
  /** TTL when the command has none, seconds. @default 900 */
  readonly defaultTtlSec?: number;
}

/** The Step Functions execution ARN of `executionName` of the machine `machineArn`. @throws Error when `machineArn` is not a state machine ARN */
export function executionArnOf(machineArn: string, executionName: string): string {
  const m = /^(arn:[^:]+:states:[^:]*:[^:]*):stateMachine:([^:]+)$/.exec(machineArn);
  if (!m) throw new Error(`not a state machine ARN: ${machineArn}`);
  return `${m[1]}:execution:${m[2]}:${executionName}`;
}

/** See the module comment. */
export class SqsPreparer implements Preparer {
  private readonly sent = new Set<string>();

  constructor(private readonly deps: SqsPreparerDeps) {}

  async prepare(command: PreExecuteCommand): Promise<PrepareOutcome> {
    const reject = (reason: string): PrepareOutcome => ({ commandId: command.id, status: 'rejected', reason });
    if (this.sent.has(command.id)) return { commandId: command.id, status: 'duplicate' };
    const x = this.deps.executions.get(command.chainId);
    if (!x) return reject(`no execution of chain ${command.chainId} in the events log`);
    const task = this.deps.task?.(x.workflow, x.variant, command.taskId);
    if (task?.critical) return reject(`step ${command.taskId} is critical (side effects): never pre-executed`);
    if (task && !task.prepare) return reject(`step ${command.taskId} has no prepare phase`);
    const machineArn = this.deps.machineArns[`${x.workflow}/${x.variant}`];
    if (!machineArn) return reject(`no state machine for ${x.workflow}/${x.variant}`);
    const queueUrl = this.deps.queueUrls[command.poolId];
    const functionArn = this.deps.lambdaPools?.[command.poolId];
    if (!queueUrl && !functionArn) return reject(`pool ${command.poolId} has no work queue or task runner`);
    const ttlSec = Math.max(1, Math.min(86_400, Math.round(command.ttlSec ?? this.deps.defaultTtlSec ?? 900)));
    const msg: PrepareMessage = {
      v: PREPARE_MESSAGE_VERSION, kind: 'prepare', commandId: command.id, workflow: x.workflow, variant: x.variant, taskId: command.taskId, poolId: command.poolId,
      chainId: command.chainId, executionName: x.executionName, executionRef: executionArnOf(machineArn, x.executionName), ttlSec, expiresAtSec: this.deps.clock.nowSec() + ttlSec,
    };
    const body = JSON.stringify(msg);
    try {
      if (queueUrl) await this.deps.transports.sendMessage(queueUrl, body);
      else await this.deps.transports.invokeAsync(functionArn!, body);
    } catch (e) {
      return { commandId: command.id, status: 'failed', reason: `${queueUrl ? 'SendMessage' : 'Invoke'} failed: ${(e as Error).message}`.slice(0, 300) };
    }
    this.sent.add(command.id);
    return { commandId: command.id, status: 'accepted' };
  }
}
