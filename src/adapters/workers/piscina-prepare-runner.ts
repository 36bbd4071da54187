/**
 * Runs `prepare` phases in isolated worker threads through a Piscina pool (piscina 5). The pool never
 * runs more than `poolSize` preparations at once; further ones wait in Piscina's queue. Aborting the
 * signal cancels a queued preparation and terminates a running one's worker.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { TaskDefinition } from '../../core/model/task.js';
import type { CodeAdmission, Executor } from '../../ports/executor.js';

/** Options of {@link PiscinaPrepareRunner}. */
export interface PiscinaPrepareRunnerOptions {
  /** Worker threads (= most preparations at once). @default 2 */
  readonly poolSize?: number;
  /** Directory `module:./…` prepare locations are resolved against. @default process.cwd() */
  readonly baseDir?: string;
  /**
   * Which locations may run (the task root policy of `serve`); a refused `prepare` location throws
   * before it reaches a worker. @default none (every location the worker can load runs)
   */
  readonly code?: CodeAdmission;
  /** Heap limit per worker, MiB (isolates a runaway preparation). @default 256 */
  readonly maxOldGenerationSizeMb?: number;
  /**
   * Path of the worker script. @default `prepare-worker.mjs` next to this module (bundlers and
   * `tsc` builds do not copy it: ship it alongside and point here)
   */
  readonly workerFilename?: string;
}

/** Prepare-phase runner on a Piscina worker pool. */
export class PiscinaPrepareRunner implements Pick<Executor, 'prepare'> {
  private readonly pool: Piscina;
  private readonly baseDir: string;
  private readonly code: CodeAdmission | undefined;
  readonly poolSize: number;

  constructor(opts: PiscinaPrepareRunnerOptions = {}) {
    this.poolSize = opts.poolSize ?? 2;
    this.code = opts.code;
    this.baseDir = opts.baseDir ?? process.cwd();
    this.pool = new Piscina({
      filename: opts.workerFilename ?? fileURLToPath(new URL('./prepare-worker.mjs', import.meta.url)),
      minThreads: this.poolSize,
      maxThreads: this.poolSize,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? 256 },
    });
  }

  /**
   * Runs `task.prepare` on `input` in a worker.
   * @returns the serialised prepared state
   * @throws Error when the task has no `prepare`, the preparation throws, or `signal` aborts it
   */
  async prepare(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal } = {}): Promise<Buffer> {
    if (!task.prepare) throw new Error(`task ${task.task_id} has no prepare phase`);
    const refused = this.code?.refusal(task.prepare, task.task_id);
    if (refused) throw new Error(`task ${task.task_id}: refused to prepare ${JSON.stringify(task.prepare.slice(0, 120))}: expected ${refused}`);
    const out = (await this.pool.run({ location: task.prepare, baseDir: this.baseDir, input, taskId: task.task_id }, { signal: opts.signal })) as Uint8Array;
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  /** Preparations waiting for a free worker. */
  get queued(): number {
    return this.pool.queueSize;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
