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
 *   Progress (issue 22, intensity): file descriptor 3 is a pipe for progress reports, named by
 *   `PRESCALE_PROGRESS_FD=3`; the command writes one fraction per line (`echo 0.25 >&3`). It is a
 *   channel of its own, so stdout stays the output document. Lines are untrusted: a line longer than
 *   {@link MAX_PROGRESS_LINE_BYTES} or that is not a plain decimal number (digits and one dot, no
 *   sign, exponent, unit or text) is ignored, and only the first {@link MAX_PROGRESS_LINES} lines are
 *   looked at (the rest is read and dropped, so the command never blocks on a full pipe). The worker's
 *   reporter then applies the same limits as `ctx.progress` (app/worker/progress-reporter.ts: values in
 *   [0, 1], one event per 5 s, 100 per attempt).
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { TaskDefinition } from '../../core/model/index.js';
import type { Executor } from '../../ports/executor.js';
import { TaskRootPolicy } from './code-policy.js';

/** The file descriptor of a `command:` task's progress pipe (also in its environment as `PRESCALE_PROGRESS_FD`). */
export const PROGRESS_FD = 3;
/** Longest progress line taken, bytes (a fraction needs a handful; longer lines are ignored whole). */
export const MAX_PROGRESS_LINE_BYTES = 32;
/** Progress lines looked at per run; later ones are drained unread. */
export const MAX_PROGRESS_LINES = 10_000;
const FRACTION_LINE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A line splitter for a command's progress pipe: calls `onValue` with the number of each acceptable
 * line (see the module comment); everything else is dropped without buffering more than one line.
 */
export function progressLineParser(onValue: (fraction: number) => void): (chunk: Buffer) => void {
  let line = '';
  let overlong = false;
  let lines = 0;
  const end = (): void => {
    lines++;
    const text = line.trim();
    if (!overlong && FRACTION_LINE.test(text)) onValue(Number(text));
    line = '';
    overlong = false;
  };
  return (chunk: Buffer) => {
    if (lines >= MAX_PROGRESS_LINES) return;
    let from = 0;
    for (let i = 0; i < chunk.length && lines < MAX_PROGRESS_LINES; i++) {
      if (chunk[i] !== 0x0a) continue;
      if (!overlong) line += chunk.subarray(from, i).toString('latin1');
      if (line.length > MAX_PROGRESS_LINE_BYTES) overlong = true;
      end();
      from = i + 1;
    }
    if (lines >= MAX_PROGRESS_LINES || overlong) return;
    line += chunk.subarray(from).toString('latin1');
    if (line.length > MAX_PROGRESS_LINE_BYTES) {
      overlong = true;
      line = '';
    }
  };
}

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
    if (location.startsWith('command:')) return this.runCommand(location.slice('command:'.length), taskId, input, signal, progress);
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

  private runCommand(command: string, taskId: string, input: unknown, signal: AbortSignal | undefined, progress?: (fraction: number) => void): Promise<unknown> {
    return new Promise((res, rej) => {
      // fd 3 is always open (a command writing to it never fails on a closed descriptor), read only when someone listens
      const child = spawn('sh', ['-c', command], { cwd: this.baseDir, env: { ...process.env, PRESCALE_TASK_ID: taskId, PRESCALE_PROGRESS_FD: String(PROGRESS_FD) }, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const progressPipe = child.stdio[PROGRESS_FD] as NodeJS.ReadableStream | null;
      const onLine = progress ? progressLineParser((f) => { try { progress(f); } catch { /* a listener's failure is not the step's */ } }) : undefined;
      progressPipe?.on('data', (d: Buffer) => onLine?.(d));
      progressPipe?.on('error', () => undefined);
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
