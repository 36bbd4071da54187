/**
 * Observed step runtimes per task type (issue 15): what the spend cap charges is estimated from the
 * durations steps really took on this service, not from what a caller declared. Each finished step
 * adds its duration to its task type's record (the newest {@link MAX_RUNTIME_SAMPLES} are kept);
 * a composition replaces every task's `runtime` with these statistics when any exist.
 */
import { taskTypeOf, type RuntimeStats, type TaskDefinition, type Workflow } from '../../core/model/index.js';
import { VersionConflictError, type StateStore } from '../../ports/index.js';
import { TABLES } from './records.js';

/** Newest durations kept per task type (enough for a stable p95: 5 samples above it). */
export const MAX_RUNTIME_SAMPLES = 100;

/** The stored history of one task type. */
export interface RuntimeHistory {
  /** Newest last, seconds. */
  readonly samplesSec: number[];
}

/** Mean, p50 and p95 (nearest rank) of samples; undefined for none. */
export function runtimeStats(samplesSec: readonly number[]): RuntimeStats | undefined {
  if (samplesSec.length === 0) return undefined;
  const sorted = [...samplesSec].sort((a, b) => a - b);
  const rank = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { meanSec: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50Sec: rank(0.5), p95Sec: rank(0.95), samplesSec: [] };
}

/** Store key of a task type's history. */
export const runtimeKey = (task: Pick<TaskDefinition, 'task_id' | 'task_type'>): string => taskTypeOf(task);

/** Adds one observed duration (conditional write, retried on a race). */
export async function recordRuntime(store: StateStore, task: Pick<TaskDefinition, 'task_id' | 'task_type'>, durationSec: number): Promise<void> {
  const key = runtimeKey(task);
  for (let i = 0; i < 20; i++) {
    const got = await store.get<RuntimeHistory>(TABLES.runtimes, key);
    const samplesSec = [...(got?.value.samplesSec ?? []), Math.max(0, durationSec)].slice(-MAX_RUNTIME_SAMPLES);
    try {
      await store.put<RuntimeHistory>(TABLES.runtimes, key, { samplesSec }, { ifVersion: got?.version ?? 0 });
      return;
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
    }
  }
}

/** The workflow with each task's `runtime` replaced by its task type's observed statistics, where there are any. */
export async function withObservedRuntimes(store: StateStore, workflow: Workflow): Promise<Workflow> {
  const keys = [...new Set(workflow.variants.flatMap((v) => v.tasks.map(runtimeKey)))];
  const stats = new Map<string, RuntimeStats>();
  for (const k of keys) {
    const s = runtimeStats((await store.get<RuntimeHistory>(TABLES.runtimes, k))?.value.samplesSec ?? []);
    if (s) stats.set(k, s);
  }
  if (stats.size === 0) return workflow;
  return {
    ...workflow,
    variants: workflow.variants.map((v) => ({ ...v, tasks: v.tasks.map((t) => (stats.has(runtimeKey(t)) ? { ...t, runtime: stats.get(runtimeKey(t)) } : t)) })),
  };
}

/**
 * A caller's declared runtime, bounded: the mean is raised to at least `minSec` and lowered to at most
 * `maxSec`; p95 is at least the mean. Used only for a task type with no history.
 */
export function boundedDeclaredRuntime(declared: { meanSec: number; p95Sec?: number }, minSec: number, maxSec: number): RuntimeStats {
  const meanSec = Math.min(Math.max(declared.meanSec, minSec), Math.max(minSec, maxSec));
  const p95Sec = Math.max(meanSec, Math.min(declared.p95Sec ?? meanSec, Math.max(minSec, maxSec)));
  return { meanSec, p50Sec: meanSec, p95Sec, samplesSec: [] };
}
