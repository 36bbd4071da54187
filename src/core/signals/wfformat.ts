/**
 * WfCommons WfFormat execution instances → prescale task definitions, a workflow template, per-type
 * runtime distributions and a reconstructed execution timeline. Pure: the caller reads the file.
 */
import { InputError } from '../model/errors.js';
import { TaskDefinitionSchema, type RuntimeStats, type TaskDefinition } from '../model/task.js';
import type { Workflow } from '../model/workflow.js';
import { earliestStartSchedule, topologicalOrder } from './dag.js';
import { runtimeStats } from './runtime-stats.js';
import { parseTimestampSec } from './timestamps.js';
import { readWfDocument, type WfDocument, type WfTaskRecord } from './wfformat-schema.js';
import { fileSchema, prefetchWeights } from './wfformat-derive.js';

/** One task's run in a trace, on the reconstructed timeline. */
export interface TaskExecutionRecord {
  /** The task's id in the trace (also its `task_id`). */
  readonly taskId: string;
  /** Its task type (see {@link taskTypeOfRecord}). */
  readonly taskType: string;
  /** Seconds from the workflow's start to the task's reconstructed start (earliest start). */
  readonly startOffsetSec: number;
  /** `startOffsetSec + runtimeSec`. */
  readonly endOffsetSec: number;
  /** Recorded runtime, seconds. */
  readonly runtimeSec: number;
  /** Ids of the tasks it waited for. */
  readonly parents: readonly string[];
  /** vCPUs it needed (see {@link parseWfFormat} for the rule). */
  readonly vcpu: number;
  /** Memory it needed, GiB. */
  readonly memoryGiB: number;
  /** Bytes it produced: the sum of its output files' sizes, else `writtenBytes`, else absent. */
  readonly outputBytes?: number;
}

/** A workflow execution instance read from a WfFormat document. */
export interface WorkflowTrace {
  /** Trace id: the file's base name without `.json` (e.g. `montage-chameleon-2mass-01d-001`). */
  readonly id: string;
  /** The file it was read from, as given. */
  readonly file: string;
  /**
   * Workflow (application) name: the file base name up to its first `-`, following WfInstances'
   * `<app>-<site>-<parameters>-<run>` naming (e.g. `montage`), unless overridden. Runs of the same
   * application share it, so their task types and transitions can be pooled.
   */
  readonly workflowName: string;
  /** The document's own `name` field. */
  readonly instanceName: string;
  /** WfFormat schema version read. */
  readonly schemaVersion: '1.4' | '1.5';
  /** Workflow system that ran it (e.g. "Pegasus", "Makeflow", "Nextflow"), when recorded. */
  readonly runtimeSystem?: string;
  /** Epoch seconds the workflow started (`executedAt`), when present and parseable. */
  readonly executedAtSec?: number;
  /** Makespan as recorded (`makespanInSeconds`), seconds. */
  readonly recordedMakespanSec?: number;
  /** Makespan of the reconstructed timeline (longest path by runtime), seconds. */
  readonly reconstructedMakespanSec: number;
  /** The workflow template: one variant (`default`) holding {@link tasks} on `defaultPool`. */
  readonly workflow: Workflow;
  /** Task definitions in topological order (seed 002 fields; `runtime` = its type's stats). */
  readonly tasks: readonly TaskDefinition[];
  /** Runtime distribution per task type, keys in sorted order. */
  readonly runtimeByType: Readonly<Record<string, RuntimeStats>>;
  /** One record per task, ordered by start offset, then topological order (so parents always come before their children, even for zero-length tasks). */
  readonly executions: readonly TaskExecutionRecord[];
}

/** Options of {@link parseWfFormat}. */
export interface WfFormatOptions {
  /** Pool the template's variant binds every task to. @default "batch" */
  readonly defaultPool?: string;
  /** Overrides {@link WorkflowTrace.workflowName}. */
  readonly workflowName?: string;
  /**
   * Memory per vCPU assumed when a task records no `memoryInBytes`, GiB. @default 2 (the ratio of
   * EC2 compute-optimised instances such as c6i/c7i: 2 GiB per vCPU, EC2 instance type docs)
   */
  readonly defaultMemoryGiBPerVcpu?: number;
}

/** Smallest memory request written, GiB (1 MiB): traces record kilobyte-sized processes. */
export const MIN_MEMORY_GIB = 1 / 1024;

