/**
 * The layout of prepared state in the {@link StateCache} and how a step resumes from it, shared by the
 * prefetch manager (which writes it) and `prescale worker` (which reads it on another machine).
 * Layout: 8 bytes (float64, little-endian) with the seconds the preparation took, then the state.
 */
import type { TaskDefinition } from '../../core/model/task.js';
import { CacheUnavailableError, type StateCache } from '../../ports/state-cache.js';
import { preparedStateKey } from './state-key.js';

/** Prepends the preparation's duration to `state`. */
export function wrapPreparedState(preparedSec: number, state: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeDoubleLE(Math.max(0, preparedSec));
  return Buffer.concat([head, state]);
}

/** Splits a cached value into the preparation's duration and the state. */
export function unwrapPreparedState(value: Buffer): { preparedSec: number; body: Buffer } {
  if (value.length < 8) return { preparedSec: 0, body: value };
  return { preparedSec: value.readDoubleLE(0), body: value.subarray(8) };
}

/** Outcome of {@link resumePreparedState}. */
export interface ResumeOutcome {
  readonly outcome: 'resumed' | 'not-prepared' | 'cache-unavailable' | 'none';
  readonly preparedState?: Buffer;
  /** Setup seconds skipped. */
  readonly savedSetupSec: number;
}

/**
 * The prepared state of `task` of `chainId` for exactly this `input` (the key hashes the input, so
 * state prepared from other inputs is never found), removed from the cache once read. Never throws
 * for an unreachable cache: the step then runs cold (`cache-unavailable`).
 */
export async function resumePreparedState(cache: StateCache | undefined, chainId: string, task: TaskDefinition, input: unknown): Promise<ResumeOutcome> {
  if (!cache || !task.prepare || task.critical) return { outcome: 'none', savedSetupSec: 0 };
  const key = preparedStateKey(chainId, task, input);
  let value: Buffer | undefined;
  try {
    value = await cache.get(key);
  } catch (e) {
    if (e instanceof CacheUnavailableError) return { outcome: 'cache-unavailable', savedSetupSec: 0 };
    throw e;
  }
  if (!value) return { outcome: 'not-prepared', savedSetupSec: 0 };
  await cache.delete(key).catch(() => undefined);
  const { preparedSec, body } = unwrapPreparedState(value);
  return { outcome: 'resumed', preparedState: body, savedSetupSec: preparedSec };
}
