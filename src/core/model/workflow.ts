/**
 * Workflows, variants and chains (seed 002's chain, seed 003's workflow).
 */
import { z } from 'zod';
import { TaskDefinitionSchema } from './task.js';

/**
 * A variant: a DAG of task definitions, each bound to a capacity pool.
 * `poolBindings[task_id]` names the pool the task runs on; `defaultPool` applies to tasks not bound.
 */
export const VariantSchema = z.object({
  name: z.string().min(1),
  tasks: z.array(TaskDefinitionSchema).min(1),
  defaultPool: z.string().min(1),
  poolBindings: z.record(z.string(), z.string()).default({}),
  description: z.string().optional(),
});
/** A variant of a workflow. */
export type Variant = z.infer<typeof VariantSchema>;

/** A named workflow with one or more variants. */
export const WorkflowSchema = z.object({
  name: z.string().min(1),
  variants: z.array(VariantSchema).min(1),
  description: z.string().optional(),
});
/** A named workflow with one or more variants. */
export type Workflow = z.infer<typeof WorkflowSchema>;

/** Status of one step of a chain execution. */
export type StepStatus = 'pending' | 'waiting-capacity' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** Pool a task of a variant runs on. */
export function poolOf(variant: Variant, taskId: string): string {
  return variant.poolBindings[taskId] ?? variant.defaultPool;
}
