/**
 * Checkpoints: the outputs of finished steps, carried into a (re)started machine so it skips them.
 * A hard variant switch stops an execution and starts the other variant's machine with the
 * checkpoint read from the stopped execution's history; a machine restarted after a crash gets the
 * same.
 */
import type { CompiledMachine } from './compile.js';

/** The document a compiled machine is started with. */
export interface ExecutionDocument {
  readonly input: unknown;
  /** Results of finished steps by result key: `{ output }`. */
  readonly results: Readonly<Record<string, { readonly output: unknown }>>;
  readonly meta: { readonly chainId: string };
}

/**
 * The start input of `machine` for a chain's execution: the user's input, the chain id, and the
 * outputs of finished steps (`checkpoint`, by task id) that this machine also has. Task ids of
 * `checkpoint` not in the machine are ignored (a switch to a variant without them).
 */
export function executionInput(machine: Pick<CompiledMachine, 'steps'>, chainId: string, input: unknown, checkpoint: Readonly<Record<string, unknown>> = {}): ExecutionDocument {
  const results: Record<string, { output: unknown }> = {};
  for (const [taskId, output] of Object.entries(checkpoint)) {
    const step = machine.steps[taskId];
    if (step) results[step.resultKey] = { output };
  }
  return { input: input ?? {}, results, meta: { chainId } };
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
  const byState = new Map(Object.values(machine.steps).map((s) => [s.taskState, s]));
  const out: Record<string, unknown> = {};
  if (input) {
    for (const s of Object.values(machine.steps)) {
      const r = input.results[s.resultKey];
      if (r) out[s.taskId] = r.output;
    }
  }
  for (const e of exits) {
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
  const results = (executionOutput ?? {}) as Record<string, { output?: unknown }>;
  return Object.fromEntries(machine.sinks.map((t) => [t, results[machine.steps[t].resultKey]?.output]));
}
