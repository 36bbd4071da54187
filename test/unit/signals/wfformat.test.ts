import { describe, expect, it } from 'vitest';
import { TaskDefinitionSchema, WorkflowSchema } from '../../../src/core/model/index.js';
import { parseWfFormat } from '../../../src/core/signals/wfformat.js';
import { diamondTasks, wfDoc14, wfDoc15 } from '../../builders/wfformat.js';

const FILE = 'traces/diamond-site-001.json';

describe('parseWfFormat (WfFormat 1.5)', () => {
  const trace = parseWfFormat(wfDoc15(diamondTasks()), FILE);

  it('names the trace and workflow from the file base name', () => {
    expect(trace).toMatchObject({ id: 'diamond-site-001', workflowName: 'diamond', file: FILE, schemaVersion: '1.5', runtimeSystem: 'Pegasus' });
    expect(trace.executedAtSec).toBe(Date.UTC(2020, 3, 1) / 1000);
  });

  it('writes seed-002 task definitions that the model schema accepts', () => {
    expect(trace.tasks.map((t) => t.task_id)).toEqual(['split_ID0000001', 'work_ID0000002', 'work_ID0000003', 'merge_ID0000004']);
    for (const t of trace.tasks) expect(TaskDefinitionSchema.parse(t)).toEqual(t);
    const merge = trace.tasks[3]!;
    expect(merge).toMatchObject({ task_type: 'merge', executable_code_location: 'wfcommons:merge', dependencies: ['work_ID0000002', 'work_ID0000003'] });
    expect(WorkflowSchema.parse(trace.workflow).variants[0]!.defaultPool).toBe('batch');
  });

  it('derives vCPU from coreCount, else ceil(avgCPU/100), and memory from memoryInBytes, else 2 GiB per vCPU', () => {
    const req = Object.fromEntries(trace.tasks.map((t) => [t.task_id, t.resource_requirements]));
    expect(req['split_ID0000001']).toEqual({ vcpu: 1, memoryGiB: 2, gpu: 0 });
    expect(req['work_ID0000002']).toEqual({ vcpu: 3, memoryGiB: 6, gpu: 0 });
    expect(req['work_ID0000003']).toEqual({ vcpu: 1, memoryGiB: 3, gpu: 0 });
    expect(req['merge_ID0000004']).toEqual({ vcpu: 4, memoryGiB: 8, gpu: 0 });
  });

  it('reconstructs start offsets by earliest-start scheduling over the DAG', () => {
    const byId = Object.fromEntries(trace.executions.map((e) => [e.taskId, [e.startOffsetSec, e.endOffsetSec]]));
    expect(byId).toEqual({ split_ID0000001: [0, 10], work_ID0000002: [10, 40], work_ID0000003: [10, 60], merge_ID0000004: [60, 80] });
    expect(trace.reconstructedMakespanSec).toBe(80);
    expect(trace.executions.map((e) => e.startOffsetSec)).toEqual([0, 10, 10, 60]);
  });

  it('keeps runtime distributions per task type with samples', () => {
    expect(Object.keys(trace.runtimeByType)).toEqual(['merge', 'split', 'work']);
    expect(trace.runtimeByType['work']).toEqual({ meanSec: 40, p50Sec: 40, p95Sec: 49, samplesSec: [30, 50] });
    expect(trace.tasks[1]!.runtime).toEqual(trace.runtimeByType['work']);
  });

  it('describes consumed and produced files in JSON Schemas and records output bytes', () => {
    const split = trace.tasks[0]!;
    expect(split.output_schema).toMatchObject({ type: 'object', required: ['files'], examples: [{ files: [{ id: 'part.0', sizeInBytes: 100 }, { id: 'part.1', sizeInBytes: 200 }] }] });
    expect(String(split.output_schema['description'])).toContain('2 file(s), 300 bytes');
    expect(trace.executions.find((e) => e.taskId === 'split_ID0000001')?.outputBytes).toBe(300);
  });

  it('sets prefetch_weight to how often the type follows its parents’ type', () => {
    // two `a` tasks; only one is followed by `b`
    const t = parseWfFormat(wfDoc15([{ id: 'a_ID1' }, { id: 'a_ID2' }, { id: 'b_ID3', parents: ['a_ID1'] }]), 'w.json');
    expect(t.tasks.map((x) => [x.task_id, x.prefetch_weight])).toEqual([['a_ID1', 1], ['a_ID2', 1], ['b_ID3', 0.5]]);
  });

  it('uses the Nextflow process name as the task type', () => {
    const t = parseWfFormat(wfDoc15([{ id: 'NF.FASTQC_2', program: 'fastqc --threads 1 x.fq\n echo done' }], { runtimeSystem: 'Nextflow' }), 'bacass-x.json');
    expect(t.tasks[0]!.task_type).toBe('NF.FASTQC_2');
  });

  it('takes the defaultPool and workflowName options', () => {
    const t = parseWfFormat(wfDoc15(diamondTasks()), FILE, { defaultPool: 'spot-batch', workflowName: 'dia' });
    expect(t.workflow).toMatchObject({ name: 'dia', variants: [{ name: 'default', defaultPool: 'spot-batch' }] });
  });

  it('is deterministic: the same document gives byte-identical output', () => {
    expect(JSON.stringify(parseWfFormat(wfDoc15(diamondTasks()), FILE))).toBe(JSON.stringify(trace));
  });
});

