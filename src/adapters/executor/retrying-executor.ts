/**
 * Retries and timeouts around any {@link Executor}, with AWS Step Functions semantics: each attempt
 * is bounded by the task's `timeoutSec` (States.Timeout); a failed attempt is retried up to
 * `retry.maxAttempts` more times after `retryDelaySec` (IntervalSeconds × BackoffRate^(n−1), full
 * jitter optional). An abort from the caller's signal is never retried.
 */
import { retryDelaySec } from '../../core/compose/retry.js';
import type { Random, TaskDefinition } from '../../core/model/index.js';
import type { Executor } from '../../ports/executor.js';

/** A States.Timeout: the attempt ran longer than the task's `timeoutSec`. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
  constructor(readonly taskId: string, readonly timeoutSec: number) {
    super(`States.Timeout: task ${taskId} exceeded ${timeoutSec} s`);
  }
}

/** A task failed on its last attempt. */
export class TaskFailedError extends Error {
  override readonly name = 'TaskFailedError';
  constructor(readonly taskId: string, readonly attempts: number, readonly lastError: Error) {
    super(`task ${taskId} failed after ${attempts} attempt(s): ${lastError.message}`);
  }
}

/** Options of {@link RetryingExecutor}. */
export interface RetryingExecutorOptions {
  /** Seeded randomness for full jitter. */
  readonly random: Random;
  /** Waits `ms` milliseconds (injected so tests need not wait); default: setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry. */
  readonly onRetry?: (task: TaskDefinition, retryNumber: number, error: Error, delaySec: number) => void;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res, rej) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      rej(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

/** Adds timeouts and Step Functions retries to an executor. */
export class RetryingExecutor implements Executor {
  /** @param inner the executor running single attempts */
  constructor(private readonly inner: Executor, private readonly options: RetryingExecutorOptions) {}

  /**
   * Runs `task` with timeout and retries.
   * @throws TaskFailedError after the last failed attempt; the caller's abort reason when aborted
   */
  async run(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal; preparedState?: Buffer }): Promise<unknown> {
    return this.withRetries(task, opts.signal, (signal) => this.inner.run(task, input, { ...opts, signal }));
  }

  /** Runs the `prepare` phase with the same timeout and retries. */
  async prepare(task: TaskDefinition, input: unknown, opts: { signal?: AbortSignal }): Promise<Buffer> {
    return this.withRetries(task, opts.signal, (signal) => this.inner.prepare(task, input, { signal }));
  }

  private async withRetries<T>(task: TaskDefinition, outer: AbortSignal | undefined, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const sleep = this.options.sleep ?? defaultSleep;
    for (let n = 0; ; n++) {
      outer?.throwIfAborted();
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(new TaskTimeoutError(task.task_id, task.timeoutSec)), task.timeoutSec * 1000);
      const onOuter = (): void => ctl.abort(outer?.reason);
      outer?.addEventListener('abort', onOuter, { once: true });
      try {
        return await attempt(ctl.signal);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (outer?.aborted) throw outer.reason instanceof Error ? outer.reason : err;
        const delaySec = retryDelaySec(task.retry, n + 1, this.options.random.next());
        if (delaySec === undefined) throw new TaskFailedError(task.task_id, n + 1, err);
        this.options.onRetry?.(task, n + 1, err, delaySec);
        await sleep(delaySec * 1000, outer);
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onOuter);
      }
    }
  }
}
