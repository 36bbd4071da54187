/**
 * The ASL compiler: a composed variant (an {@link ExecutableDag} of task definitions bound to pools)
 * → an Amazon States Language state machine that AWS Step Functions and `aws-local-stepfunctions` run.
 *
 * Shape of a compiled machine (see docs/engine.md for an example):
 * - the DAG is cut into layers (a step's layer = 1 + the deepest layer of its dependencies); a layer
 *   of one step is that step's states, a layer of several is a `Parallel` state with one branch per
 *   step (the fan-out) followed by a `Pass` join merging the branches' results (`States.JsonMerge`);
 * - a fan-out of at least `mapThreshold` steps with identical task definitions (same code, pool,
 *   dependencies, schemas, retry, timeouts; only the task id differs) in one layer becomes one inline
 *   `Map` state over `$.maps.<key>` (an item `{ taskId }` per step, `{ taskId, output }` once done),
 *   so the definition stays small for thousands of steps; the other steps of that layer run beside it
 *   in a `Parallel`;
 * - before every layer (every step boundary) a switch point: a `dynamodb:getItem` task reads the
 *   execution's current variant decision and a `Choice` ends the execution with
 *   `Prescale.VariantSwitched` when it names another variant (reading errors are caught: the
 *   execution stays on its variant);
 * - every step starts with a `Choice` that skips it when the execution input already holds its result
 *   (the checkpoint), so a machine restarted with the finished outputs never re-runs them;
 * - a step on an EC2 pool is `sqs:sendMessage.waitForTaskToken` to the pool's queue with
 *   `HeartbeatSeconds` from the task's p95 runtime; a step on the Lambda burst tier is `lambda:invoke`;
 * - the task's retry policy becomes `Retry` (plus rules for capacity losses and for errors no retry
 *   fixes) and a `Catch` ends the execution naming the failed step;
 * - data: the execution document is `{ input, results: { <key>: { output } }, meta: { chainId, principal } }`;
 *   a root step gets `input`; a step whose input schema's properties are all required outputs of its
 *   parents gets exactly those (Parameters projection); any other step gets its parents' outputs,
 *   merged by the worker in dependency order (see stepInput).
 */
import type { TaskDefinition } from '../model/task.js';
import type { DagStep, ExecutableDag } from '../compose/types.js';
import type { AslCatcher, AslMachine, AslRetrier, AslState } from './asl.js';
import { CAPACITY_ERRORS, MAX_DEFINITION_BYTES, NON_RETRYABLE_ERRORS, STEP_ERRORS } from './errors.js';
import { STEP_MESSAGE_VERSION } from './message.js';
import { stateMachineName } from './names.js';
import { sha256Hex } from './sha256.js';
import { taskTypeOf } from '../model/task.js';
import { lambdaMemoryMiB, LAMBDA } from '../plan/burst.js';
import { routeKey } from '../model/route.js';

/** Where a pool's steps go: an EC2 pool's SQS queue, or the Lambda task runner of the burst tier. */
export type PoolTarget =
  | { readonly kind: 'sqs'; readonly queueUrl: string }
  | { readonly kind: 'lambda'; readonly functionArn: string };

/** Options of {@link compileVariant}. */
export interface CompileOptions {
  /** Target of every pool the variant uses, by pool id. */
  readonly pools: Readonly<Record<string, PoolTarget>>;
  /**
   * DynamoDB table holding the variant decisions: item `{ pk: <execution name>, variant: <name> }`.
   * The local engine answers the same getItem itself.
   * @default 'prescale-variant-decisions'
   */
  readonly decisionTable?: string;
  /** HeartbeatSeconds when a task has no p95 runtime. @default 60 */
  readonly defaultHeartbeatSec?: number;
  /**
   * Fewest steps with identical task definitions in one layer that compile to one `Map` state
   * instead of Parallel branches (our choice: Step Functions runs up to 40 inline Map iterations at
   * once, so smaller fan-outs gain nothing). @default {@link DEFAULT_MAP_THRESHOLD}
   */
  readonly mapThreshold?: number;
  /**
   * The Lambda burst tier for steps on EC2 pools (issue 19, item 5): a step whose class fits Lambda
   * gets a route Choice before its queue task, reading the class's route item
   * `{ pk: route#<poolId>#<taskType>, route, validUntil }` from the decision table; a `burst` route
   * still valid when the step's state is entered invokes the burst worker of the class's memory
   * instead of sending to the pool's queue. Absent: no route Choice (every step goes to its queue).
   */
  readonly burst?: BurstCompileOptions;
}

