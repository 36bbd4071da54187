/**
 * What a caller may submit as a chain's tasks (issue 15): references to the operator's registered
 * task definitions, never code. A reference names the registered task (`task`, default: its
 * `task_id`), the step's id in this chain and its dependencies, and may declare a runtime that is
 * used, bounded, only while the task type has no observed history. Unknown keys, such as
 * `executable_code_location`, are refused naming the field.
 */
import { z } from 'zod';
import { InputError, type TaskDefinition, type Workflow } from '../../core/model/index.js';
import type { ChainServiceConfig } from './config.js';
import { SUBMITTED_WORKFLOW } from './config-check.js';
import { boundedDeclaredRuntime } from './runtime-history.js';

const ID = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'an id of 1-128 letters, digits, ".", "_" or "-"');

/** One step of a submitted chain: a registered task under a step id. */
export const TaskReferenceSchema = z.strictObject({
  /** The step's id within the chain (what `dependencies` name). */
  task_id: ID,
  /** The registered task (config `tasks[].task_id`) this step runs; default: `task_id`. */
  task: ID.optional(),
  dependencies: z.array(ID).max(1000).default([]),
  /** Declared runtime (used, bounded, only while the task type has no history). */
  runtime: z.strictObject({ meanSec: z.number().positive(), p95Sec: z.number().positive().optional() }).optional(),
});
/** One step of a submitted chain. */
export type TaskReference = z.infer<typeof TaskReferenceSchema>;

/** One submitted variant: registered tasks bound to pools. */
export const SubmittedVariantSchema = z.strictObject({
  name: ID,
  defaultPool: z.string().min(1),
  poolBindings: z.record(z.string(), z.string()).default({}),
  description: z.string().max(500).optional(),
  tasks: z.array(z.unknown()).min(1),
});

/** The registered tasks a submitted workflow uses, per step (for authorization and re-checks). */
export function registeredTaskIds(workflow: Workflow): string[] {
  return [...new Set(workflow.variants.flatMap((v) => v.tasks.map((t) => t.task_type ?? t.task_id)))].sort();
}

/**
 * Builds the workflow of a submitted chain from registered task references. Its name is always
 * {@link SUBMITTED_WORKFLOW}, so no catalog workflow's name (and policy) can be borrowed.
 * @throws InputError naming the failing field (`tasks[i].…` or `variants[j].tasks[i].…`)
 */
export function submittedWorkflow(
  config: ChainServiceConfig,
  body: { tasks?: unknown[]; variants?: unknown[]; pool?: string; name?: string },
): Workflow {
  const registry = new Map(config.tasks.map((t) => [t.task_id, t]));
  const limits = config.limits;
  const resolveTasks = (items: unknown[], at: string): TaskDefinition[] => {
    if (items.length > limits.maxTasksPerVariant) throw new InputError({ field: at }, `${items.length} tasks`, `at most ${limits.maxTasksPerVariant} tasks per variant (limits.maxTasksPerVariant)`);
    return items.map((item, i) => {
      const r = TaskReferenceSchema.safeParse(item);
      if (!r.success) throw fieldError(r.error.issues, `${at}[${i}]`, item);
      const ref = r.data;
      const id = ref.task ?? ref.task_id;
      const def = registry.get(id);
      if (!def) {
        throw new InputError({ field: `${at}[${i}].${ref.task ? 'task' : 'task_id'}` }, id, `a registered task id (${[...registry.keys()].join(', ') || 'none registered: the operator registers tasks in the config\'s "tasks"'})`);
      }
      const minSec = config.declaredRuntime.minSec ?? config.composer.defaultRuntimeSec;
      const runtime = def.runtime ?? (ref.runtime ? boundedDeclaredRuntime(ref.runtime, minSec, config.declaredRuntime.maxSec ?? def.timeoutSec) : undefined);
      const { runtime: _dropped, ...rest } = def;
      return { ...rest, task_id: ref.task_id, task_type: def.task_type ?? def.task_id, dependencies: ref.dependencies, ...(runtime ? { runtime } : {}) };
    });
  };
  const defaultPool = body.pool ?? config.pools.find((p) => p.kind === 'ec2')?.id ?? config.pools[0].id;
  const description = body.name;
  if (body.tasks !== undefined) {
    return { name: SUBMITTED_WORKFLOW, ...(description ? { description } : {}), variants: [{ name: 'default', defaultPool, poolBindings: {}, tasks: resolveTasks(body.tasks, 'tasks') }] };
  }
  const variants = body.variants ?? [];
  if (variants.length > limits.maxVariants) throw new InputError({ field: 'variants' }, `${variants.length} variants`, `at most ${limits.maxVariants} variants (limits.maxVariants)`);
  return {
    name: SUBMITTED_WORKFLOW,
    ...(description ? { description } : {}),
    variants: variants.map((raw, j) => {
      const r = SubmittedVariantSchema.safeParse(raw);
      if (!r.success) throw fieldError(r.error.issues, `variants[${j}]`, raw);
      const { tasks, ...v } = r.data;
      return { ...v, tasks: resolveTasks(tasks, `variants[${j}].tasks`) };
    }),
  };
}

function fieldError(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }>, at: string, root: unknown): InputError {
  const first = issues[0];
  const keys = first?.code === 'unrecognized_keys' ? first.keys ?? [] : [];
  const path = [...(first?.path ?? []), ...(keys.length > 0 ? [keys[0]] : [])];
  const field = `${at}${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
  let value: unknown = root;
  for (const k of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k] : undefined;
  const expected = keys.length > 0 ? `no key ${JSON.stringify(keys[0])} (a submitted task references a registered task: task_id, task, dependencies, runtime)` : first?.message ?? 'a valid value';
  return new InputError({ field }, value, expected);
}
