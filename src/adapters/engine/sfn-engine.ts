/**
 * AWS Step Functions as the {@link WorkflowEngine} (SDK v3, Standard workflows) and the task
 * callbacks workers use; variant decisions are DynamoDB items `{ pk: <execution name>, variant }` in
 * the table the compiled switch points read (`dynamodb:getItem`).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import {
  ExecutionNameConflictError,
  MachineNotDeployedError,
  TaskTokenInvalidError,
  type EngineExecution,
  type EngineHistoryEvent,
  type MachineDefinition,
  type StartResult,
  type TaskCallbacks,
  type WorkflowEngine,
} from '../../ports/workflow-engine.js';
import { canonicalJson } from '../../app/prefetch/state-key.js';
import { DEFAULT_DECISION_TABLE } from '../../core/engine/compile.js';
import { assertValidAsl } from './asl-validation.js';

/** Options of {@link SfnWorkflowEngine}. */
export interface SfnEngineOptions {
  readonly sfn: SFNClient;
  /** For variant decisions; absent: {@link SfnWorkflowEngine.setVariantDecision} throws. */
  readonly dynamodb?: DynamoDBClient;
  /** Role the state machines run as (sqs:SendMessage to the pool queues, lambda:InvokeFunction, dynamodb:GetItem on the decision table). */
  readonly roleArn: string;
  /** @default DEFAULT_DECISION_TABLE */
  readonly decisionTable?: string;
  /**
   * ARN prefix of the account's and region's state machines (`arn:<partition>:states:<region>:<account>:stateMachine:`):
   * {@link SfnWorkflowEngine.find} then reads a machine with DescribeStateMachine on `<prefix><name>`
   * (an action IAM can scope to machine names). Absent: it searches ListStateMachines (which needs `states:ListStateMachines` on `*`).
   */
  readonly machineArnPrefix?: string;
}

const TOKEN_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** See the module comment. */
export class SfnWorkflowEngine implements WorkflowEngine, TaskCallbacks {
  /** Machine ARNs {@link find} has seen, by name. */
  private readonly found = new Map<string, string>();

  constructor(private readonly opts: SfnEngineOptions) {}

  async deploy(machine: MachineDefinition): Promise<string> {
    assertValidAsl(machine.name, JSON.parse(machine.definitionJson));
    try {
      const r = await this.opts.sfn.send(new CreateStateMachineCommand({ name: machine.name, definition: machine.definitionJson, roleArn: this.opts.roleArn, type: 'STANDARD' }));
      return r.stateMachineArn!;
    } catch (e) {
      if (!(e instanceof StateMachineAlreadyExists)) throw e;
      const arn = await this.listMachine(machine.name);
      if (!arn) throw new Error(`state machine ${machine.name} exists but was not found by ListStateMachines`);
      return arn;
    }
  }

