/**
 * A pool's SQS queue as a {@link TaskQueue} (SDK v3): long-poll ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage, ReceiveOptions, TaskQueue } from '../../ports/task-queue.js';

/** See the module comment. */
export class SqsTaskQueue implements TaskQueue {
  constructor(private readonly sqs: SQSClient, readonly queueUrl: string) {}

  async send(body: string): Promise<string> {
    const r = await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
    return r.MessageId ?? '';
  }

  async receive(opts: ReceiveOptions): Promise<QueueMessage[]> {
    if (opts.signal?.aborted) return [];
    try {
      const r = await this.sqs.send(new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, opts.maxMessages)),
        WaitTimeSeconds: Math.min(20, Math.max(0, Math.round(opts.waitSec))),
        ...(opts.visibilityTimeoutSec !== undefined ? { VisibilityTimeout: Math.round(opts.visibilityTimeoutSec) } : {}),
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }), { abortSignal: opts.signal });
      return (r.Messages ?? []).map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
      }));
    } catch (e) {
      if (opts.signal?.aborted) return [];
      throw e;
    }
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }));
  }

  async extendVisibility(receiptHandle: string, timeoutSec: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.max(0, Math.round(timeoutSec)) }));
  }
}
