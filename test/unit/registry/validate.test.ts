import { describe, expect, it } from 'vitest';
import { AjvSchemaChecker } from '../../../src/adapters/schema/ajv-schema-checker.js';
import { InputError, WorkflowSchema, type Workflow } from '../../../src/core/model/index.js';
import { assertValidWorkflow, topologicalOrder, validateWorkflow } from '../../../src/core/registry/index.js';
import { ec2Pool, etlWorkflow, task } from '../../fixtures/tasks/builders.js';

const schemas = new AjvSchemaChecker();
const pools = [ec2Pool('spot-batch', { instanceRequirements: { vcpuMax: 16, memoryGiBMax: 64 } }), ec2Pool('od'), { kind: 'elasticache' as const, id: 'cache', nodeType: 'cache.r6g.large', shards: 1, replicasPerShard: 1, minReplicasPerShard: 0, maxReplicasPerShard: 5, addLeadTimeSec: 600, removeLeadTimeSec: 300 }];

function oneVariant(tasks: ReturnType<typeof task>[], extra: Record<string, unknown> = {}): Workflow {
  return WorkflowSchema.parse({ name: 'w', variants: [{ name: 'v', defaultPool: 'spot-batch', tasks, ...extra }] });
}
const codes = (w: Workflow) => validateWorkflow(w, pools, schemas).map((i) => `${i.code} ${i.field}`);

describe('task registry validation', () => {
  it('accepts a valid workflow', () => {
    expect(validateWorkflow(etlWorkflow(), pools, schemas)).toEqual([]);
  });

  it('rejects an unknown dependency, naming the field and the missing id', () => {
    const issues = validateWorkflow(oneVariant([task('a'), task('b', ['zz'])]), pools, schemas);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'unknown-dependency', field: 'variants[0].tasks[1].dependencies[0]', value: 'zz' });
  });

  it('rejects a cycle and shows it', () => {
    const issues = validateWorkflow(oneVariant([task('a', ['c']), task('b', ['a']), task('c', ['b'])]), pools, schemas);
    expect(issues.map((i) => i.code)).toEqual(['cycle']);
    expect(issues[0].value).toBe('a -> b -> c -> a');
  });

  it('rejects an edge whose producer output lacks a required consumer input', () => {
    const a = task('a', [], { output_schema: { type: 'object', properties: { rows: { type: 'integer' } } } });
    const b = task('b', ['a'], { input_schema: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } } });
    const issues = validateWorkflow(oneVariant([a, b]), pools, schemas);
    expect(issues).toHaveLength(1);
    expect(issues[0].code).toBe('schema-mismatch');
    expect(issues[0].field).toBe('variants[0].tasks[1].input_schema');
    expect(String(issues[0].value)).toContain('a -> b at /path');
  });

  it('rejects an edge whose producer declares a different type', () => {
    const a = task('a', [], { output_schema: { type: 'object', properties: { rows: { type: 'string' } } } });
    const b = task('b', ['a'], { input_schema: { type: 'object', required: ['rows'], properties: { rows: { type: 'integer' } } } });
    expect(codes(oneVariant([a, b]))).toEqual(['schema-mismatch variants[0].tasks[1].input_schema']);
  });

  it('accepts a consumer fed by the merged outputs of two producers', () => {
    const a = task('a', [], { output_schema: { type: 'object', properties: { x: { type: 'number' } } } });
    const b = task('b', [], { output_schema: { type: 'object', properties: { y: { type: 'string' } } } });
    const c = task('c', ['a', 'b'], { input_schema: { type: 'object', required: ['x', 'y'], properties: { x: { type: 'number' }, y: { type: 'string' } } } });
    expect(codes(oneVariant([a, b, c]))).toEqual([]);
  });

  it('rejects a schema that is not valid JSON Schema', () => {
    expect(codes(oneVariant([task('a', [], { input_schema: { type: 'strnig' } })]))).toEqual(['invalid-schema variants[0].tasks[0].input_schema']);
  });

  it('rejects resource requests no pool can hold: vCPU, memory, GPU, a cache pool', () => {
    expect(codes(oneVariant([task('a', [], { resource_requirements: { vcpu: 32, memoryGiB: 8 } })]))).toEqual(['resources-exceed-pools variants[0].tasks[0].resource_requirements']);
    expect(codes(oneVariant([task('a', [], { resource_requirements: { vcpu: 2, memoryGiB: 128 } })]))).toEqual(['resources-exceed-pools variants[0].tasks[0].resource_requirements']);
    expect(codes(oneVariant([task('a', [], { resource_requirements: { vcpu: 2, memoryGiB: 8, gpu: 1 } })]))).toEqual(['resources-exceed-pools variants[0].tasks[0].resource_requirements']);
    expect(codes(oneVariant([task('a')], { poolBindings: { a: 'cache' } }))).toEqual(['resources-exceed-pools variants[0].tasks[0].resource_requirements']);
  });

  it('accepts a GPU task on a pool that allows a GPU family', () => {
    const gpuPools = [ec2Pool('gpu', { instanceRequirements: { allowedFamilies: ['g5'] } })];
    const w = WorkflowSchema.parse({ name: 'w', variants: [{ name: 'v', defaultPool: 'gpu', tasks: [task('a', [], { resource_requirements: { vcpu: 4, memoryGiB: 16, gpu: 1 } })] }] });
    expect(validateWorkflow(w, gpuPools, schemas)).toEqual([]);
  });

  it('rejects a binding to an unknown pool and duplicate task ids', () => {
    expect(codes(oneVariant([task('a')], { poolBindings: { a: 'nope' } }))).toEqual(['unknown-pool variants[0].poolBindings.a']);
    expect(codes(oneVariant([task('a'), task('a')]))).toContain('duplicate-task variants[0].tasks[1].task_id');
  });

  it('throws an InputError naming field, value and expectation', () => {
    expect(() => assertValidWorkflow(oneVariant([task('a', ['zz'])]), pools, schemas)).toThrow(InputError);
    expect(() => assertValidWorkflow(oneVariant([task('a', ['zz'])]), pools, schemas)).toThrow(/variants\[0\]\.tasks\[0\]\.dependencies\[0\]: got "zz", expected .*unknown-dependency/);
  });

  it('orders a DAG topologically keeping declaration order on ties', () => {
    expect(topologicalOrder([{ id: 'c', dependencies: ['a'] }, { id: 'a', dependencies: [] }, { id: 'b', dependencies: [] }])).toEqual({ order: ['a', 'b', 'c'] });
  });
});