describe('parseWfFormat (WfFormat 1.4)', () => {
  it('reads parents by name, files by link and category as the task type', () => {
    const t = parseWfFormat(wfDoc14(diamondTasks(), { category: true }), 'old-001.json');
    expect(t.schemaVersion).toBe('1.4');
    expect(t.tasks.map((x) => x.task_type)).toEqual(['split', 'work', 'work', 'merge']);
    expect(t.reconstructedMakespanSec).toBe(80);
    expect(t.executions.find((e) => e.taskId === 'merge_ID0000004')?.vcpu).toBe(4);
    expect(t.tasks[1]!.input_schema['examples']).toEqual([{ files: [{ id: 'part.0', sizeInBytes: 100 }] }]);
  });
});

describe('parseWfFormat bad input', () => {
  it('names the task and the unknown parent', () => {
    const doc = wfDoc15([{ id: 'a_ID1' }, { id: 'b_ID2', parents: ['ghost_ID9'] }]);
    expect(() => parseWfFormat(doc, 'bad.json')).toThrow(
      'bad.json: workflow.specification.tasks[1].parents[0]: got "ghost_ID9", expected the id of a task in this workflow (task "b_ID2" names an unknown parent)',
    );
  });

  it('names a task on a cycle', () => {
    const doc = wfDoc15([{ id: 'a_ID1', parents: ['c_ID3'] }, { id: 'b_ID2', parents: ['a_ID1'] }, { id: 'c_ID3', parents: ['b_ID2'] }]);
    expect(() => parseWfFormat(doc, 'cyc.json')).toThrow(/^cyc\.json: workflow\.specification\.tasks\[\d\]\.parents: got ".+ -> .+", expected an acyclic workflow \(task "[abc]_ID\d" is on a cycle\)$/);
  });

  it('names the JSON path of a schema violation', () => {
    const doc = wfDoc15(diamondTasks()) as { workflow: { execution: { tasks: Array<Record<string, unknown>> } } };
    doc.workflow.execution.tasks[2]!['runtimeInSeconds'] = 'slow';
    expect(() => parseWfFormat(doc, 'v.json')).toThrow(/^v\.json: workflow\.execution\.tasks\[2\]\.runtimeInSeconds: got "slow", expected/);
  });

  it('rejects an unsupported schema version and a task without an execution record', () => {
    expect(() => parseWfFormat({ ...wfDoc15(diamondTasks()), schemaVersion: '1.3' }, 'o.json')).toThrow('o.json: schemaVersion: got "1.3", expected WfFormat schema version "1.4" or "1.5"');
    const doc = wfDoc15(diamondTasks()) as { workflow: { execution: { tasks: unknown[] } } };
    doc.workflow.execution.tasks.pop();
    expect(() => parseWfFormat(doc, 'm.json')).toThrow('m.json: workflow.specification.tasks[3].id: got "merge_ID0000004", expected a matching entry in workflow.execution.tasks (its runtime)');
  });

  it('rejects a duplicate task id and an unknown child', () => {
    expect(() => parseWfFormat(wfDoc15([{ id: 'a_ID1' }, { id: 'a_ID1' }]), 'd.json')).toThrow(/d\.json: workflow\.specification\.tasks\[1\]\.id: got "a_ID1", expected a task id used only once/);
    expect(() => parseWfFormat(wfDoc15([{ id: 'a_ID1', children: ['zz'] }]), 'c.json')).toThrow(/children\[0\]: got "zz", expected .*unknown child/);
  });
});