/**
 * Reads a parsed WfFormat 1.4/1.5 document.
 *
 * - Task type: 1.4 `category` when given; for Nextflow the process name (`name`); else
 *   `command.program` when it is one word; else `name` without its `_IDnnnnnnn` suffix
 *   (`../shared/data/workflows/README.md`, "Task type").
 * - `executable_code_location`: `wfcommons:<task type>`.
 * - `resource_requirements.vcpu`: `coreCount` (1.4 `cores`) when recorded, else
 *   `max(1, ceil(avgCPU / 100))` (avgCPU is in percent of one core), else 1.
 *   `memoryGiB`: `memoryInBytes / 2^30` (at least {@link MIN_MEMORY_GIB}), else
 *   `vcpu × defaultMemoryGiBPerVcpu`.
 * - `input_schema` / `output_schema`: see {@link fileSchema}; `prefetch_weight`: see {@link prefetchWeights}.
 * - Start times: WfFormat records runtimes but no start times, so each task's start is reconstructed
 *   by earliest-start scheduling over the DAG (start = latest parent end, roots at 0; unlimited
 *   resources). Real starts were later when the cluster was full, so the reconstructed makespan is a
 *   lower bound of the recorded one.
 * - `timeoutSec`: max(3600, 2 × the longest runtime of the type), so replaying a trace never times out.
 *
 * @param doc the parsed JSON
 * @param file the path it came from (named in errors; its base name gives the ids)
 * @throws InputError naming file and JSON path for a schema violation, a parent or child id that is
 *   not a task (naming the task and the id), or a cycle (naming a task on it)
 */
export function parseWfFormat(doc: unknown, file: string, opts: WfFormatOptions = {}): WorkflowTrace {
  const wf = readWfDocument(doc, file);
  const byId = new Map<string, WfTaskRecord>();
  for (const t of wf.tasks) {
    if (byId.has(t.id)) throw new InputError({ file, field: `${t.path}.id` }, t.id, 'a task id used only once');
    byId.set(t.id, t);
  }
  const parents = collectParents(wf, byId, file);
  const ids = wf.tasks.map((t) => t.id);
  const parentsOf = (id: string) => parents.get(id)!;
  const topo = topologicalOrder(ids, parentsOf);
  if ('cycleAt' in topo) {
    const t = byId.get(topo.cycleAt)!;
    throw new InputError({ file, field: `${t.path}.parents` }, topo.cycle.join(' -> '), `an acyclic workflow (task "${t.id}" is on a cycle)`);
  }
  const nextflow = (wf.runtimeSystem ?? '').toLowerCase() === 'nextflow';
  const typeOf = new Map(wf.tasks.map((t) => [t.id, taskTypeOfRecord(t, nextflow)]));
  const schedule = earliestStartSchedule(topo.order, parentsOf, (id) => byId.get(id)!.runtimeSec);

  const runtimesByType = new Map<string, number[]>();
  for (const id of topo.order) {
    const ty = typeOf.get(id)!;
    const list = runtimesByType.get(ty) ?? [];
    list.push(byId.get(id)!.runtimeSec);
    runtimesByType.set(ty, list);
  }
  const runtimeByType: Record<string, RuntimeStats> = {};
  for (const ty of [...runtimesByType.keys()].sort()) runtimeByType[ty] = runtimeStats(runtimesByType.get(ty)!);
  const weights = prefetchWeights(topo.order, parentsOf, (id) => typeOf.get(id)!);
  const memPerVcpu = opts.defaultMemoryGiBPerVcpu ?? 2;

  const tasks: TaskDefinition[] = [];
  const executions: TaskExecutionRecord[] = [];
  for (const id of topo.order) {
    const t = byId.get(id)!;
    const ty = typeOf.get(id)!;
    const stats = runtimeByType[ty]!;
    const vcpu = vcpuOf(t);
    const memoryGiB = t.memoryInBytes !== undefined && t.memoryInBytes > 0 ? Math.max(MIN_MEMORY_GIB, t.memoryInBytes / 2 ** 30) : vcpu * memPerVcpu;
    // Validated without `runtime` (its type's stats, shared by every task of the type, are built
    // well-formed), so a 300-task fan-out does not re-check 300 samples 300 times.
    const def = TaskDefinitionSchema.parse({
      task_id: id, task_type: ty, executable_code_location: `wfcommons:${ty}`,
      input_schema: fileSchema(t.inputFiles, `files ${id} consumes`),
      output_schema: fileSchema(t.outputFiles, `files ${id} produces`),
      dependencies: parentsOf(id), resource_requirements: { vcpu, memoryGiB, gpu: 0 },
      prefetch_weight: weights.get(id)!, timeoutSec: Math.max(3600, Math.ceil(2 * stats.samplesSec[stats.samplesSec.length - 1]!)),
    });
    tasks.push({ ...def, runtime: stats });
    const s = schedule.get(id)!;
    const out = outputBytesOf(t);
    executions.push({
      taskId: id, taskType: ty, startOffsetSec: s.startOffsetSec, endOffsetSec: s.endOffsetSec, runtimeSec: t.runtimeSec,
      parents: parentsOf(id), vcpu, memoryGiB, ...(out !== undefined ? { outputBytes: out } : {}),
    });
  }
  const rank = new Map(topo.order.map((id, i) => [id, i]));
  executions.sort((a, b) => a.startOffsetSec - b.startOffsetSec || rank.get(a.taskId)! - rank.get(b.taskId)!);
  const id = baseName(file);
  const workflowName = opts.workflowName ?? (id.split('-')[0] || id);
  const executedAtSec = wf.executedAt !== undefined ? parseTimestampSec(wf.executedAt) : undefined;
  return {
    id, file, workflowName, instanceName: wf.name, schemaVersion: wf.schemaVersion,
    ...(wf.runtimeSystem !== undefined ? { runtimeSystem: wf.runtimeSystem } : {}),
    ...(executedAtSec !== undefined ? { executedAtSec } : {}),
    ...(wf.makespanSec !== undefined ? { recordedMakespanSec: wf.makespanSec } : {}),
    reconstructedMakespanSec: executions.reduce((m, e) => Math.max(m, e.endOffsetSec), 0),
    workflow: {
      name: workflowName,
      description: `reconstructed from ${id} (${wf.runtimeSystem ?? 'unknown system'}, WfFormat ${wf.schemaVersion})`,
      variants: [{ name: 'default', tasks, defaultPool: opts.defaultPool ?? 'batch', poolBindings: {} }],
    },
    tasks, runtimeByType, executions,
  };
}

