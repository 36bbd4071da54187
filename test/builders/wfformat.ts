/**
 * Builders of small WfCommons WfFormat documents (schema 1.5 and 1.4) for tests.
 *
 * @example
 * const doc = wfDoc15([
 *   { id: 'split_ID0000001', program: 'split', runtimeSec: 10 },
 *   { id: 'work_ID0000002', program: 'work', parents: ['split_ID0000001'], runtimeSec: 30 },
 * ]);
 */

/** One task of a test workflow. */
export interface TestWfTask {
  /** Task id (1.5 `id`, 1.4 `name`). */
  readonly id: string;
  /** `command.program`. @default id without its `_IDnnn` suffix */
  readonly program?: string;
  readonly parents?: readonly string[];
  readonly children?: readonly string[];
  /** @default 10 */
  readonly runtimeSec?: number;
  /** @default 100 (one core busy) */
  readonly avgCPU?: number;
  readonly coreCount?: number;
  readonly memoryInBytes?: number;
  /** Input file ids with sizes. */
  readonly inputs?: ReadonlyArray<readonly [string, number]>;
  /** Output file ids with sizes. */
  readonly outputs?: ReadonlyArray<readonly [string, number]>;
}

/** Options of {@link wfDoc15}. */
export interface TestWfOptions {
  /** @default "Pegasus" */
  readonly runtimeSystem?: string;
  /** @default "2020-04-01T00:00:00Z" */
  readonly executedAt?: string;
  /** @default sum of runtimes */
  readonly makespanSec?: number;
}

/** A WfFormat 1.5 document (specification + execution) holding `tasks`. */
export function wfDoc15(tasks: readonly TestWfTask[], opts: TestWfOptions = {}): Record<string, unknown> {
  const files = new Map<string, number>();
  for (const t of tasks) for (const [id, size] of [...(t.inputs ?? []), ...(t.outputs ?? [])]) files.set(id, size);
  const childrenOf = (id: string) => tasks.filter((t) => t.parents?.includes(id)).map((t) => t.id);
  return {
    name: 'test-workflow',
    description: 'built by test/builders/wfformat.ts',
    createdAt: '2020-04-01T00:00:00Z',
    schemaVersion: '1.5',
    runtimeSystem: { name: opts.runtimeSystem ?? 'Pegasus', version: '5.0', url: 'https://pegasus.isi.edu' },
    workflow: {
      specification: {
        tasks: tasks.map((t) => ({
          name: t.id,
          id: t.id,
          parents: [...(t.parents ?? [])],
          children: [...(t.children ?? childrenOf(t.id))],
          inputFiles: (t.inputs ?? []).map(([id]) => id),
          outputFiles: (t.outputs ?? []).map(([id]) => id),
        })),
        files: [...files].map(([id, sizeInBytes]) => ({ id, sizeInBytes })),
      },
      execution: {
        makespanInSeconds: opts.makespanSec ?? tasks.reduce((s, t) => s + (t.runtimeSec ?? 10), 0),
        executedAt: opts.executedAt ?? '2020-04-01T00:00:00Z',
        tasks: tasks.map((t) => ({
          id: t.id,
          runtimeInSeconds: t.runtimeSec ?? 10,
          command: { program: t.program ?? t.id.replace(/_ID\d+$/, ''), arguments: [] },
          avgCPU: t.avgCPU ?? 100,
          ...(t.coreCount !== undefined ? { coreCount: t.coreCount } : {}),
          ...(t.memoryInBytes !== undefined ? { memoryInBytes: t.memoryInBytes } : {}),
        })),
        machines: [{ nodeName: 'worker-1', cpu: { coreCount: 48 } }],
      },
    },
  };
}

/** A WfFormat 1.4 document (one `workflow.tasks` list, parents by name, files with `link`). */
export function wfDoc14(tasks: readonly TestWfTask[], opts: TestWfOptions & { category?: boolean } = {}): Record<string, unknown> {
  return {
    name: 'test-workflow-14',
    schemaVersion: '1.4',
    wms: { name: opts.runtimeSystem ?? 'Pegasus', version: '4.9' },
    workflow: {
      makespanInSeconds: opts.makespanSec ?? tasks.reduce((s, t) => s + (t.runtimeSec ?? 10), 0),
      executedAt: opts.executedAt ?? '2020-04-01T00:00:00Z',
      tasks: tasks.map((t) => ({
        name: t.id,
        type: 'compute',
        ...(opts.category ? { category: t.program ?? t.id.replace(/_ID\d+$/, '') } : {}),
        command: { program: t.program ?? t.id.replace(/_ID\d+$/, ''), arguments: [] },
        parents: [...(t.parents ?? [])],
        files: [
          ...(t.inputs ?? []).map(([name, sizeInBytes]) => ({ name, sizeInBytes, link: 'input' })),
          ...(t.outputs ?? []).map(([name, sizeInBytes]) => ({ name, sizeInBytes, link: 'output' })),
        ],
        runtimeInSeconds: t.runtimeSec ?? 10,
        avgCPU: t.avgCPU ?? 100,
        ...(t.coreCount !== undefined ? { cores: t.coreCount } : {}),
        ...(t.memoryInBytes !== undefined ? { memoryInBytes: t.memoryInBytes } : {}),
      })),
    },
  };
}

/**
 * A diamond workflow: `split` → two `work` tasks → `merge`, runtimes 10, 30 / 50, 20 seconds.
 * Earliest starts: split 0, works 10, merge 60; makespan 80.
 */
export function diamondTasks(): TestWfTask[] {
  return [
    { id: 'split_ID0000001', runtimeSec: 10, outputs: [['part.0', 100], ['part.1', 200]] },
    { id: 'work_ID0000002', parents: ['split_ID0000001'], runtimeSec: 30, avgCPU: 250, inputs: [['part.0', 100]], outputs: [['out.0', 10]] },
    { id: 'work_ID0000003', parents: ['split_ID0000001'], runtimeSec: 50, memoryInBytes: 3 * 2 ** 30, inputs: [['part.1', 200]], outputs: [['out.1', 20]] },
    { id: 'merge_ID0000004', parents: ['work_ID0000002', 'work_ID0000003'], runtimeSec: 20, coreCount: 4, inputs: [['out.0', 10], ['out.1', 20]] },
  ];
}
