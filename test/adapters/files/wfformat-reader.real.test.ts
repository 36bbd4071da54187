import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWorkflowTraces } from '../../../src/adapters/files/wfformat-reader.js';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';
import type { WorkflowTrace } from '../../../src/core/signals/wfformat.js';
import { dataPath, HAVE_DATA } from './real-data.js';

interface ManifestRow {
  file: string;
  tasks: number;
  edges: number;
  dagDepth: number;
  taskTypes: number;
  makespanSec: number;
  maxTaskRuntimeSec: number;
}

/** `workflows/manifest.csv`: computed by the data's curator from the same files (columns in its README). */
function manifest(): Map<string, ManifestRow> {
  const [header, ...lines] = readFileSync(dataPath('workflows/manifest.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const at = (name: string) => cols.indexOf(name);
  return new Map(lines.map((l) => {
    const f = l.split(',');
    const row: ManifestRow = {
      file: f[at('file')]!, tasks: Number(f[at('tasks')]), edges: Number(f[at('edges')]), dagDepth: Number(f[at('dag_depth')]),
      taskTypes: Number(f[at('task_types')]), makespanSec: Number(f[at('makespan_s')]), maxTaskRuntimeSec: Number(f[at('max_task_runtime_s')]),
    };
    return [row.file.replace(/^.*\//, '').replace(/\.json$/, ''), row];
  }));
}

function depth(t: WorkflowTrace): number {
  const d = new Map<string, number>();
  for (const task of t.tasks) d.set(task.task_id, 1 + Math.max(0, ...task.dependencies.map((p) => d.get(p)!)));
  return Math.max(...d.values());
}

describe.skipIf(!HAVE_DATA)('readWorkflowTraces on the shared WfInstances', () => {
  it('reads all 36 instances in sorted path order, agreeing with manifest.csv on tasks, edges, depth, types and runtimes', async () => {
    const traces = await readWorkflowTraces([dataPath('workflows')]);
    const rows = manifest();
    expect(traces).toHaveLength(36);
    expect(traces.map((t) => t.file)).toEqual([...traces.map((t) => t.file)].sort());
    for (const t of traces) {
      const m = rows.get(t.id)!;
      expect(m, t.id).toBeDefined();
      expect(t.tasks.length, t.id).toBe(m.tasks);
      expect(t.tasks.reduce((s, x) => s + x.dependencies.length, 0), t.id).toBe(m.edges);
      expect(depth(t), t.id).toBe(m.dagDepth);
      expect(Object.keys(t.runtimeByType).length, t.id).toBe(m.taskTypes);
      expect(Math.max(...t.executions.map((e) => e.runtimeSec)), t.id).toBeCloseTo(m.maxTaskRuntimeSec, 3);
      expect(t.recordedMakespanSec, t.id).toBeCloseTo(m.makespanSec, 1);
    }
  });

  it('reconstructs, for each Pegasus application, a timeline where no task starts before its parents end and the makespan is at most the recorded one', async () => {
    const apps = ['1000genome', 'cycles', 'epigenomics', 'montage', 'seismology', 'soykb', 'srasearch'];
    for (const app of apps) {
      const traces = await readWorkflowTraces([dataPath('workflows/pegasus', app)]);
      expect(traces.length, app).toBeGreaterThanOrEqual(3);
      for (const t of traces) {
        expect(t.workflowName).toBe(app);
        expect(t.runtimeSystem).toBe('Pegasus');
        expect(t.executedAtSec, t.id).toBeGreaterThan(Date.UTC(2019, 0, 1) / 1000);
        const end = new Map(t.executions.map((e) => [e.taskId, e.endOffsetSec]));
        for (const e of t.executions) {
          const latestParentEnd = Math.max(0, ...e.parents.map((p) => end.get(p)!));
          expect(e.startOffsetSec, `${t.id} ${e.taskId}`).toBeCloseTo(latestParentEnd, 9);
        }
        expect(t.reconstructedMakespanSec, t.id).toBeLessThanOrEqual(t.recordedMakespanSec! + 1e-6);
        for (const task of t.tasks) TaskDefinitionSchema.parse(task);
        for (const w of t.tasks.map((x) => x.prefetch_weight)) expect(w).toBeGreaterThan(0);
      }
    }
  });

  it('reads montage task types in pipeline order with runtime distributions', async () => {
    const [t] = await readWorkflowTraces([dataPath('workflows/pegasus/montage/montage-chameleon-2mass-01d-001.json')]);
    expect(Object.keys(t!.runtimeByType)).toEqual(['mAdd', 'mBackground', 'mBgModel', 'mConcatFit', 'mDiffFit', 'mImgtbl', 'mProject', 'mViewer']);
    const firstOfType = [...new Map(t!.executions.map((e) => [e.taskType, e.startOffsetSec])).entries()]
      .sort((a, b) => a[1] - b[1]).map(([ty]) => ty);
    expect(firstOfType.slice(0, 3)).toEqual(['mProject', 'mDiffFit', 'mConcatFit']);
    const stats = t!.runtimeByType['mDiffFit']!;
    expect(stats.p50Sec).toBeLessThanOrEqual(stats.p95Sec);
    expect(stats.samplesSec.length).toBe(t!.executions.filter((e) => e.taskType === 'mDiffFit').length);
  });

  it('gives byte-identical traces on a second read (determinism)', async () => {
    const dir = dataPath('workflows/pegasus/srasearch');
    expect(JSON.stringify(await readWorkflowTraces([dir]))).toBe(JSON.stringify(await readWorkflowTraces([dir])));
  });
});
