/**
 * A pool's work queue: SQS in AWS, an in-memory queue locally. Step messages arrive here from the
 * engine's `sqs:sendMessage.waitForTaskToken` tasks and are taken by `prescale worker`.
 */

/** A received message. */
export interface QueueMessage {
  readonly messageId: string;
  /** Handle for delete / visibility changes of this receipt. */
  readonly receiptHandle: string;
  readonly body: string;
  /** How often it has been received (1 on the first receipt). */
  readonly receiveCount: number;
}

/** Options of {@link TaskQueue.receive}. */
export interface ReceiveOptions {
  /** At most this many messages (SQS: 1..10). */
  readonly maxMessages: number;
  /** Long-poll: wait up to this many seconds for a message (SQS: 0..20). */
  readonly waitSec: number;
  /** Seconds the received messages stay invisible to other receivers. */
  readonly visibilityTimeoutSec?: number;
  /** Ends the wait early (returns what arrived, usually nothing). */
  readonly signal?: AbortSignal;
}

/** One queue. */
export interface TaskQueue {
  /** Sends a message. @returns its message id */
  send(body: string): Promise<string>;
  /** Long-polls for messages; resolves with none when `waitSec` passes or `signal` aborts. */
  receive(opts: ReceiveOptions): Promise<QueueMessage[]>;
  /** Deletes a received message. */
  delete(receiptHandle: string): Promise<void>;
  /** Sets the message's remaining invisibility to `timeoutSec` (0 releases it to other receivers now). */
  extendVisibility(receiptHandle: string, timeoutSec: number): Promise<void>;
}
