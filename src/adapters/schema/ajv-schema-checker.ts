/**
 * JSON Schema operations with ajv (draft-07, plus ajv-formats): schema validity, document validation
 * and the registry's producer → consumer compatibility check.
 *
 * Compatibility is checked by example: a witness document is built from the producers' output
 * schemas (every declared property, valued from `const`, `default`, `examples[0]`, `enum[0]`, or the
 * smallest value of its type), merged in dependency order, then validated by ajv against the
 * consumer's input schema. A required input no producer declares, or a declared type that differs,
 * fails with ajv's error naming the field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ProducerSchema, SchemaChecker } from '../../core/registry/index.js';

// ajv-formats is CommonJS with a `default` export.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Schema = Readonly<Record<string, unknown>>;

/** The first ajv error as `{ field, reason }` (field is a JSON pointer; missing properties included). */
export function describeAjvError(errors: readonly ErrorObject[] | null | undefined): { field: string; reason: string } {
  const e = errors?.[0];
  if (!e) return { field: '', reason: 'invalid' };
  const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty?: string }).missingProperty)}` : '';
  return { field: `${e.instancePath}${missing}` || '/', reason: e.message ?? e.keyword };
}

/** ajv-backed {@link SchemaChecker}, also validating documents for the executor and the API. */
export class AjvSchemaChecker implements SchemaChecker {
  private readonly ajv = new Ajv({ allErrors: false, strict: false });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
  }

  /** Compiles (once per distinct schema) a validator. @throws Error when the schema is invalid */
  compile(schema: Schema): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.ajv.compile(schema as Record<string, unknown>);
      this.cache.set(key, fn);
    }
    return fn;
  }

  /** @inheritdoc */
  invalidSchema(schema: Schema): string | undefined {
    try {
      this.compile(schema);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * Validates `doc` against `schema`.
   * @returns undefined when valid, else the failing field and reason
   */
  validate(schema: Schema, doc: unknown): { field: string; reason: string } | undefined {
    const fn = this.compile(schema);
    return fn(doc) ? undefined : describeAjvError(fn.errors);
  }

  /** @inheritdoc */
  incompatibleInput(producers: readonly ProducerSchema[], consumerInputSchema: Schema): { field: string; reason: string } | undefined {
    const merged: Record<string, unknown> = {};
    for (const p of producers) {
      const w = witness(p.schema);
      if (w !== null && typeof w === 'object' && !Array.isArray(w)) Object.assign(merged, w);
    }
    const bad = this.validate(consumerInputSchema, merged);
    if (!bad) return undefined;
    return { field: bad.field, reason: `${bad.reason}; producers ${producers.map((p) => p.taskId).join(', ')} declare ${Object.keys(merged).sort().join(', ') || 'no properties'}` };
  }
}

/** A small document satisfying `schema` as declared (best effort for the common keywords). */
export function witness(schema: Schema | boolean | undefined, depth = 0): unknown {
  if (schema === undefined || typeof schema === 'boolean' || depth > 8) return {};
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[k];
    if (Array.isArray(list) && list.length > 0) {
      if (k !== 'allOf') return witness(list[0] as Schema, depth + 1);
      return Object.assign({}, ...list.map((s) => witness(s as Schema, depth + 1)).filter((x) => x && typeof x === 'object'));
    }
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const props = schema.properties as Record<string, Schema> | undefined;
  switch (type ?? (props ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(props ?? {})) out[k] = witness(v, depth + 1);
      return out;
    }
    case 'array': {
      const n = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: n }, () => witness(schema.items as Schema, depth + 1));
    }
    case 'string':
      return 'x'.repeat(typeof schema.minLength === 'number' ? schema.minLength : 1);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}
