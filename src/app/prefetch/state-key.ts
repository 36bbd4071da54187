/**
 * Versioned cache keys of prepared state: the key holds a hash of everything the preparation saw
 * (the task's code locations and input schema, and the input document), so state prepared from other
 * inputs is never found under the live step's key and can never be resumed.
 */
import { createHash } from 'node:crypto';
import type { TaskDefinition } from '../../core/model/task.js';

/** Key format version; bump when the prepared-state format changes (old keys then never match). */
export const STATE_KEY_VERSION = 'v1';

/** JSON with object keys sorted at every level (so equal documents hash equally). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** First 16 hex digits of SHA-256 over the inputs a preparation of `task` on `input` sees. */
export function inputsHash(task: TaskDefinition, input: unknown): string {
  const seen = { code: task.executable_code_location, prepare: task.prepare ?? null, schema: task.input_schema, input: input ?? null };
  return createHash('sha256').update(canonicalJson(seen)).digest('hex').slice(0, 16);
}

/** `prep:<version>:<chainId>:<taskId>:<inputsHash>` */
export function preparedStateKey(chainId: string, task: TaskDefinition, input: unknown): string {
  return `prep:${STATE_KEY_VERSION}:${chainId}:${task.task_id}:${inputsHash(task, input)}`;
}
