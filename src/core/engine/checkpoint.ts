/**
 * Checkpoints: the outputs of finished steps, carried into a (re)started machine so it skips them.
 * A hard variant switch stops an execution and starts the other variant's machine with the
 * checkpoint read from the stopped execution's history; a machine restarted after a crash gets the
 * same.
 */
import { MAPS_OUTPUT_KEY, type CompiledMachine } from './compile.js';

/** One item of a Map state in the execution document: the step, and its output once it has run. */
export interface MapItem {
  readonly taskId: string;
  readonly output?: unknown;
}

/** The document a compiled machine is started with. */
export interface ExecutionDocument {
  readonly input: unknown;
  /** Results of finished steps by result key: `{ output }`. */
  readonly results: Readonly<Record<string, { readonly output: unknown }>>;
  /**
   * The chain, and the principal it runs for (`''` for none). The compiled machine copies both into
   * every step message (`$.meta.chainId`, `$.meta.principal`, message.ts), so the execution events
   * the workers write name the principal and the tick assigns A/B arms by it (issue 22). The
   * principal is carried as its id, not a hash: it is the chain service's principal id (a config
   * name, never an IAM ARN or a token), already visible in the execution name and in the state
   * table's chain keys, and the arm must be `assignArm` of the same unit as in the backtest.
   */
  readonly meta: { readonly chainId: string; readonly principal: string };
  /** The items of the machine's Map states by key (present only when it has some). */
  readonly maps?: Readonly<Record<string, readonly MapItem[]>>;
}

/**
 * The start input of `machine` for a chain's execution: the user's input, the chain id, and the
 * outputs of finished steps (`checkpoint`, by task id) that this machine also has. Task ids of
 * `checkpoint` not in the machine are ignored (a switch to a variant without them).
 * @param principal the principal the chain runs for (`''`: none; the machine's step messages need the field)
 */
export function executionInput(machine: Pick<CompiledMachine, 'steps'> & { readonly maps?: CompiledMachine['maps'] }, chainId: string, input: unknown, checkpoint: Readonly<Record<string, unknown>> = {}, principal = ''): ExecutionDocument {
  const results: Record<string, { output: unknown }> = {};
  for (const [taskId, output] of Object.entries(checkpoint)) {
    const step = machine.steps[taskId];
    if (step && !step.map) results[step.resultKey] = { output };
  }
  const mapKeys = Object.keys(machine.maps ?? {});
  const meta = { chainId, principal };
  if (mapKeys.length === 0) return { input: input ?? {}, results, meta };
  const maps = Object.fromEntries(mapKeys.map((k) => [k, machine.maps![k].map((taskId): MapItem => (Object.hasOwn(checkpoint, taskId) ? { taskId, output: checkpoint[taskId] } : { taskId }))]));
  return { input: input ?? {}, results, meta, maps };
}

/** A state exit as engines report it (GetExecutionHistory `TaskStateExited`, aws-local-stepfunctions `StateExited`). */
export interface StateExit {
  readonly stateName: string;
  /** The state's output document (parsed JSON). */
  readonly output: unknown;
}

/**
 * The outputs of the steps a (stopped, failed or running) execution of `machine` finished, by task
 * id, from its state exits in history order. Steps skipped by a checkpoint are included too (their
 * results passed through), when `input` (the execution's start document) is given.
 */
export function checkpointFromHistory(machine: Pick<CompiledMachine, 'steps'>, exits: readonly StateExit[], input?: ExecutionDocument): Record<string, unknown> {
  // a step with a burst route runs in its queue task or its burst task: both give its checkpoint
  const byState = new Map(Object.values(machine.steps).filter((s) => !s.map).flatMap((s) => [[s.taskState, s] as const, ...(s.burst ? [[s.burst.taskState, s] as const] : [])]));
  const mapStates = new Set(Object.values(machine.steps).filter((s) => s.map).flatMap((s) => [s.taskState, ...(s.burst ? [s.burst.taskState] : [])]));
  const out: Record<string, unknown> = {};
  if (input) {
    for (const s of Object.values(machine.steps)) {
      const r = s.map ? input.maps?.[s.map.key]?.[s.map.index] : input.results[s.resultKey];
      if (r && 'output' in r) out[s.taskId] = r.output;
    }
  }
  for (const e of exits) {
    if (mapStates.has(e.stateName) && e.output && typeof e.output === 'object') {
      // A Map item's Task state: its input names the step ($.item.taskId), its result is $.result.
      const doc = e.output as { item?: { taskId?: unknown }; result?: { output?: unknown } };
      const id = doc.item?.taskId;
      if (typeof id === 'string' && machine.steps[id]?.map && doc.result && 'output' in doc.result) out[id] = doc.result.output;
      continue;
    }
    const step = byState.get(e.stateName);
    if (!step || !e.output || typeof e.output !== 'object') continue;
    const doc = e.output as { output?: unknown; results?: Record<string, { output?: unknown }> };
    const r = step.inBranch ? doc : doc.results?.[step.resultKey];
    if (r && typeof r === 'object' && 'output' in r) out[step.taskId] = r.output;
  }
  return out;
}

/** The outputs of `machine`'s sink steps from a succeeded execution's output (`$.results`). */
export function sinkOutputs(machine: Pick<CompiledMachine, 'steps' | 'sinks'>, executionOutput: unknown): Record<string, unknown> {
  const all = stepOutputs(machine, executionOutput);
  return Object.fromEntries(machine.sinks.map((t) => [t, all[t]]));
}

/**
 * Every step's output by task id from a succeeded execution's output (`$.results`, plus the Map
 * states' items under {@link MAPS_OUTPUT_KEY}); steps without an output are absent.
 */
export function stepOutputs(machine: Pick<CompiledMachine, 'steps'>, executionOutput: unknown): Record<string, unknown> {
  const results = (executionOutput ?? {}) as Record<string, { output?: unknown }>;
  const maps = (results[MAPS_OUTPUT_KEY] ?? {}) as Record<string, Array<{ output?: unknown } | undefined> | undefined>;
  const out: Record<string, unknown> = {};
  for (const s of Object.values(machine.steps)) {
    const r = s.map ? maps[s.map.key]?.[s.map.index] : results[s.resultKey];
    if (r && typeof r === 'object' && 'output' in r) out[s.taskId] = r.output;
  }
  return out;
}
