/**
 * WfCommons WfFormat (schema 1.4 and 1.5) as zod schemas, and their normalisation into one task
 * record shape. Only the fields prescale uses are declared; other fields are ignored.
 *
 * - 1.5 (wfcommons/wfformat, `wfcommons-schema.json`): `workflow.specification.tasks[]` (`name`, `id`,
 *   `parents`, `children`, `inputFiles`, `outputFiles` as file ids), `workflow.specification.files[]`
 *   (`id`, `sizeInBytes`) and `workflow.execution.tasks[]` (`id`, `runtimeInSeconds`, `command`,
 *   `avgCPU`, `coreCount`, `memoryInBytes`, ...).
 * - 1.4: one `workflow.tasks[]` list (`name`, `id`, `category`, `type`, `command`, `parents` as task
 *   names, `files[]` with `name`, `sizeInBytes`, `link` input|output, `runtimeInSeconds`, `cores`,
 *   `avgCPU`, `memoryInBytes`).
 */
import { z } from 'zod';
import { InputError, inputErrorFromZod } from '../model/errors.js';

const CommandSchema = z.object({ program: z.string().optional(), arguments: z.array(z.unknown()).optional() });
const nonNeg = z.number().nonnegative();

const SpecTask15 = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  parents: z.array(z.string()).default([]),
  children: z.array(z.string()).default([]),
  inputFiles: z.array(z.string()).default([]),
  outputFiles: z.array(z.string()).default([]),
});
const ExecTask15 = z.object({
  id: z.string().min(1),
  runtimeInSeconds: nonNeg,
  command: CommandSchema.optional(),
  avgCPU: nonNeg.optional(),
  coreCount: z.number().positive().optional(),
  memoryInBytes: nonNeg.optional(),
  readBytes: nonNeg.optional(),
  writtenBytes: nonNeg.optional(),
});
const Doc15 = z.object({
  name: z.string().min(1),
  schemaVersion: z.literal('1.5'),
  runtimeSystem: z.object({ name: z.string() }).optional(),
  workflow: z.object({
    specification: z.object({
      tasks: z.array(SpecTask15).min(1),
      files: z.array(z.object({ id: z.string().min(1), sizeInBytes: nonNeg.optional() })).default([]),
    }),
    execution: z.object({
      makespanInSeconds: nonNeg.optional(),
      executedAt: z.string().optional(),
      tasks: z.array(ExecTask15),
    }),
  }),
});

const Task14 = z.object({
  name: z.string().min(1),
  id: z.string().optional(),
  category: z.string().min(1).optional(),
  command: CommandSchema.optional(),
  parents: z.array(z.string()).default([]),
  children: z.array(z.string()).default([]),
  files: z.array(z.object({ name: z.string().min(1), sizeInBytes: nonNeg.optional(), link: z.enum(['input', 'output']) })).default([]),
  runtimeInSeconds: nonNeg,
  cores: z.number().positive().optional(),
  avgCPU: nonNeg.optional(),
  memoryInBytes: nonNeg.optional(),
  writtenBytes: nonNeg.optional(),
});
const Doc14 = z.object({
  name: z.string().min(1),
  schemaVersion: z.literal('1.4'),
  wms: z.object({ name: z.string() }).optional(),
  workflow: z.object({
    makespanInSeconds: nonNeg.optional(),
    executedAt: z.string().optional(),
    tasks: z.array(Task14).min(1),
  }),
});

/** A file a task reads or writes. */
export interface WfFileRef {
  readonly id: string;
  /** Bytes, when the trace records it. */
  readonly sizeInBytes?: number;
}

/** One task of a WfFormat document, normalised across schema versions. */
export interface WfTaskRecord {
  /** The id other tasks name in `parents`/`children` (1.5: `id`; 1.4: `name`). */
  readonly id: string;
  /** `name` as written. */
  readonly name: string;
  /** JSON path of the task, for error messages (e.g. `workflow.specification.tasks[3]`). */
  readonly path: string;
  /** 1.4 `category`, when given. */
  readonly category?: string;
  /** `command.program`, when given. */
  readonly program?: string;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  readonly inputFiles: readonly WfFileRef[];
  readonly outputFiles: readonly WfFileRef[];
  readonly runtimeSec: number;
  /** Cores requested (1.5 `coreCount`, 1.4 `cores`). */
  readonly coreCount?: number;
  /** Average CPU utilisation in percent (may exceed 100 on several cores). */
  readonly avgCpuPercent?: number;
  readonly memoryInBytes?: number;
  readonly writtenBytes?: number;
}

