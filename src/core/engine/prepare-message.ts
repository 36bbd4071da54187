/**
 * The `prepare` message: how a tick's pre-execute command reaches the pool that will run the step (the
 * pool's SQS queue, or an asynchronous invoke of the Lambda task runner). It names the step and the
 * engine execution it belongs to, not the step's input: a predicted step's input is made of its
 * dependencies' outputs, which the controller does not hold. The worker resolves it when it runs the
 * preparation, from the execution's own record (its start document and the state exits of its
 * finished steps, as `checkpointFromHistory` reads them), with {@link preparedStepInput}, which builds
 * the document exactly as the compiled machine builds the step's input when the step really runs
 * (so the prepared-state key the worker computes then is the same).
 */
import { z } from 'zod';
import { checkpointFromHistory, type ExecutionDocument, type StateExit } from './checkpoint.js';
import { inputProjection, type CompiledMachine } from './compile.js';
import { messageId, STEP_ENVELOPE, stepInput } from './message.js';
import type { DagStep } from '../compose/types.js';

/** Version of the prepare message layout; bump on incompatible changes. */
export const PREPARE_MESSAGE_VERSION = 1;

/**
 * A prepare message as a worker receives it (strict: unknown keys are rejected): the step envelope of
 * message.ts (the execution named is the one the prepared-state key is scoped to) and what to prepare.
 */
export const PrepareMessageSchema = z.strictObject({
  v: z.literal(PREPARE_MESSAGE_VERSION),
  kind: z.literal('prepare'),
  /** The pre-execute command's id (idempotency: one preparation per id). */
  commandId: messageId,
  ...STEP_ENVELOPE,
  /** Its engine reference (a Step Functions execution ARN): where the worker reads the parents' outputs. */
  executionRef: messageId,
  /** How long the prepared state is kept in the cache, seconds. */
  ttlSec: z.number().int().positive().max(86_400),
  /** Epoch seconds after which the preparation is pointless (the command's time + its TTL): dropped unrun. */
  expiresAtSec: z.number().positive(),
});
/** A parsed prepare message. */
export type PrepareMessage = z.infer<typeof PrepareMessageSchema>;

/** True when `body` (a queue message body or an invoke payload) is a prepare message (not checked further). */
export function isPrepareMessage(body: unknown): boolean {
  let doc: unknown = body;
  if (typeof body === 'string') {
    if (!body.includes('"prepare"')) return false;
    try {
      doc = JSON.parse(body);
    } catch {
      return false;
    }
  }
  return typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === 'prepare';
}

/** Outcome of {@link preparedStepInput}. */
export type PreparedInput =
  | { readonly ready: true; readonly input: unknown }
  | { readonly ready: false; readonly missing: readonly string[] };

/**
 * The input the step `taskId` of `machine` will run with, from its execution's start document and the
 * state exits seen so far: the execution's `input` for a root step; for any other step, the same
 * document the compiled machine builds (the input schema's projection of the parents' outputs when
 * the compiler projects, else the parents' outputs merged in dependency order, see {@link stepInput}).
 * `ready: false` lists the dependencies that have not finished yet.
 * @throws Error when `taskId` is not a step of `machine`/`steps`
 */
export function preparedStepInput(
  machine: Pick<CompiledMachine, 'steps'>, steps: readonly DagStep[], taskId: string, start: ExecutionDocument, exits: readonly StateExit[],
): PreparedInput {
  const byId = new Map(steps.map((s) => [s.taskId, s]));
  const step = byId.get(taskId);
  if (!step || !machine.steps[taskId]) throw new Error(`step ${taskId} is not in the machine`);
  if (step.dependencies.length === 0) return { ready: true, input: start.input ?? {} };
  const outputs = checkpointFromHistory(machine, exits, start);
  const missing = step.dependencies.filter((d) => !(d in outputs));
  if (missing.length > 0) return { ready: false, missing };
  const projection = inputProjection(step, byId);
  if (projection) {
    return { ready: true, input: Object.fromEntries(Object.entries(projection).map(([prop, from]) => [prop, (outputs[from] as Record<string, unknown> | undefined)?.[prop]])) };
  }
  return { ready: true, input: stepInput({ parents: Object.fromEntries(step.dependencies.map((d) => [d, outputs[d]])) }, step.dependencies) };
}
