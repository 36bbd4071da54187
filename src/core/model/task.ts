/**
 * Task definitions: one task component, with the fields of seed 002 plus prescale's additions.
 * Field names of seed 002 are kept in snake_case as written there; prescale's additions use camelCase
 * with units.
 */
import { z } from 'zod';

/** Resources a task needs while it runs. */
export const ResourceRequirementsSchema = z.object({
  /** vCPUs (may be fractional). */
  vcpu: z.number().positive(),
  /** Memory in GiB. */
  memoryGiB: z.number().positive(),
  /** GPUs, default 0. */
  gpu: z.number().int().nonnegative().default(0),
});
/** Resources a task needs while it runs: `vcpu`, `memoryGiB`, `gpu`. */
export type ResourceRequirements = z.infer<typeof ResourceRequirementsSchema>;

/**
 * Retry policy with AWS Step Functions' semantics (States Language "Retry": IntervalSeconds,
 * BackoffRate, MaxAttempts, JitterStrategy). Delay before attempt n+1 = intervalSec × backoffRate^(n-1),
 * with full jitter when `jitter` is "full".
 */
export const RetryPolicySchema = z.object({
  intervalSec: z.number().nonnegative().default(1),
  backoffRate: z.number().min(1).default(2),
  maxAttempts: z.number().int().nonnegative().default(3),
  jitter: z.enum(['none', 'full']).default('none'),
});
/** Retry policy (Step Functions semantics). */
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/**
 * Observed runtime statistics of a task type, learned from execution history (seconds).
 * `samplesSec` keeps up to a bounded number of observations so the simulator can resample them.
 */
export const RuntimeStatsSchema = z.object({
  meanSec: z.number().nonnegative(),
  p50Sec: z.number().nonnegative(),
  p95Sec: z.number().nonnegative(),
  samplesSec: z.array(z.number().nonnegative()).default([]),
});
/** Observed runtime statistics of a task type (seconds). */
export type RuntimeStats = z.infer<typeof RuntimeStatsSchema>;

/** A JSON Schema document (draft 2020-12 or 7), kept as plain data. */
export const JsonSchemaSchema = z.record(z.string(), z.unknown());

/** One task component (seed 002 §1, plus `critical`, `prepare`, timeouts and retry). */
export const TaskDefinitionSchema = z.object({
  /** Unique identifier within its workflow variant. */
  task_id: z.string().min(1),
  /** Task type (the thing next-step models predict); defaults to `task_id`. */
  task_type: z.string().min(1).optional(),
  /** Where the executable lives: `module:./path.js#export`, `command:...`, `s3://...`, `wfcommons:<program>`. */
  executable_code_location: z.string().min(1),
  /** JSON Schema of the input document. */
  input_schema: JsonSchemaSchema.default({}),
  /** JSON Schema of the output document. */
  output_schema: JsonSchemaSchema.default({}),
  /** `task_id`s this task depends on; empty for a root. */
  dependencies: z.array(z.string().min(1)).default([]),
  /** Resources needed while running. */
  resource_requirements: ResourceRequirementsSchema,
  /** Prior likelihood (0..1) that this task runs after its dependencies; used in prefetch priority. */
  prefetch_weight: z.number().min(0).max(1).default(0.5),
  /** True when the task has side effects outside itself: never pre-executed. */
  critical: z.boolean().default(false),
  /** Entry point of the side-effect-free part that may run speculatively; absent: nothing to prepare. */
  prepare: z.string().min(1).optional(),
  /** Share of runtime spent in setup (the part `prepare` can do ahead), 0..1. */
  setupShare: z.number().min(0).max(1).default(0),
  /**
   * Size of the state `prepare` leaves in the prefetch state cache (ElastiCache), GiB. Absent: the
   * tick and the simulator assume {@link DEFAULT_PREPARED_STATE_MEMORY_SHARE} of
   * `resource_requirements.memoryGiB` (see {@link preparedStateGiB}).
   */
  preparedStateGiB: z.number().nonnegative().optional(),
  /** Hard timeout per attempt, seconds. */
  timeoutSec: z.number().positive().default(3600),
  /** Retry policy on failure. */
  retry: RetryPolicySchema.default({ intervalSec: 1, backoffRate: 2, maxAttempts: 3, jitter: 'none' }),
  /** Runtime statistics, when known from history. */
  runtime: RuntimeStatsSchema.optional(),
});
/** One task component. See {@link TaskDefinitionSchema}. */
export type TaskDefinition = z.infer<typeof TaskDefinitionSchema>;
/** A task definition as a user may write it (defaults not yet applied). */
export type TaskDefinitionInput = z.input<typeof TaskDefinitionSchema>;

/** The task type of a definition (`task_type`, else `task_id`). */
export function taskTypeOf(t: Pick<TaskDefinition, 'task_id' | 'task_type'>): string {
  return t.task_type ?? t.task_id;
}

/**
 * Share of a task's working memory its prepared state takes in the cache when the task does not give
 * `preparedStateGiB`: 10%. Our assumption (the prepared state is the fetched inputs and warmed
 * artefacts, not the step's whole working set); no published figure.
 */
export const DEFAULT_PREPARED_STATE_MEMORY_SHARE = 0.1;

/** Size of the state preparing `task` leaves in the prefetch state cache, GiB (`preparedStateGiB`, else the default share of its memory). */
export function preparedStateGiB(task: Pick<TaskDefinition, 'preparedStateGiB' | 'resource_requirements'>): number {
  return task.preparedStateGiB ?? DEFAULT_PREPARED_STATE_MEMORY_SHARE * task.resource_requirements.memoryGiB;
}
