/**
 * An in-process {@link TaskQueue} with SQS semantics: received messages stay invisible for their
 * visibility timeout and come back when not deleted; long polls wake when a message arrives.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.js';
import type { QueueMessage, ReceiveOptions, TaskQueue } from '../../ports/task-queue.js';
import { systemClock } from '../clock/system-clock.js';

interface Entry {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  /** Epoch ms until which it is invisible. */
  invisibleUntilMs: number;
  receipt?: string;
}

/** Default visibility timeout, seconds (SQS default: 30). */
const DEFAULT_VISIBILITY_SEC = 30;

/** See the module comment. */
export class MemoryTaskQueue implements TaskQueue {
  private readonly entries: Entry[] = [];
  private readonly waiters = new Set<() => void>();

  /**
   * @param clock tells time (visibility timeouts, long-poll deadlines) and times the long polls'
   *   waits: the wall clock in production, a test's or the simulator's clock otherwise
   */
  constructor(private readonly clock: Clock = systemClock) {}

  /** Now, epoch milliseconds. */
  private nowMs(): number {
    return this.clock.nowSec() * 1000;
  }

  async send(body: string): Promise<string> {
    const e: Entry = { messageId: randomUUID(), body, receiveCount: 0, invisibleUntilMs: 0 };
    this.entries.push(e);
    for (const w of [...this.waiters]) w();
    return e.messageId;
  }

  async receive(opts: ReceiveOptions): Promise<QueueMessage[]> {
    const deadline = this.nowMs() + opts.waitSec * 1000;
    for (;;) {
      const got = this.take(opts);
      if (got.length > 0 || opts.signal?.aborted) return got;
      const left = deadline - this.nowMs();
      if (left <= 0) return [];
      const nextVisible = Math.min(...this.entries.map((e) => e.invisibleUntilMs).filter((t) => t > this.nowMs()), Infinity);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          timer.cancel();
          this.waiters.delete(done);
          opts.signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = this.clock.setTimer(Math.max(1, Math.min(left, nextVisible - this.nowMs())), done);
        this.waiters.add(done);
        opts.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  async delete(receiptHandle: string): Promise<void> {
    const i = this.entries.findIndex((e) => e.receipt === receiptHandle);
    if (i >= 0) this.entries.splice(i, 1);
  }

  async extendVisibility(receiptHandle: string, timeoutSec: number): Promise<void> {
    const e = this.entries.find((x) => x.receipt === receiptHandle);
    if (!e) return;
    e.invisibleUntilMs = this.nowMs() + timeoutSec * 1000;
    if (timeoutSec === 0) for (const w of [...this.waiters]) w();
  }

  /** Messages waiting or in flight. */
  get depth(): number {
    return this.entries.length;
  }

  private take(opts: ReceiveOptions): QueueMessage[] {
    const now = this.nowMs();
    const out: QueueMessage[] = [];
    for (const e of this.entries) {
      if (out.length >= opts.maxMessages) break;
      if (e.invisibleUntilMs > now) continue;
      e.receiveCount++;
      e.receipt = randomUUID();
      e.invisibleUntilMs = now + (opts.visibilityTimeoutSec ?? DEFAULT_VISIBILITY_SEC) * 1000;
      out.push({ messageId: e.messageId, receiptHandle: e.receipt, body: e.body, receiveCount: e.receiveCount });
    }
    return out;
  }
}
