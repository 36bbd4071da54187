/**
 * Builders of task definitions, variants and workflows for tests, with every default applied by the
 * model's own zod schemas (so a built object is exactly what a parsed user document would be).
 *
 * @example
 * const wf = workflow('etl', [task('extract'), task('load', ['extract'], { vcpu: 2 })]);
 */
import {
  TaskDefinitionSchema,
  WorkflowSchema,
  type TaskDefinition,
  type TaskDefinitionInput,
  type Workflow,
} from '../../src/core/model/index.js';

/** Overrides of {@link task}: any task field, plus `vcpu` / `memoryGiB` shortcuts. */
export type TaskOverrides = Partial<TaskDefinitionInput> & { vcpu?: number; memoryGiB?: number };

/**
 * A task definition `id` depending on `dependencies`; 1 vCPU and 2 GiB unless overridden;
 * `executable_code_location` `module:./tasks/<id>.js#run`; runtime 60 s mean (p50 60, p95 90).
 */
export function task(id: string, dependencies: readonly string[] = [], overrides: TaskOverrides = {}): TaskDefinition {
  const { vcpu, memoryGiB, ...rest } = overrides;
  return TaskDefinitionSchema.parse({
    task_id: id,
    executable_code_location: `module:./tasks/${id}.js#run`,
    dependencies: [...dependencies],
    resource_requirements: { vcpu: vcpu ?? 1, memoryGiB: memoryGiB ?? 2 },
    runtime: { meanSec: 60, p50Sec: 60, p95Sec: 90, samplesSec: [] },
    ...rest,
  });
}

/**
 * A workflow named `name` with one variant per entry of `variants` (default: one variant `default`
 * holding `tasks` on pool `batch`).
 */
export function workflow(
  name: string,
  tasks: readonly TaskDefinition[],
  variants: ReadonlyArray<{ name: string; tasks?: readonly TaskDefinition[]; defaultPool?: string; poolBindings?: Record<string, string> }> = [{ name: 'default' }],
): Workflow {
  return WorkflowSchema.parse({
    name,
    variants: variants.map((v) => ({
      name: v.name,
      tasks: [...(v.tasks ?? tasks)],
      defaultPool: v.defaultPool ?? 'batch',
      poolBindings: v.poolBindings ?? {},
    })),
  });
}

/** A linear chain `t1 → t2 → … → tn` of tasks named `<prefix>1..n`. */
export function chainOfTasks(n: number, prefix = 't'): TaskDefinition[] {
  return Array.from({ length: n }, (_, i) => task(`${prefix}${i + 1}`, i === 0 ? [] : [`${prefix}${i}`]));
}