  /**
   * The ARN of an existing state machine, by name: looks only, never creates (the deploy-time machines
   * of the catalog, which the CDK stack created). A found ARN is remembered for the engine's life.
   * @throws MachineNotDeployedError when no machine of that name exists
   */
  async find(name: string): Promise<string> {
    const known = this.found.get(name);
    if (known) return known;
    let arn: string | undefined;
    const prefix = this.opts.machineArnPrefix;
    if (prefix) {
      try {
        arn = (await this.opts.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${prefix}${name}` }))).stateMachineArn;
      } catch (e) {
        if (!(e instanceof StateMachineDoesNotExist)) throw e;
      }
    } else {
      arn = await this.listMachine(name);
    }
    if (!arn) throw new MachineNotDeployedError(name, prefix ? `${prefix}${name}` : 'not in ListStateMachines');
    this.found.set(name, arn);
    return arn;
  }

  async start(machineRef: string, name: string, input: unknown): Promise<StartResult> {
    const inputJson = JSON.stringify(input ?? {});
    const executionRef = `${machineRef.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = await this.describe(executionRef).catch((e: unknown) => {
      if (e instanceof ExecutionDoesNotExist) return undefined;
      throw e;
    });
    if (existing) {
      if (canonicalJson(existing.input) !== canonicalJson(input ?? {})) throw new ExecutionNameConflictError(name);
      return { executionRef, started: false };
    }
    try {
      const r = await this.opts.sfn.send(new StartExecutionCommand({ stateMachineArn: machineRef, name, input: inputJson }));
      return { executionRef: r.executionArn!, started: true };
    } catch (e) {
      // A concurrent start of the same name won the race.
      if (!(e instanceof ExecutionAlreadyExists)) throw e;
      const d = await this.describe(executionRef);
      if (canonicalJson(d.input) !== canonicalJson(input ?? {})) throw new ExecutionNameConflictError(name);
      return { executionRef, started: false };
    }
  }

  async describe(executionRef: string): Promise<EngineExecution> {
    const d = await this.opts.sfn.send(new DescribeExecutionCommand({ executionArn: executionRef }));
    return {
      executionRef,
      name: d.name ?? executionRef.split(':').pop()!,
      machineRef: d.stateMachineArn ?? '',
      status: (d.status ?? 'RUNNING') as EngineExecution['status'],
      startedAtSec: (d.startDate?.getTime() ?? 0) / 1000,
      input: parse(d.input),
      ...(d.stopDate ? { stoppedAtSec: d.stopDate.getTime() / 1000 } : {}),
      ...(d.output !== undefined ? { output: parse(d.output) } : {}),
      ...(d.error !== undefined ? { error: d.error } : {}),
      ...(d.cause !== undefined ? { cause: d.cause } : {}),
    };
  }

  async stop(executionRef: string, error: string, cause: string): Promise<void> {
    const d = await this.describe(executionRef);
    if (d.status !== 'RUNNING') return;
    await this.opts.sfn.send(new StopExecutionCommand({ executionArn: executionRef, error: error.slice(0, 256), cause: cause.slice(0, 32_768) }));
  }

  async history(executionRef: string): Promise<EngineHistoryEvent[]> {
    const out: EngineHistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const r = await this.opts.sfn.send(new GetExecutionHistoryCommand({ executionArn: executionRef, maxResults: 1000, nextToken, includeExecutionData: true }));
      for (const e of r.events ?? []) out.push(normalise(e));
      nextToken = r.nextToken;
    } while (nextToken);
    return out;
  }

  async setVariantDecision(executionName: string, variant: string): Promise<void> {
    if (!this.opts.dynamodb) throw new Error('setVariantDecision needs a DynamoDB client (SfnEngineOptions.dynamodb)');
    await this.opts.dynamodb.send(new PutItemCommand({ TableName: this.opts.decisionTable ?? DEFAULT_DECISION_TABLE, Item: { pk: { S: executionName }, variant: { S: variant } } }));
  }

  async sendTaskSuccess(taskToken: string, outputJson: string): Promise<void> {
    await this.callback(() => this.opts.sfn.send(new SendTaskSuccessCommand({ taskToken, output: outputJson })));
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await this.callback(() => this.opts.sfn.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32_768) })));
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    await this.callback(() => this.opts.sfn.send(new SendTaskHeartbeatCommand({ taskToken })));
  }

  private async callback(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (e) {
      if (e instanceof Error && TOKEN_ERRORS.has(e.name)) throw new TaskTokenInvalidError(`${e.name}: ${e.message}`);
      throw e;
    }
  }

  /** The ARN of the machine of that name from ListStateMachines, or undefined. */
  private async listMachine(name: string): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const r = await this.opts.sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
      const m = r.stateMachines?.find((s) => s.name === name);
      if (m?.stateMachineArn) return m.stateMachineArn;
      nextToken = r.nextToken;
    } while (nextToken);
    return undefined;
  }
}

/** GetExecutionHistory events → engine events. */
function normalise(e: HistoryEvent): EngineHistoryEvent {
  const atSec = (e.timestamp?.getTime() ?? 0) / 1000;
  const type = e.type ?? 'Unknown';
  const entered = e.stateEnteredEventDetails;
  const exited = e.stateExitedEventDetails;
  const failed = e.taskFailedEventDetails ?? e.executionFailedEventDetails ?? e.executionAbortedEventDetails ?? e.taskTimedOutEventDetails ?? e.executionTimedOutEventDetails;
  return {
    type,
    atSec,
    ...(entered ? { stateName: entered.name, input: parse(entered.input) } : {}),
    ...(exited ? { stateName: exited.name, output: parse(exited.output) } : {}),
    ...(failed?.error !== undefined ? { error: failed.error } : {}),
    ...(failed?.cause !== undefined ? { cause: failed.cause } : {}),
  };
}
