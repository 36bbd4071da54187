/**
 * Pools several traces of the same workflow (repeated runs, other input sizes) into one runtime
 * distribution per task type, which is what the simulator and planners sample from. Pure.
 */
import type { RuntimeStats } from '../model/task.js';
import { runtimeStats } from './runtime-stats.js';
import type { WorkflowTrace } from './wfformat.js';

/**
 * Runtime distribution per workflow and task type over every task of every trace (each task's
 * recorded runtime is one sample). Workflows and task types are keyed in sorted order.
 * @returns `{ [workflowName]: { [taskType]: RuntimeStats } }`
 */
export function pooledRuntimeByType(traces: readonly WorkflowTrace[]): Record<string, Record<string, RuntimeStats>> {
  const samples = new Map<string, Map<string, number[]>>();
  for (const t of traces) {
    const byType = samples.get(t.workflowName) ?? new Map<string, number[]>();
    samples.set(t.workflowName, byType);
    for (const e of t.executions) {
      const list = byType.get(e.taskType) ?? [];
      list.push(e.runtimeSec);
      byType.set(e.taskType, list);
    }
  }
  const out: Record<string, Record<string, RuntimeStats>> = {};
  for (const wf of [...samples.keys()].sort()) {
    const byType = samples.get(wf)!;
    const stats: Record<string, RuntimeStats> = {};
    for (const ty of [...byType.keys()].sort()) stats[ty] = runtimeStats(byType.get(ty)!);
    out[wf] = stats;
  }
  return out;
}