/** See {@link CompileOptions.burst}. */
export interface BurstCompileOptions {
  /** The burst worker function (name or ARN) of a class of `memoryMiB`. */
  readonly functionArnOf: (memoryMiB: number) => string;
  /**
   * The Lambda memory of a step class, MiB, or undefined when it may not burst.
   * @default core/plan/burst.ts `lambdaMemoryMiB` of the step's own task (p95 runtime, else its timeout, within 900 s)
   */
  readonly memoryMiBOf?: (poolId: string, taskType: string, task: TaskDefinition) => number | undefined;
}

/** The Lambda memory a step of `task` needs on the burst tier (core/plan/burst.ts sizing), or undefined when it does not fit. */
export function burstMemoryMiBOf(task: TaskDefinition): number | undefined {
  return lambdaMemoryMiB({ vcpu: task.resource_requirements.vcpu, memoryGiB: task.resource_requirements.memoryGiB, runtimeSec: task.runtime?.p50Sec ?? task.timeoutSec, maxRuntimeSec: task.runtime?.p95Sec ?? task.timeoutSec });
}

/** Default of {@link CompileOptions.mapThreshold}. */
export const DEFAULT_MAP_THRESHOLD = 40;

/** Where a task's result lives in the execution document and which states run it. */
export interface CompiledStep {
  readonly taskId: string;
  /** Key under `$.results`. */
  readonly resultKey: string;
  /** Name of its Task state. */
  readonly taskState: string;
  /** Layer index (0 = roots). */
  readonly layer: number;
  /** True when it runs in a Parallel branch (its Task state's output is then `{ output }`). */
  readonly inBranch: boolean;
  /**
   * When the step is an item of a Map state: the map's key under `$.maps` and the step's index in
   * its items (its Task state, shared by the map's items, then names the step in `$.item.taskId`).
   */
  readonly map?: { readonly key: string; readonly index: number };
  readonly poolId: string;
  readonly target: PoolTarget;
  readonly heartbeatSec: number;
  readonly timeoutSec: number;
  /**
   * The burst route of a step on an EC2 pool (CompileOptions.burst): its class's route key, the
   * Lambda memory, the burst worker and the Task state that invokes it when the route says `burst`.
   */
  readonly burst?: { readonly routeKey: string; readonly memoryMiB: number; readonly functionArn: string; readonly taskState: string };
}

/** A compiled variant. */
export interface CompiledMachine {
  readonly workflow: string;
  readonly variant: string;
  /** State machine name: stable for an unchanged definition. */
  readonly name: string;
  readonly definition: AslMachine;
  /** `JSON.stringify(definition)`. */
  readonly definitionJson: string;
  /** Steps by task id. */
  readonly steps: Readonly<Record<string, CompiledStep>>;
  /** Task ids per layer. */
  readonly layers: readonly (readonly string[])[];
  /** Names of the switch-point getItem states (the local engine answers them). */
  readonly decisionStates: readonly string[];
  /** Task ids without dependants: the execution's outputs. */
  readonly sinks: readonly string[];
  /** Map states by key under `$.maps`: their items' task ids in item order (empty: no Map state). */
  readonly maps: Readonly<Record<string, readonly string[]>>;
}

/** A compile error naming the variant and what is wrong. */
export class CompileError extends Error {
  override readonly name = 'CompileError';
}

/** Step Functions limits on state names (Amazon States Language: at most 80 Unicode characters). */
const MAX_STATE_NAME = 80;

/** Default DynamoDB table of variant decisions. */
export const DEFAULT_DECISION_TABLE = 'prescale-variant-decisions';

/** Name of the terminal state of a switch (Fail with {@link STEP_ERRORS.variantSwitched}). */
export const SWITCHED_STATE = 'Variant switched';

