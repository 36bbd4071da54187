/**
 * A {@link TaskQueue} decorator for the pools `prescale serve` hands to separate worker processes:
 * it remembers which step messages were delivered (by task token, with the step's vCPU), so the
 * chain service can tell how many units of a remote pool are busy (a step reached while the pool is
 * full waits for capacity and is prepared meanwhile), as it can for in-process workers.
 * A delivered step stops counting when its token is no longer live in the engine (reported,
 * heartbeat timed out, execution stopped) or when the worker gives the message back (visibility 0).
 */
import type { QueueMessage, ReceiveOptions, TaskQueue } from '../../ports/task-queue.js';

/** Options of {@link TrackingTaskQueue}. */
export interface TrackingOptions {
  /** vCPU of the step a message body names (undefined: not a step this server knows; counts 0). */
  readonly unitsOf: (body: string) => number | undefined;
  /** True while the engine still waits for the token's callback. */
  readonly isLive: (taskToken: string) => boolean;
}

/** See the module comment. */
export class TrackingTaskQueue implements TaskQueue {
  /** task token → vCPU of its step */
  private readonly delivered = new Map<string, number>();
  /** receipt handle → task token */
  private readonly receipts = new Map<string, string>();

  constructor(readonly inner: TaskQueue, private readonly opts: TrackingOptions) {}

  send(body: string): Promise<string> {
    return this.inner.send(body);
  }

  async receive(opts: ReceiveOptions): Promise<QueueMessage[]> {
    const got = await this.inner.receive(opts);
    for (const m of got) {
      const token = tokenOf(m.body);
      if (!token) continue;
      this.delivered.set(token, this.opts.unitsOf(m.body) ?? 0);
      this.receipts.set(m.receiptHandle, token);
    }
    return got;
  }

  async delete(receiptHandle: string): Promise<void> {
    this.receipts.delete(receiptHandle);
    await this.inner.delete(receiptHandle);
  }

  async extendVisibility(receiptHandle: string, timeoutSec: number): Promise<void> {
    if (timeoutSec === 0) {
      const token = this.receipts.get(receiptHandle);
      if (token) this.delivered.delete(token);
      this.receipts.delete(receiptHandle);
    }
    await this.inner.extendVisibility(receiptHandle, timeoutSec);
  }

  /** vCPU of the delivered steps the engine still waits for. */
  unitsInUse(): number {
    let units = 0;
    for (const [token, u] of this.delivered) {
      if (this.opts.isLive(token)) units += u;
      else this.delivered.delete(token);
    }
    return units;
  }
}

function tokenOf(body: string): string | undefined {
  try {
    const t = (JSON.parse(body) as { taskToken?: unknown }).taskToken;
    return typeof t === 'string' && t.length > 0 ? t : undefined;
  } catch {
    return undefined;
  }
}
