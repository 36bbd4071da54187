/**
 * Validation of execution events arriving from outside (files, HTTP, queues), so that bad input is
 * rejected at the edge with an {@link InputError} naming the entry and field.
 */
import { z } from 'zod';
import type { ExecutionEvent } from '../model/events.js';
import { inputErrorFromZod } from '../model/errors.js';

/** Zod schema of {@link ExecutionEvent}. */
export const ExecutionEventSchema = z.object({
  chainId: z.string().min(1),
  workflow: z.string().min(1),
  variant: z.string().min(1).optional(),
  taskId: z.string().min(1),
  taskType: z.string().min(1),
  kind: z.enum(['submitted', 'started', 'progress', 'finished', 'failed']),
  atSec: z.number().finite(),
  intensity: z.number().min(0).max(1).optional(),
  principal: z.string().min(1).optional(),
  outputBytes: z.number().nonnegative().optional(),
  channel: z.string().min(1).optional(),
  vcpu: z.number().positive().optional(),
  memoryGiB: z.number().positive().optional(),
});

/**
 * Parses a batch of events; all or nothing.
 * @param source where they came from (named in errors, e.g. a file path)
 * @throws InputError naming `[index].field`, the value and what was expected
 */
export function parseExecutionEvents(raw: readonly unknown[], source?: string): ExecutionEvent[] {
  const r = z.array(ExecutionEventSchema).safeParse(raw);
  if (!r.success) throw inputErrorFromZod(r.error.issues, raw, source);
  return r.data;
}