/**
 * HeartbeatSeconds of a task: a quarter of its p95 runtime, at least 10 s and at most 300 s
 * (`defaultSec` without runtime statistics), and below its TimeoutSeconds. A worker heartbeats every
 * third of it, so a dead worker's step is retried after at most ~25% of a p95 run; the 10 s floor keeps
 * heartbeat calls few (our choice; Step Functions only requires HeartbeatSeconds < TimeoutSeconds).
 */
export function heartbeatSecOf(task: Pick<TaskDefinition, 'runtime' | 'timeoutSec'>, defaultSec = 60): number {
  const p95 = task.runtime?.p95Sec;
  const raw = p95 !== undefined && p95 > 0 ? Math.ceil(p95 / 4) : defaultSec;
  const hb = Math.min(300, Math.max(10, raw));
  const timeout = timeoutSecOf(task);
  return Math.max(1, Math.min(hb, timeout - 1));
}

/** TimeoutSeconds of a task: its `timeoutSec` rounded up, at least 2 (so a heartbeat fits below it). */
export function timeoutSecOf(task: Pick<TaskDefinition, 'timeoutSec'>): number {
  return Math.max(2, Math.ceil(task.timeoutSec));
}

/** The key of a task's result under `$.results`: the id itself when it is a plain identifier. */
export function resultKeyOf(taskId: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]{0,59}$/.test(taskId)) return taskId;
  return `t_${sha256Hex(taskId).slice(0, 12)}_${taskId.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}`;
}

function stateName(prefix: string, taskId: string): string {
  const n = `${prefix} ${taskId}`;
  return n.length <= MAX_STATE_NAME ? n : `${prefix} ${taskId.slice(0, MAX_STATE_NAME - prefix.length - 14)}~${sha256Hex(taskId).slice(0, 12)}`;
}

/** Layers of a DAG: a step's layer is 1 + the deepest layer of its dependencies (roots: 0). */
export function layersOf(dag: ExecutableDag): string[][] {
  const level = new Map<string, number>();
  const layers: string[][] = [];
  for (const s of dag.steps) {
    const l = s.dependencies.length === 0 ? 0 : 1 + Math.max(...s.dependencies.map((d) => level.get(d) ?? 0));
    level.set(s.taskId, l);
    (layers[l] ??= []).push(s.taskId);
  }
  return layers;
}

function retriesOf(task: TaskDefinition): AslRetrier[] {
  const p = task.retry;
  return [
    { ErrorEquals: [...NON_RETRYABLE_ERRORS], MaxAttempts: 0 },
    { ErrorEquals: [...CAPACITY_ERRORS], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: Math.max(2, p.maxAttempts) },
    {
      ErrorEquals: ['States.ALL'],
      // ASL: IntervalSeconds is a positive integer (Step Functions and moto reject 0).
      IntervalSeconds: Math.max(1, Math.ceil(p.intervalSec)),
      BackoffRate: p.backoffRate,
      MaxAttempts: p.maxAttempts,
      ...(p.jitter === 'full' ? { JitterStrategy: 'FULL' as const } : {}),
    },
  ];
}

function requiredProps(schema: Readonly<Record<string, unknown>>): string[] | undefined {
  const req = schema.required;
  return Array.isArray(req) && req.every((r) => typeof r === 'string') ? (req as string[]) : undefined;
}

function declaredProps(schema: Readonly<Record<string, unknown>>): string[] | undefined {
  const p = schema.properties;
  return p && typeof p === 'object' && !Array.isArray(p) ? Object.keys(p) : undefined;
}

/**
 * Checks the data between steps against the schemas and decides how a step's input is built: for a
 * non-root step whose input schema declares properties, each property must be a required output of
 * some parent (the last parent in dependency order wins, as in the merge); then the machine projects
 * exactly those (returned map property → parent). A required input property that no parent's output
 * schema declares (when all parents declare their outputs) is a compile error.
 * @returns the projection, or undefined when the worker merges the parents' outputs
 * @throws CompileError when a required input property cannot come from any parent
 */
