/**
 * The local executor: runs task code on this machine (issue 4, "Executor"). Two location schemes:
 * - `module:<path>#<export>`: an ES module (TypeScript works under tsx) resolved against `baseDir`;
 *   the export (default `default`) is called as `fn(input, { taskId, signal, preparedState, progress })`
 *   and its (awaited) return value is the output document; `progress(fraction)` reports the fraction
 *   done (0..1) of a long step (the worker writes it as a `progress` event, rate-limited);
 * - `command:<shell command>`: only a location the operator allowed (`commandTasks`); run with `sh -c`
 *   in the task root; the input document is written to stdin
 *   as JSON, stdout is parsed as the JSON output (empty → `{}`); exit code ≠ 0 fails the attempt.
 *   `PRESCALE_TASK_ID` is set in the environment. Aborting kills the process group.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { TaskDefinition } from '../../core/model/index.js';
import type { Executor } from '../../ports/executor.js';
import { TaskRootPolicy } from './code-policy.js';

/** What a `module:` task function receives besides its input. */
export interface TaskContext {
  readonly taskId: string;
  readonly signal?: AbortSignal;
  /** Parsed state from `prepare`, when the step was pre-executed. */
  readonly preparedState?: unknown;
  /**
   * Reports the fraction done of a long step, a number in [0, 1] (issue 22, intensity): the worker
   * writes it as a `progress` execution event (rate-limited; bad values are ignored). Always present
   * (a no-op where nothing listens).
   */
  readonly progress: (fraction: number) => void;
}

/** Runs `module:` and `command:` task locations. */
export class LocalExecutor implements Executor {
  private readonly policy: TaskRootPolicy;
  private readonly baseDir: string;

  /**
   * @param root the task root, or a policy over it: relative `module:` paths resolve against it and
   *   every module must be under it; with a bare directory no `command:` location runs
   */
  constructor(root: string | TaskRootPolicy = process.cwd()) {
    this.policy = typeof root === 'string' ? new TaskRootPolicy(root) : root;
    this.baseDir = this.policy.root;
  }

  /** Runs `task.executable_code_location` once on `input`; `preparedState` (JSON) is passed as `ctx.preparedState`. */
  async run(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal; preparedState?: Buffer; progress?: (fraction: number) => void }): Promise<unknown> {
    const prepared = opts.preparedState && opts.preparedState.length > 0 ? JSON.parse(opts.preparedState.toString('utf8')) : undefined;
    return this.invoke(task.executable_code_location, task.task_id, input, opts.signal, prepared, opts.progress);
  }

  /** Runs `task.prepare` (same location schemes) and returns its result as JSON bytes; empty when there is none. */
  async prepare(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal }): Promise<Buffer> {
    if (!task.prepare) return Buffer.alloc(0);
    const state = await this.invoke(task.prepare, task.task_id, input, opts.signal, undefined);
    return Buffer.from(JSON.stringify(state ?? null), 'utf8');
  }

  private async invoke(location: string, taskId: string, input: unknown, signal: AbortSignal | undefined, preparedState: unknown, progress?: (fraction: number) => void): Promise<unknown> {
    signal?.throwIfAborted();
    const refused = this.policy.refusal(location, taskId);
    if (refused) throw new Error(`task ${taskId}: refused to run ${JSON.stringify(location.slice(0, 120))}: expected ${refused}`);
    if (location.startsWith('module:')) return this.runModule(location.slice('module:'.length), taskId, input, signal, preparedState, progress);
    if (location.startsWith('command:')) return this.runCommand(location.slice('command:'.length), taskId, input, signal);
    throw new Error(`task ${taskId}: the local executor runs module: and command: locations, not ${JSON.stringify(location)}`);
  }

  private async runModule(spec: string, taskId: string, input: unknown, signal: AbortSignal | undefined, preparedState: unknown, progress?: (fraction: number) => void): Promise<unknown> {
    const resolved = this.policy.resolveModule(`module:${spec}`);
    if ('refusal' in resolved) throw new Error(`task ${taskId}: expected ${resolved.refusal}`);
    const { path: abs, exportName } = resolved;
    const mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    const fn = mod[exportName];
    if (typeof fn !== 'function') throw new Error(`task ${taskId}: ${abs} has no function export ${exportName}`);
    const ctx: TaskContext = { taskId, signal, preparedState, progress: (f: number) => { try { progress?.(f); } catch { /* a listener's failure is not the step's */ } } };
    const work = Promise.resolve((fn as (i: unknown, c: TaskContext) => unknown)(input, ctx));
    if (!signal) return work;
    return new Promise((res, rej) => {
      const onAbort = (): void => rej(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          res(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          rej(e);
        },
      );
    });
  }

  private runCommand(command: string, taskId: string, input: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((res, rej) => {
      const child = spawn('sh', ['-c', command], { cwd: this.baseDir, env: { ...process.env, PRESCALE_TASK_ID: taskId }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      const onAbort = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        rej(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => {
        signal?.removeEventListener('abort', onAbort);
        rej(e);
      });
      child.on('close', (code) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return;
        if (code !== 0) return rej(new Error(`task ${taskId}: command exited with ${code}: ${err.trim().slice(-500)}`));
        const text = out.trim();
        if (text === '') return res({});
        try {
          res(JSON.parse(text));
        } catch {
          rej(new Error(`task ${taskId}: command output is not JSON: ${text.slice(0, 200)}`));
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(JSON.stringify(input ?? {}));
    });
  }
}
