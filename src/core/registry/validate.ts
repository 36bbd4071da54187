/**
 * Task registry validation (issue 4, "Validation on registration"): unknown dependency, duplicate
 * task id, cycle, an edge whose producers' output schemas cannot satisfy the consumer's input schema,
 * a binding to an unknown pool, and resource requests no pool can hold. Pure: the JSON Schema work is
 * delegated to an injected {@link SchemaChecker} (ajv at the edge, src/adapters/schema).
 */
import { InputError } from '../model/errors.js';
import type { CapacityPool } from '../model/pool.js';
import type { TaskDefinition } from '../model/task.js';
import { poolOf, type Variant, type Workflow } from '../model/workflow.js';
import { topologicalOrder } from './graph.js';

/** The kinds of problem the registry reports. */
export type RegistryIssueCode =
  | 'duplicate-task'
  | 'unknown-dependency'
  | 'cycle'
  | 'invalid-schema'
  | 'schema-mismatch'
  | 'unknown-pool'
  | 'resources-exceed-pools';

/** One validation problem: where (a JSON path), the offending value and what was expected. */
export interface RegistryIssue {
  readonly code: RegistryIssueCode;
  /** JSON path of the failing field, e.g. `variants[0].tasks[2].dependencies[0]`. */
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
}

/** The output schema of one producer of a consumer's input. */
export interface ProducerSchema {
  readonly taskId: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/**
 * JSON Schema operations the registry needs, implemented with ajv in `src/adapters/schema`.
 * A consumer's input document is the shallow merge of its dependencies' outputs, in `dependencies` order.
 */
export interface SchemaChecker {
  /** Why `schema` is not a valid JSON Schema, or undefined when it is. */
  invalidSchema(schema: Readonly<Record<string, unknown>>): string | undefined;
  /**
   * Whether documents the producers declare can satisfy the consumer's input schema.
   * @returns undefined when compatible, else the failing input field (JSON pointer) and the reason
   */
  incompatibleInput(
    producers: readonly ProducerSchema[],
    consumerInputSchema: Readonly<Record<string, unknown>>,
  ): { readonly field: string; readonly reason: string } | undefined;
}

/** GPU instance families on EC2 (accelerated computing: G and P families, Inf/Trn accelerators). */
const GPU_FAMILY_PREFIXES = ['g', 'p', 'inf', 'trn', 'dl'];

/** Why `pool` cannot hold one task needing `task.resource_requirements`, or undefined when it can. */
export function poolCannotHold(task: TaskDefinition, pool: CapacityPool): string | undefined {
  const req = task.resource_requirements;
  if (pool.kind === 'elasticache') return `pool ${pool.id} is an ElastiCache group: it holds prepared state, not tasks`;
  const maxVcpu = Math.min(pool.instanceRequirements.vcpuMax, pool.maxUnits);
  if (req.vcpu > maxVcpu) return `pool ${pool.id} offers at most ${maxVcpu} vCPU per instance`;
  const maxMem = pool.instanceRequirements.memoryGiBMax;
  if (maxMem !== undefined && req.memoryGiB > maxMem) return `pool ${pool.id} offers at most ${maxMem} GiB per instance`;
  if ((req.gpu ?? 0) > 0) {
    const gpuFamilies = pool.instanceRequirements.allowedFamilies.filter((f) =>
      GPU_FAMILY_PREFIXES.some((p) => f.toLowerCase().startsWith(p) && /^[a-z]+\d/.test(f.toLowerCase())),
    );
    if (gpuFamilies.length === 0) return `pool ${pool.id} allows no GPU instance family (set allowedFamilies, e.g. ["g5"])`;
  }
  return undefined;
}

/**
 * Validates one variant. Returns every issue found (empty when valid), in a stable order.
 * @param variant the variant (task definitions already parsed with zod: defaults applied)
 * @param pools the capacity pools tasks may be bound to
 * @param schemas JSON Schema operations (ajv adapter)
 * @param path JSON path prefix for issue fields, e.g. `variants[1]`
 */
export function validateVariant(
  variant: Variant,
  pools: readonly CapacityPool[],
  schemas: SchemaChecker,
  path = '',
): RegistryIssue[] {
  const issues: RegistryIssue[] = [];
  const at = (suffix: string): string => (path ? `${path}.${suffix}` : suffix);
  const byId = new Map<string, TaskDefinition>();
  variant.tasks.forEach((t, i) => {
    if (byId.has(t.task_id)) {
      issues.push({ code: 'duplicate-task', field: at(`tasks[${i}].task_id`), value: t.task_id, expected: 'a task_id unique within the variant' });
    } else byId.set(t.task_id, t);
  });
  variant.tasks.forEach((t, i) => {
    t.dependencies.forEach((d, j) => {
      if (!byId.has(d)) {
        issues.push({
          code: 'unknown-dependency',
          field: at(`tasks[${i}].dependencies[${j}]`),
          value: d,
          expected: `one of the variant's task ids (${[...byId.keys()].join(', ')})`,
        });
      }
    });
  });
  const topo = topologicalOrder(variant.tasks.map((t) => ({ id: t.task_id, dependencies: t.dependencies })));
  if ('cycle' in topo) {
    const i = variant.tasks.findIndex((t) => t.task_id === topo.cycle[0]);
    issues.push({ code: 'cycle', field: at(`tasks[${i}].dependencies`), value: topo.cycle.join(' -> '), expected: 'an acyclic dependency graph' });
  }
  variant.tasks.forEach((t, i) => {
    for (const key of ['input_schema', 'output_schema'] as const) {
      const why = schemas.invalidSchema(t[key]);
      if (why) issues.push({ code: 'invalid-schema', field: at(`tasks[${i}].${key}`), value: t[key], expected: `a valid JSON Schema (${why})` });
    }
  });
  const schemaIssues = issues.some((x) => x.code === 'invalid-schema' || x.code === 'unknown-dependency');
  if (!schemaIssues) {
    variant.tasks.forEach((t, i) => {
      if (t.dependencies.length === 0) return;
      const producers = t.dependencies.map((d) => ({ taskId: d, schema: (byId.get(d) as TaskDefinition).output_schema }));
      const bad = schemas.incompatibleInput(producers, t.input_schema);
      if (bad) {
        issues.push({
          code: 'schema-mismatch',
          field: at(`tasks[${i}].input_schema`),
          value: `${t.dependencies.join('+')} -> ${t.task_id} at ${bad.field || '/'}`,
          expected: `the producers' output_schema to satisfy the consumer's input_schema (${bad.reason})`,
        });
      }
    });
  }
  const poolById = new Map(pools.map((p) => [p.id, p]));
  variant.tasks.forEach((t, i) => {
    const poolId = poolOf(variant, t.task_id);
    const pool = poolById.get(poolId);
    if (!pool) {
      const field = variant.poolBindings[t.task_id] !== undefined ? at(`poolBindings.${t.task_id}`) : at('defaultPool');
      issues.push({ code: 'unknown-pool', field, value: poolId, expected: `a configured pool id (${[...poolById.keys()].join(', ')})` });
      return;
    }
    const why = poolCannotHold(t, pool);
    if (why) {
      issues.push({ code: 'resources-exceed-pools', field: at(`tasks[${i}].resource_requirements`), value: t.resource_requirements, expected: `resources pool ${poolId} can hold: ${why}` });
    }
  });
  return issues;
}

/** Validates every variant of a workflow (see {@link validateVariant}); also rejects duplicate variant names. */
export function validateWorkflow(workflow: Workflow, pools: readonly CapacityPool[], schemas: SchemaChecker): RegistryIssue[] {
  const issues: RegistryIssue[] = [];
  const names = new Set<string>();
  workflow.variants.forEach((v, i) => {
    if (names.has(v.name)) issues.push({ code: 'duplicate-task', field: `variants[${i}].name`, value: v.name, expected: 'a variant name unique within the workflow' });
    names.add(v.name);
    issues.push(...validateVariant(v, pools, schemas, `variants[${i}]`));
  });
  return issues;
}

/**
 * Like {@link validateWorkflow} but throws the first issue.
 * @throws InputError naming the field, the value and what was expected
 */
export function assertValidWorkflow(workflow: Workflow, pools: readonly CapacityPool[], schemas: SchemaChecker, file?: string): void {
  const [first] = validateWorkflow(workflow, pools, schemas);
  if (first) throw registryInputError(first, file);
}

/** An {@link InputError} for one registry issue (the code leads the expectation text). */
export function registryInputError(issue: RegistryIssue, file?: string): InputError {
  return new InputError({ file, field: issue.field }, issue.value, `${issue.expected} [${issue.code}]`);
}
