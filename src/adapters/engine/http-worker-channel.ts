/**
 * The worker's side of `prescale serve`'s worker channel (src/adapters/http/worker-channel.ts): a
 * pool's {@link TaskQueue}, the {@link TaskCallbacks}, the events log and the registered task of a
 * step, over HTTP with a worker bearer token. A `prescale worker --serve-url` runs the same
 * {@link PoolWorker} loop with these as it runs with SQS and Step Functions on AWS.
 */
import type { TaskDefinition } from '../../core/model/task.js';
import type { QueueMessage, ReceiveOptions, TaskQueue } from '../../ports/task-queue.js';
import { TaskTokenInvalidError, type TaskCallbacks } from '../../ports/workflow-engine.js';

/** Seconds a non-polling request may take before it is abandoned. */
const REQUEST_TIMEOUT_SEC = 30;

/** The channel's answer was not 2xx (status and the server's reason). */
export class WorkerChannelError extends Error {
  override readonly name = 'WorkerChannelError';
  constructor(readonly status: number, reason: string) {
    super(`worker channel answered ${status}: ${reason}`);
  }
}

/** See the module comment. */
export class HttpWorkerChannel implements TaskCallbacks {
  private readonly base: string;

  /**
   * @param serveUrl the worker channel's base URL (`serve` logs it as `workerChannelUrl`)
   * @param token a worker token of the server's `workerChannel.tokens`
   */
  constructor(serveUrl: string, private readonly token: string) {
    this.base = serveUrl.replace(/\/+$/, '');
  }

  /** The queue of `poolId` on the server. */
  queue(poolId: string): TaskQueue {
    const path = `/v1/pools/${encodeURIComponent(poolId)}`;
    return {
      send: async () => {
        throw new Error('workers do not send step messages (the engine does)');
      },
      receive: async (opts: ReceiveOptions): Promise<QueueMessage[]> => {
        if (opts.signal?.aborted) return [];
        try {
          const r = await this.call<{ messages: Array<{ message_id: string; receipt_handle: string; body: string; receive_count: number }> }>('POST', `${path}/receive`, {
            max_messages: opts.maxMessages, wait_sec: opts.waitSec, ...(opts.visibilityTimeoutSec !== undefined ? { visibility_timeout_sec: opts.visibilityTimeoutSec } : {}),
          }, opts.waitSec + REQUEST_TIMEOUT_SEC, opts.signal);
          return r.messages.map((m) => ({ messageId: m.message_id, receiptHandle: m.receipt_handle, body: m.body, receiveCount: m.receive_count }));
        } catch (e) {
          if (opts.signal?.aborted) return [];
          throw e;
        }
      },
      delete: async (receiptHandle) => {
        await this.call('POST', `${path}/delete`, { receipt_handle: receiptHandle });
      },
      extendVisibility: async (receiptHandle, timeoutSec) => {
        await this.call('POST', `${path}/visibility`, { receipt_handle: receiptHandle, timeout_sec: timeoutSec });
      },
    };
  }

  async sendTaskSuccess(taskToken: string, outputJson: string): Promise<void> {
    await this.call('POST', '/v1/tasks/success', { task_token: taskToken, output: outputJson });
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await this.call('POST', '/v1/tasks/failure', { task_token: taskToken, error, cause });
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    await this.call('POST', '/v1/tasks/heartbeat', { task_token: taskToken });
  }

  /** Appends step events (ExecutionEvent documents) to the server's execution-events log (the worker's `events.append`). */
  async append<T extends { readonly atSec: number }>(log: string, events: readonly T[]): Promise<void> {
    await this.call('POST', '/v1/events', { log, events });
  }

  /** The registered task an admitted execution's step runs, or undefined when the server has none. */
  async task(executionName: string, variant: string, taskId: string): Promise<TaskDefinition | undefined> {
    try {
      const r = await this.call<{ task: TaskDefinition }>('GET', `/v1/executions/${encodeURIComponent(executionName)}/tasks/${encodeURIComponent(taskId)}?variant=${encodeURIComponent(variant)}`);
      return r.task;
    } catch (e) {
      if (e instanceof WorkerChannelError && e.status === 404) return undefined;
      throw e;
    }
  }

  private async call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutSec = REQUEST_TIMEOUT_SEC, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutSec * 1000);
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await r.text();
    let doc: { reason?: string } & Record<string, unknown> = {};
    try {
      doc = text ? (JSON.parse(text) as typeof doc) : {};
    } catch {
      doc = { reason: text.slice(0, 200) };
    }
    if (r.status === 410) throw new TaskTokenInvalidError(doc.reason ?? 'task token is unknown or has expired');
    if (!r.ok) throw new WorkerChannelError(r.status, doc.reason ?? r.statusText);
    return doc as T;
  }
}