export function inputProjection(step: DagStep, byId: ReadonlyMap<string, DagStep>): Record<string, string> | undefined {
  if (step.dependencies.length === 0) return undefined;
  const parents = step.dependencies.map((d) => byId.get(d)!);
  const outDeclared = parents.map((p) => declaredProps(p.task.output_schema));
  const required = requiredProps(step.task.input_schema) ?? [];
  if (outDeclared.every((o) => o !== undefined)) {
    const all = new Set(outDeclared.flatMap((o) => o!));
    const missing = required.filter((r) => !all.has(r));
    if (missing.length > 0) {
      throw new CompileError(`step ${step.taskId}: input_schema requires ${missing.join(', ')}, which no parent's output_schema (${step.dependencies.join(', ')}) declares`);
    }
  }
  const wanted = declaredProps(step.task.input_schema);
  if (!wanted || wanted.length === 0) return undefined;
  const projection: Record<string, string> = {};
  for (const prop of wanted) {
    let from: string | undefined;
    for (const p of parents) if ((requiredProps(p.task.output_schema) ?? []).includes(prop)) from = p.taskId;
    if (from === undefined) return undefined;
    projection[prop] = from;
  }
  return projection;
}

/** JSONPath of a result key (keys are identifiers, see {@link resultKeyOf}). */
const resultPath = (key: string): string => `$.results.${key}`;

/** Key of a succeeded map machine's output holding `$.maps` (no result key starts with `#`). */
export const MAPS_OUTPUT_KEY = '#maps';

/** What must be equal for steps of one layer to run as items of one Map state. */
function mapSignature(s: DagStep, heartbeatSec: number, target: PoolTarget, burst: boolean): string {
  const t = s.task;
  return JSON.stringify([s.poolId, target, s.dependencies, t.executable_code_location, t.prepare ?? null, t.critical ?? false, t.input_schema, t.output_schema, t.retry, timeoutSecOf(t), heartbeatSec, ...(burst ? [t.task_type ?? null, t.resource_requirements, t.runtime?.p50Sec ?? null, t.runtime?.p95Sec ?? null] : [])]);
}

/** One unit of a layer: a step, or a Map over steps with identical definitions. */
type LayerUnit = { readonly kind: 'step'; readonly id: string } | { readonly kind: 'map'; readonly key: string; readonly ids: readonly string[] };

/**
 * Compiles `dag` to a state machine.
 * @throws CompileError when a pool has no target, the schemas between steps do not fit, or the
 *   definition exceeds Step Functions' 1 MiB limit
 */
