/**
 * Instantiates chains from workflow variants: one SimTask per task definition, with a runtime drawn
 * from the task's observed samples (or its mean), the same for every policy because the draw uses a
 * stream forked from the scenario seed and the chain id.
 */
import { poolOf, taskTypeOf, type Random, type Variant, type Workflow } from '../../core/model/index.js';
import { stepKey } from '../../core/tick/chain-view.js';
import type { ChainArrival, SimChain, SimTask } from './types.js';

/** Runtime used when a task has no runtime statistics, seconds. */
export const DEFAULT_TASK_RUNTIME_SEC = 60;

/**
 * Builds the chain for `arrival`.
 * @throws Error when the workflow or variant is unknown (scenario validation prevents this)
 */
export function instantiateChain(arrival: ChainArrival, workflows: ReadonlyMap<string, Workflow>, random: Random, variantName?: string): SimChain {
  const wf = workflows.get(arrival.workflow);
  if (!wf) throw new Error(`unknown workflow ${arrival.workflow}`);
  const name = variantName ?? arrival.variant;
  const variant = name ? wf.variants.find((v) => v.name === name) : wf.variants[0];
  if (!variant) throw new Error(`unknown variant ${name} of ${arrival.workflow}`);
  const tasks = instantiateTasks(arrival.chainId, variant, variant.tasks.map((t) => t.task_id), random, '');
  for (const t of tasks) for (const dep of t.def.dependencies) tasks.find((x) => x.def.task_id === dep)?.children.push(t);
  return {
    id: arrival.chainId, workflow: wf.name, variant: variant.name, initialVariant: variant.name, principal: arrival.principal,
    arrivalSec: arrival.atSec, tasks, doneTasks: 0, costUsd: 0, switches: 0,
  };
}

/**
 * Builds the SimTasks of `taskIds` of `variant` (blocked, with `pendingParents` = all their
 * dependencies; the caller wires children and adjusts parents already done). Runtimes draw from
 * `random.fork("chain:<id><suffix>")`, so a switched chain's new tasks get their own stream.
 * @param keySuffix appended to task keys (`""` for the first variant, `"~<variant>"` after a switch)
 */
export function instantiateTasks(chainId: string, variant: Variant, taskIds: readonly string[], random: Random, keySuffix: string): SimTask[] {
  const rng = random.fork(`chain:${chainId}${keySuffix}`);
  const wanted = new Set(taskIds);
  const tasks: SimTask[] = [];
  for (const def of variant.tasks) {
    if (!wanted.has(def.task_id)) continue;
    const samples = def.runtime?.samplesSec ?? [];
    const u = rng.next();
    const base = samples.length > 0 ? samples[Math.floor(u * samples.length)] : (def.runtime?.meanSec ?? DEFAULT_TASK_RUNTIME_SEC);
    const runtimeSec = Math.max(1, Math.round(base));
    const task: SimTask = {
      key: `${stepKey(chainId, def.task_id)}${keySuffix}`,
      chainId,
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
    tasks.push(task);
  }
  return tasks;
}
