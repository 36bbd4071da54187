/**
 * The message a compiled machine sends to a pool's queue for one step (the `MessageBody` of the
 * `sqs:sendMessage.waitForTaskToken` task; the Lambda task runner gets the same document without the
 * token). Workers parse it with {@link StepMessageSchema} (strict: unknown keys are rejected).
 */
import { z } from 'zod';

/** Version of the message layout; bump on incompatible changes. */
export const STEP_MESSAGE_VERSION = 1;

/** An identifier field of a pool message (1 to 1,024 characters). */
export const messageId = z.string().min(1).max(1024);

/**
 * The envelope every message to a pool's worker carries (the step `run` message and the `prepare`
 * message of prepare-message.ts): which step of which chain and engine execution, on which pool.
 * Spread into a strict object after `v` and `kind`.
 */
export const STEP_ENVELOPE = {
  workflow: messageId,
  variant: messageId,
  taskId: messageId,
  poolId: messageId,
  /** The chain the execution belongs to (from the execution input's `meta.chainId`). */
  chainId: messageId,
  /** Step Functions execution name (`$$.Execution.Name`): the execution id of prescale's records. */
  executionName: messageId,
  /**
   * The principal the chain runs for (the execution input's `meta.principal`; `''` for none), written
   * into the step's execution events so the tick assigns A/B arms by principal (issue 22). Absent in
   * messages of machines compiled before it and in prepare messages.
   */
  principal: z.string().max(1024).optional(),
} as const;

/** A step message as a worker receives it. */
export const StepMessageSchema = z.strictObject({
  v: z.literal(STEP_MESSAGE_VERSION),
  kind: z.literal('run'),
  ...STEP_ENVELOPE,
  /** Seconds within which the worker must heartbeat (the task state's HeartbeatSeconds). */
  heartbeatSec: z.number().int().positive().max(86_400),
  /** Seconds the step may run (the task state's TimeoutSeconds). */
  timeoutSec: z.number().int().positive().max(31_536_000),
  /** The task token (`$$.Task.Token`); absent for Lambda invokes. */
  taskToken: z.string().min(1).max(4096).optional(),
  /** The step's input, when the machine builds it (roots, and steps whose input schema it projects). */
  input: z.unknown().optional(),
  /** Parent outputs by task id, when the worker merges them (in the task's dependency order). */
  parents: z.record(z.string(), z.unknown()).optional(),
});
/** A parsed step message. */
export type StepMessage = z.infer<typeof StepMessageSchema>;

/**
 * The input document of a step: `input` when the machine built it, else the parents' outputs merged
 * in `dependencies` order (a later parent's field wins), as the in-process runner did.
 */
export function stepInput(msg: Pick<StepMessage, 'input' | 'parents'>, dependencies: readonly string[]): unknown {
  if (msg.parents === undefined) return msg.input ?? {};
  const merged: Record<string, unknown> = {};
  for (const d of dependencies) {
    const out = msg.parents[d];
    if (out && typeof out === 'object' && !Array.isArray(out)) {
      for (const [k, v] of Object.entries(out as Record<string, unknown>)) {
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
        merged[k] = v;
      }
    }
  }
  return merged;
}