export function compileVariant(dag: ExecutableDag, options: CompileOptions): CompiledMachine {
  const byId = new Map(dag.steps.map((s) => [s.taskId, s]));
  const layers = layersOf(dag);
  const table = options.decisionTable ?? DEFAULT_DECISION_TABLE;
  const steps: Record<string, CompiledStep> = {};
  const where = `variant ${dag.workflow}/${dag.variant}`;
  const threshold = options.mapThreshold ?? DEFAULT_MAP_THRESHOLD;
  if (!(threshold >= 2)) throw new CompileError(`${where}: mapThreshold must be at least 2, got ${threshold}`);
  const layerUnits: LayerUnit[][] = [];
  const maps: Record<string, string[]> = {};
  for (const [l, ids] of layers.entries()) {
    const bySig = new Map<string, string[]>();
    const heartbeat = new Map<string, number>();
    for (const taskId of ids) {
      const s = byId.get(taskId)!;
      const target = options.pools[s.poolId];
      if (!target) throw new CompileError(`${where}: step ${taskId} runs on pool ${s.poolId}, which has no queue or Lambda target (known: ${Object.keys(options.pools).join(', ') || 'none'})`);
      const hb = heartbeatSecOf(s.task, options.defaultHeartbeatSec ?? 60);
      heartbeat.set(taskId, hb);
      const sig = mapSignature(s, hb, target, !!options.burst && target.kind === 'sqs');
      bySig.set(sig, [...(bySig.get(sig) ?? []), taskId]);
    }
    const units: LayerUnit[] = [];
    const mapped = new Map<string, { key: string; index: number }>();
    for (const group of bySig.values()) {
      if (group.length < threshold) continue;
      const key = `M${l}_${Object.keys(maps).filter((k) => k.startsWith(`M${l}_`)).length}`;
      maps[key] = group;
      group.forEach((id, index) => mapped.set(id, { key, index }));
    }
    const seen = new Set<string>();
    for (const taskId of ids) {
      const m = mapped.get(taskId);
      if (!m) units.push({ kind: 'step', id: taskId });
      else if (!seen.has(m.key)) {
        seen.add(m.key);
        units.push({ kind: 'map', key: m.key, ids: maps[m.key] });
      }
    }
    layerUnits.push(units);
    for (const taskId of ids) {
      const s = byId.get(taskId)!;
      const target = options.pools[s.poolId]!;
      const m = mapped.get(taskId);
      const taskType = taskTypeOf(s.task);
      const burstMiB = options.burst && target.kind === 'sqs' ? (options.burst.memoryMiBOf ?? ((_p, _t, task) => burstMemoryMiBOf(task)))(s.poolId, taskType, s.task) : undefined;
      steps[taskId] = {
        taskId,
        resultKey: resultKeyOf(taskId),
        taskState: m ? `Run map ${m.key}` : stateName('Run', taskId),
        layer: l,
        inBranch: !m && units.length > 1,
        ...(m ? { map: m } : {}),
        poolId: s.poolId,
        target,
        heartbeatSec: heartbeat.get(taskId)!,
        timeoutSec: target.kind === 'lambda' ? Math.min(900, timeoutSecOf(s.task)) : timeoutSecOf(s.task),
        ...(burstMiB !== undefined && options.burst
          ? { burst: { routeKey: routeKey(s.poolId, taskType), memoryMiB: burstMiB, functionArn: options.burst.functionArnOf(burstMiB), taskState: m ? `Burst map ${m.key}` : stateName('Burst', taskId) } }
          : {}),
      };
    }
  }
  const hasMaps = Object.keys(maps).length > 0;
  /** JSONPath of a step's `{ output }` record in the execution document. */
  const recordPath = (c: CompiledStep): string => (c.map ? `$.maps.${c.map.key}[${c.map.index}]` : resultPath(c.resultKey));
  const keys = new Set<string>();
  for (const c of Object.values(steps)) {
    if (keys.has(c.resultKey)) throw new CompileError(`${where}: two task ids map to result key ${c.resultKey}`);
    keys.add(c.resultKey);
  }

  const message = (s: DagStep, c: CompiledStep): Record<string, unknown> => {
    const body: Record<string, unknown> = {
      v: STEP_MESSAGE_VERSION,
      kind: 'run',
      workflow: dag.workflow,
      variant: dag.variant,
      taskId: s.taskId,
      poolId: s.poolId,
      'chainId.$': '$.meta.chainId',
      'principal.$': '$.meta.principal',
      'executionName.$': '$$.Execution.Name',
      heartbeatSec: c.heartbeatSec,
      timeoutSec: c.timeoutSec,
    };
    if (c.target.kind === 'sqs') body['taskToken.$'] = '$$.Task.Token';
    const projection = inputProjection(s, byId);
    if (s.dependencies.length === 0) body['input.$'] = '$.input';
    else if (projection) body.input = Object.fromEntries(Object.entries(projection).map(([prop, from]) => [`${prop}.$`, `${recordPath(steps[from])}.output.${prop}`]));
    else body.parents = Object.fromEntries(s.dependencies.map((d) => [`${d}.$`, `${recordPath(steps[d])}.output`]));
    if (c.map) {
      // One Task state for all the map's items: the item names the step.
      delete body.taskId;
      body['taskId.$'] = '$.item.taskId';
    }
    return body;
  };

  const failState = (taskId: string): AslState => ({ Type: 'Fail', Error: STEP_ERRORS.stepFailed, Cause: `step ${taskId} failed on its last attempt (see its task's failure in the execution history)` });

  /** The skip-choice, task and failure states of one step; `next` undefined = End (in a branch). */
  const stepStates = (taskId: string, next: string | undefined): Record<string, AslState> => {
    const s = byId.get(taskId)!;
    const c = steps[taskId];
    const skip = stateName('Skip?', taskId);
    const failed = stateName('Failed', taskId);
    const done = stateName('Done', taskId);
    const catchers: AslCatcher[] = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }];
    const common = {
      ResultPath: resultPath(c.resultKey),
      TimeoutSeconds: c.timeoutSec,
      Retry: retriesOf(s.task),
      Catch: catchers,
      ...(next ? { Next: next } : { OutputPath: resultPath(c.resultKey), End: true as const }),
    };
    const task: AslState = taskStateOf(s, c, common);
    const route = c.burst ? routeStates(s, c, common, { S: c.burst.routeKey }) : undefined;
    const states: Record<string, AslState> = {
      [skip]: {
        Type: 'Choice',
        Comment: `checkpoint: skip ${taskId} when its result is in the execution input`,
        Choices: [{ Variable: resultPath(c.resultKey), IsPresent: true, Next: next ?? done }],
        Default: route?.start ?? c.taskState,
      },
      ...route?.states,
      [c.taskState]: task,
      [failed]: failState(taskId),
    };
    if (!next) states[done] = { Type: 'Pass', OutputPath: resultPath(c.resultKey), End: true };
    return states;
  };

  /**
   * The route states of a step with a burst route (CompileOptions.burst): a Pass taking the time the
   * step is reached, a `dynamodb:getItem` of the class's route item (a failed read goes to the queue),
   * a Choice sending the step to the burst worker while a `burst` route is valid, and that Lambda task
   * (the same message as the queue's, without a task token; TimeoutSeconds within Lambda's 900 s).
   */
  function routeStates(s: DagStep, c: CompiledStep, common: Record<string, unknown>, key: Record<string, string>): { start: string; states: Record<string, AslState> } {
    const b = c.burst!;
    const id = c.map ? `map ${c.map.key}` : s.taskId;
    const clock = c.map ? `Route clock map ${c.map.key}` : stateName('Route clock', s.taskId);
    const read = c.map ? `Read route map ${c.map.key}` : stateName('Read route', s.taskId);
    const choose = c.map ? `Route? map ${c.map.key}` : stateName('Route?', s.taskId);
    const lambdaStep: CompiledStep = { ...c, target: { kind: 'lambda', functionArn: b.functionArn }, timeoutSec: Math.min(LAMBDA.maxTimeoutSec, c.timeoutSec) };
    return {
      start: clock,
      states: {
        [clock]: { Type: 'Pass', Comment: `burst route of ${id}: the time its state is entered`, Parameters: { 'now.$': '$$.State.EnteredTime' }, ResultPath: '$.routeAt', Next: read },
        [read]: {
          Type: 'Task',
          Comment: `burst route of ${id}: its step class's route item (planner output, valid until validUntil)`,
          Resource: 'arn:aws:states:::dynamodb:getItem',
          Parameters: { TableName: table, Key: { pk: key } },
          ResultPath: '$.route',
          TimeoutSeconds: 30,
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.route', Next: c.taskState }],
          Next: choose,
        },
        [choose]: {
          Type: 'Choice',
          Comment: `${id}: the Lambda burst tier while its class's route is burst, else the pool's queue`,
          Choices: [{
            And: [
              { Variable: '$.route.Item.route.S', IsPresent: true },
              { Variable: '$.route.Item.route.S', StringEquals: 'burst' },
              { Variable: '$.route.Item.validUntil.S', IsPresent: true },
              { Variable: '$.routeAt.now', TimestampLessThanPath: '$.route.Item.validUntil.S' },
            ],
            Next: b.taskState,
          }],
          Default: c.taskState,
        },
        [b.taskState]: { ...taskStateOf(s, lambdaStep, { ...common, TimeoutSeconds: lambdaStep.timeoutSec }), Comment: `${c.map ? `the items of map ${c.map.key}` : s.taskId} on the Lambda burst tier (${b.memoryMiB} MB, routed from pool ${s.poolId})` },
      },
    };
  }

  /** The Task state of a step (for a map, of all its items) with the rest of its fields in `common`. */
  function taskStateOf(s: DagStep, c: CompiledStep, common: Record<string, unknown>): AslState {
    const taskId = c.map ? `the items of map ${c.map.key}` : s.taskId;
    return c.target.kind === 'sqs'
      ? {
          Type: 'Task',
          Comment: `${taskId} on pool ${s.poolId} (EC2 queue)`,
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: c.target.queueUrl, MessageBody: message(s, c) },
          HeartbeatSeconds: c.heartbeatSec,
          ResultSelector: { 'output.$': '$' },
          ...common,
        }
      : {
          Type: 'Task',
          Comment: `${taskId} on pool ${s.poolId} (Lambda burst tier)`,
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: c.target.functionArn, Payload: message(s, c) },
          ResultSelector: { 'output.$': '$.Payload' },
          ...common,
        };
  }

  /**
   * The Map state of `key`: each item `{ taskId, output? }` skips when it has an output (checkpoint),
   * else runs the shared Task state and emits `{ taskId, output }`; the items become the results.
   * `next` undefined = End (in a Parallel branch, whose output is then the items).
   */
  const mapState = (key: string, ids: readonly string[], next: string | undefined): AslState => {
    const first = steps[ids[0]];
    const s = byId.get(ids[0])!;
    const skip = `Skip? map ${key}`;
    const emit = `Emit map ${key}`;
    const done = `Done map ${key}`;
    const failed = `Failed map ${key}`;
    const runCommon = {
      ResultPath: '$.result',
      TimeoutSeconds: first.timeoutSec,
      Retry: retriesOf(s.task),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed }],
      Next: emit,
    };
    const run = taskStateOf(s, first, runCommon);
    // items of one map share resources; without a task_type each item is its own class (task type = task id)
    const route = first.burst ? routeStates(s, first, runCommon, s.task.task_type !== undefined ? { S: first.burst.routeKey } : { 'S.$': `States.Format('${routeKey(s.poolId, '{}')}', $.item.taskId)` }) : undefined;
    return {
      Type: 'Map',
      Comment: `fan-out of ${ids.length} steps with one task definition (${ids[0]} … ${ids[ids.length - 1]}) on pool ${s.poolId}`,
      ItemsPath: `$.maps.${key}`,
      ItemSelector: { 'item.$': '$$.Map.Item.Value', 'input.$': '$.input', 'meta.$': '$.meta', 'results.$': '$.results', 'maps.$': '$.maps' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: skip,
        States: {
          [skip]: { Type: 'Choice', Comment: 'checkpoint: skip an item that already has its output', Choices: [{ Variable: '$.item.output', IsPresent: true, Next: done }], Default: route?.start ?? first.taskState },
          ...route?.states,
          [first.taskState]: run,
          [emit]: { Type: 'Pass', Parameters: { 'taskId.$': '$.item.taskId', 'output.$': '$.result.output' }, End: true },
          [done]: { Type: 'Pass', OutputPath: '$.item', End: true },
          [failed]: { Type: 'Fail', Error: STEP_ERRORS.stepFailed, Cause: `a step of map ${key} failed on its last attempt (see its task's failure in the execution history)` },
        },
      },
      ResultPath: `$.maps.${key}`,
      ...(next ? { Next: next } : { OutputPath: `$.maps.${key}`, End: true as const }),
    };
  };

  const states: Record<string, AslState> = {};
  const decisionStates: string[] = [];
  const boundary = (l: number): string => `Read variant decision L${l}`;
  for (const [l, ids] of layers.entries()) {
    const units = layerUnits[l];
    const read = boundary(l);
    const sw = `Switch point L${l}`;
    const after = l + 1 < layers.length ? boundary(l + 1) : hasMaps ? 'Collect maps' : 'Succeeded';
    const only = units.length === 1 ? units[0] : undefined;
    const layerStart = only?.kind === 'step' ? stateName('Skip?', only.id) : only?.kind === 'map' ? `Map ${only.key}` : `Fan-out L${l}`;
    decisionStates.push(read);
    states[read] = {
      Type: 'Task',
      Comment: `step boundary ${l}: the execution's current variant decision`,
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: table, Key: { pk: { 'S.$': '$$.Execution.Name' } } },
      ResultPath: '$.decision',
      TimeoutSeconds: 30,
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.decision', Next: sw }],
      Next: sw,
    };
    states[sw] = {
      Type: 'Choice',
      Choices: [{
        And: [{ Variable: '$.decision.Item.variant.S', IsPresent: true }, { Not: { Variable: '$.decision.Item.variant.S', StringEquals: dag.variant } }],
        Next: SWITCHED_STATE,
      }],
      Default: layerStart,
    };
    if (only?.kind === 'step') {
      Object.assign(states, stepStates(only.id, after));
    } else if (only?.kind === 'map') {
      states[layerStart] = mapState(only.key, only.ids, after);
    } else {
      const join = `Join L${l}`;
      const layerMaps = units.some((u) => u.kind === 'map');
      const stepSelector = Object.fromEntries(units.flatMap((u, i) => (u.kind === 'step' ? [[`${steps[u.id].resultKey}.$`, `$[${i}]`]] : [])));
      states[layerStart] = {
        Type: 'Parallel',
        Comment: `fan-out of ${ids.length} steps`,
        Branches: units.map((u) => (u.kind === 'step'
          ? { StartAt: stateName('Skip?', u.id), States: stepStates(u.id, undefined) }
          : { StartAt: `Map ${u.key}`, States: { [`Map ${u.key}`]: mapState(u.key, u.ids, undefined) } })),
        ResultSelector: layerMaps
          ? { results: stepSelector, maps: Object.fromEntries(units.flatMap((u, i) => (u.kind === 'map' ? [[`${u.key}.$`, `$[${i}]`]] : []))) }
          : stepSelector,
        ResultPath: '$.layer',
        Next: join,
      };
      states[join] = {
        Type: 'Pass',
        Comment: `join of layer ${l}`,
        Parameters: {
          'input.$': '$.input',
          'meta.$': '$.meta',
          'results.$': layerMaps ? 'States.JsonMerge($.results, $.layer.results, false)' : 'States.JsonMerge($.results, $.layer, false)',
          ...(layerMaps ? { 'maps.$': 'States.JsonMerge($.maps, $.layer.maps, false)' } : hasMaps ? { 'maps.$': '$.maps' } : {}),
        },
        Next: after,
      };
    }
  }
  if (hasMaps) {
    // The output is `$.results` (as without maps) plus the maps' items under MAPS_OUTPUT_KEY.
    states['Collect maps'] = { Type: 'Pass', Parameters: { 'results.$': '$.results', wrapped: { [`${MAPS_OUTPUT_KEY}.$`]: '$.maps' } }, Next: 'Succeeded' };
    states.Succeeded = { Type: 'Pass', Parameters: { 'out.$': 'States.JsonMerge($.results, $.wrapped, false)' }, OutputPath: '$.out', End: true };
  }
  states[SWITCHED_STATE] = { Type: 'Fail', Error: STEP_ERRORS.variantSwitched, Cause: `the execution's variant decision names another variant than ${dag.variant}; restart that variant's machine with the finished results as checkpoint` };
  // A Pass ending the execution rather than a Succeed with OutputPath: the same output, and cfn-lint's
  // Step Functions schema (E3601) rejects OutputPath on Succeed states.
  states.Succeeded ??= { Type: 'Pass', OutputPath: '$.results', End: true };

  const definition: AslMachine = { Comment: `prescale ${dag.workflow}/${dag.variant}: ${dag.steps.length} steps in ${layers.length} layers`, StartAt: boundary(0), States: states };
  const definitionJson = JSON.stringify(definition);
  const bytes = new TextEncoder().encode(definitionJson).length;
  if (bytes > MAX_DEFINITION_BYTES) throw new CompileError(`${where}: the state machine is ${bytes} bytes, over Step Functions' ${MAX_DEFINITION_BYTES}-byte definition limit (${dag.steps.length} steps)`);
  return {
    workflow: dag.workflow,
    variant: dag.variant,
    name: stateMachineName(dag.workflow, dag.variant, definitionJson),
    definition,
    definitionJson,
    steps,
    layers,
    decisionStates,
    sinks: dag.steps.filter((s) => s.dependants.length === 0).map((s) => s.taskId),
    maps,
  };
}
