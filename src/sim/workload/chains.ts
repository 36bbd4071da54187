/**
 * Instantiates chains from workflow variants: one SimTask per task definition, with a runtime drawn
 * from the task's observed samples (or its mean), the same for every policy because the draw uses a
 * stream forked from the scenario seed and the chain id.
 */
import { poolOf, taskTypeOf, type Random, type Workflow } from '../../core/model/index.js';
import type { ChainArrival, SimChain, SimTask } from './types.js';

/** Runtime used when a task has no runtime statistics, seconds. */
export const DEFAULT_TASK_RUNTIME_SEC = 60;

/**
 * Builds the chain for `arrival`.
 * @throws Error when the workflow or variant is unknown (scenario validation prevents this)
 */
export function instantiateChain(arrival: ChainArrival, workflows: ReadonlyMap<string, Workflow>, random: Random): SimChain {
  const wf = workflows.get(arrival.workflow);
  if (!wf) throw new Error(`unknown workflow ${arrival.workflow}`);
  const variant = arrival.variant ? wf.variants.find((v) => v.name === arrival.variant) : wf.variants[0];
  if (!variant) throw new Error(`unknown variant ${arrival.variant} of ${arrival.workflow}`);
  const rng = random.fork(`chain:${arrival.chainId}`);
  const byId = new Map<string, SimTask>();
  const tasks: SimTask[] = [];
  for (const def of variant.tasks) {
    const samples = def.runtime?.samplesSec ?? [];
    const u = rng.next();
    const base = samples.length > 0 ? samples[Math.floor(u * samples.length)] : (def.runtime?.meanSec ?? DEFAULT_TASK_RUNTIME_SEC);
    const runtimeSec = Math.max(1, Math.round(base));
    const task: SimTask = {
      key: `${arrival.chainId}/${def.task_id}`,
      chainId: arrival.chainId,
      def,
      taskType: taskTypeOf(def),
      poolId: poolOf(variant, def.task_id),
      vcpu: def.resource_requirements.vcpu,
      memoryGiB: def.resource_requirements.memoryGiB,
      runtimeSec,
      setupSec: Math.round(runtimeSec * def.setupShare),
      status: 'blocked',
      pendingParents: def.dependencies.length,
      children: [],
      attempt: 0,
    };
    byId.set(def.task_id, task);
    tasks.push(task);
  }
  for (const t of tasks) for (const dep of t.def.dependencies) byId.get(dep)?.children.push(t);
  return { id: arrival.chainId, workflow: wf.name, variant: variant.name, principal: arrival.principal, arrivalSec: arrival.atSec, tasks, doneTasks: 0 };
}
