/**
 * Derived fields of task definitions read from workflow traces: file JSON Schemas and prefetch weights.
 */
import type { WfFileRef } from './wfformat-schema.js';

/** Files listed in a schema's `examples`, at most (the rest are summarised in its description). */
export const MAX_SCHEMA_EXAMPLE_FILES = 20;

/**
 * A JSON Schema (draft-07 keywords only, so ajv's default mode accepts it) for the document a trace
 * task consumes or produces: `{ files: [{ id, sizeInBytes? }] }`. Input and output schemas have the
 * same shape, so any producer's output satisfies any consumer's input; the concrete files of the trace
 * are given as an `examples` entry (first {@link MAX_SCHEMA_EXAMPLE_FILES}) and counted in `description`.
 */
export function fileSchema(files: readonly WfFileRef[], what: string): Record<string, unknown> {
  const bytes = files.reduce((s, f) => s + (f.sizeInBytes ?? 0), 0);
  return {
    type: 'object',
    description: `${what}: ${files.length} file(s), ${bytes} bytes recorded`,
    properties: {
      files: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1 }, sizeInBytes: { type: 'number', minimum: 0 } },
          required: ['id'],
        },
      },
    },
    required: ['files'],
    examples: [{ files: files.slice(0, MAX_SCHEMA_EXAMPLE_FILES).map((f) => ({ ...f })) }],
  };
}

/**
 * Prefetch weight of each task: how often its type follows its parents' types in this trace.
 * For a task of type T with parents of types P₁…Pₖ, weight = maxᵢ (tasks of type Pᵢ with at least one
 * child of type T) ÷ (tasks of type Pᵢ): the empirical probability that a Pᵢ task is followed by a T
 * task (seed 002's `prefetch_weight` as a first-order transition frequency). Roots get 1 (they always
 * run when the chain starts).
 * @returns weight in 0..1 per task id
 */
export function prefetchWeights(
  order: readonly string[],
  parentsOf: (id: string) => readonly string[],
  typeOf: (id: string) => string,
): Map<string, number> {
  const typeCount = new Map<string, number>();
  const childTypes = new Map<string, Set<string>>();
  for (const id of order) {
    typeCount.set(typeOf(id), (typeCount.get(typeOf(id)) ?? 0) + 1);
    for (const p of parentsOf(id)) {
      const set = childTypes.get(p) ?? new Set<string>();
      set.add(typeOf(id));
      childTypes.set(p, set);
    }
  }
  // followed[P→T] = number of P tasks with a T child
  const followed = new Map<string, number>();
  for (const [p, types] of childTypes) {
    for (const t of types) {
      const key = `${typeOf(p)}\u0000${t}`;
      followed.set(key, (followed.get(key) ?? 0) + 1);
    }
  }
  const out = new Map<string, number>();
  for (const id of order) {
    const ps = parentsOf(id);
    if (ps.length === 0) {
      out.set(id, 1);
      continue;
    }
    let w = 0;
    for (const p of ps) {
      const pt = typeOf(p);
      w = Math.max(w, (followed.get(`${pt}\u0000${typeOf(id)}`) ?? 0) / typeCount.get(pt)!);
    }
    out.set(id, Math.min(1, w));
  }
  return out;
}