/** A WfFormat document reduced to what prescale needs. */
export interface WfDocument {
  readonly schemaVersion: '1.4' | '1.5';
  readonly name: string;
  /** Runtime system (1.5 `runtimeSystem.name`, 1.4 `wms.name`), e.g. "Pegasus". */
  readonly runtimeSystem?: string;
  readonly makespanSec?: number;
  readonly executedAt?: string;
  readonly tasks: readonly WfTaskRecord[];
}

/**
 * Validates a parsed JSON document as WfFormat 1.4 or 1.5 and normalises its tasks.
 * @throws InputError naming the file and JSON path of the first violation: an unsupported
 *   `schemaVersion`, a missing or mistyped field, or (1.5) a specification task with no execution
 *   record, or an execution record for an unknown task
 */
export function readWfDocument(doc: unknown, file: string): WfDocument {
  const version = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)['schemaVersion'] : undefined;
  if (version === '1.5') {
    const r = Doc15.safeParse(doc);
    if (!r.success) throw inputErrorFromZod(r.error.issues, doc, file);
    return normalise15(r.data, file);
  }
  if (version === '1.4') {
    const r = Doc14.safeParse(doc);
    if (!r.success) throw inputErrorFromZod(r.error.issues, doc, file);
    return normalise14(r.data);
  }
  throw new InputError({ file, field: 'schemaVersion' }, version, 'WfFormat schema version "1.4" or "1.5"');
}

function normalise15(d: z.infer<typeof Doc15>, file: string): WfDocument {
  const sizes = new Map(d.workflow.specification.files.map((f) => [f.id, f.sizeInBytes]));
  const exec = new Map<string, z.infer<typeof ExecTask15>>();
  const specIds = new Set(d.workflow.specification.tasks.map((t) => t.id));
  d.workflow.execution.tasks.forEach((t, i) => {
    if (!specIds.has(t.id)) {
      throw new InputError({ file, field: `workflow.execution.tasks[${i}].id` }, t.id, 'the id of a task in workflow.specification.tasks');
    }
    exec.set(t.id, t);
  });
  // A file id missing from specification.files is kept without a size (sizes are informative).
  const ref = (id: string): WfFileRef => {
    const sizeInBytes = sizes.get(id);
    return sizeInBytes === undefined ? { id } : { id, sizeInBytes };
  };
  const tasks = d.workflow.specification.tasks.map((t, i): WfTaskRecord => {
    const path = `workflow.specification.tasks[${i}]`;
    const e = exec.get(t.id);
    if (!e) throw new InputError({ file, field: `${path}.id` }, t.id, 'a matching entry in workflow.execution.tasks (its runtime)');
    return compact({
      id: t.id, name: t.name, path, program: e.command?.program, parents: t.parents, children: t.children,
      inputFiles: t.inputFiles.map(ref), outputFiles: t.outputFiles.map(ref),
      runtimeSec: e.runtimeInSeconds, coreCount: e.coreCount, avgCpuPercent: e.avgCPU,
      memoryInBytes: e.memoryInBytes, writtenBytes: e.writtenBytes,
    });
  });
  return compact({
    schemaVersion: '1.5' as const, name: d.name, runtimeSystem: d.runtimeSystem?.name,
    makespanSec: d.workflow.execution.makespanInSeconds, executedAt: d.workflow.execution.executedAt, tasks,
  });
}

function normalise14(d: z.infer<typeof Doc14>): WfDocument {
  const tasks = d.workflow.tasks.map((t, i): WfTaskRecord => {
    const file = (link: 'input' | 'output') => t.files.filter((f) => f.link === link).map((f) => compact({ id: f.name, sizeInBytes: f.sizeInBytes }));
    return compact({
      id: t.name, name: t.name, path: `workflow.tasks[${i}]`, category: t.category, program: t.command?.program,
      parents: t.parents, children: t.children, inputFiles: file('input'), outputFiles: file('output'),
      runtimeSec: t.runtimeInSeconds, coreCount: t.cores, avgCpuPercent: t.avgCPU,
      memoryInBytes: t.memoryInBytes, writtenBytes: t.writtenBytes,
    });
  });
  return compact({
    schemaVersion: '1.4' as const, name: d.name, runtimeSystem: d.wms?.name,
    makespanSec: d.workflow.makespanInSeconds, executedAt: d.workflow.executedAt, tasks,
  });
}

/** Drops `undefined` properties (the model is built with exactOptionalPropertyTypes-friendly objects). */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
