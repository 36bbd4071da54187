/**
 * Assembly of a variant into an executable DAG (seed 003 component 3, step 4).
 */
import { poolOf, type Variant } from '../model/workflow.js';
import { topologicalOrder } from '../registry/graph.js';
import type { DagStep, ExecutableDag } from './types.js';

/**
 * Assembles `variant` of `workflow` into steps in topological order, each bound to its pool and
 * knowing its dependants.
 * @throws Error when the variant has a cycle (the registry rejects such variants on registration)
 */
export function assembleDag(workflow: string, variant: Variant): ExecutableDag {
  const topo = topologicalOrder(variant.tasks.map((t) => ({ id: t.task_id, dependencies: t.dependencies })));
  if ('cycle' in topo) throw new Error(`variant ${workflow}/${variant.name} has a cycle: ${topo.cycle.join(' -> ')}`);
  const byId = new Map(variant.tasks.map((t) => [t.task_id, t]));
  const dependants = new Map<string, string[]>(variant.tasks.map((t) => [t.task_id, []]));
  for (const t of variant.tasks) for (const d of t.dependencies) dependants.get(d)?.push(t.task_id);
  const steps: DagStep[] = topo.order.map((id) => {
    const task = byId.get(id)!;
    return { taskId: id, task, poolId: poolOf(variant, id), dependencies: [...task.dependencies], dependants: dependants.get(id) ?? [] };
  });
  return { workflow, variant: variant.name, steps, roots: steps.filter((s) => s.dependencies.length === 0).map((s) => s.taskId) };
}