/** Parents of every task: its `parents` united with the tasks that list it in `children`, in first-seen order. */
function collectParents(wf: WfDocument, byId: ReadonlyMap<string, WfTaskRecord>, file: string): Map<string, string[]> {
  const parents = new Map<string, string[]>(wf.tasks.map((t) => [t.id, []]));
  const add = (child: string, parent: string) => {
    const list = parents.get(child)!;
    if (!list.includes(parent)) list.push(parent);
  };
  for (const t of wf.tasks) {
    t.parents.forEach((p, j) => {
      if (!byId.has(p)) throw new InputError({ file, field: `${t.path}.parents[${j}]` }, p, `the id of a task in this workflow (task "${t.id}" names an unknown parent)`);
      add(t.id, p);
    });
  }
  for (const t of wf.tasks) {
    t.children.forEach((c, j) => {
      if (!byId.has(c)) throw new InputError({ file, field: `${t.path}.children[${j}]` }, c, `the id of a task in this workflow (task "${t.id}" names an unknown child)`);
      add(c, t.id);
    });
  }
  return parents;
}

/** Task type of a trace task (rules in {@link parseWfFormat}). */
export function taskTypeOfRecord(t: Pick<WfTaskRecord, 'name' | 'category' | 'program'>, nextflow: boolean): string {
  if (t.category) return t.category;
  if (nextflow) return t.name;
  const program = t.program?.trim();
  if (program && !/\s/.test(program)) return program.replace(/^.*\//, '');
  return t.name.replace(/_ID\d+$/, '') || t.name;
}

function vcpuOf(t: WfTaskRecord): number {
  if (t.coreCount !== undefined) return t.coreCount;
  if (t.avgCpuPercent !== undefined) return Math.max(1, Math.ceil(t.avgCpuPercent / 100));
  return 1;
}

function outputBytesOf(t: WfTaskRecord): number | undefined {
  const sized = t.outputFiles.filter((f) => f.sizeInBytes !== undefined);
  if (sized.length > 0) return sized.reduce((s, f) => s + f.sizeInBytes!, 0);
  return t.writtenBytes;
}

function baseName(file: string): string {
  const b = file.replace(/\\/g, '/').replace(/^.*\//, '');
  return b.replace(/\.json$/i, '') || b;
}
