/**
 * Spot interruption warnings and rebalance recommendations, delivered by EventBridge rules to an SQS
 * queue (EC2 User Guide, "Spot Instance interruption notices" and "EC2 instance rebalance
 * recommendations"), drained by the tick as an {@link EventSource}.
 *
 * Event shapes (EventBridge envelope, `source: "aws.ec2"`):
 * - `detail-type: "EC2 Spot Instance Interruption Warning"`, `detail: { "instance-id", "instance-action" }`;
 *   the instance is reclaimed two minutes after `time`;
 * - `detail-type: "EC2 Instance Rebalance Recommendation"`, `detail: { "instance-id" }`.
 * Messages that are not such events are left on the queue, so the redrive policy moves them to the
 * dead-letter queue after `maxReceiveCount` receives.
 */
import { SPOT_INTERRUPTION_NOTICE_SEC, type CloudEvent, type ExecutionEvent } from '../../core/model/index.js';
import type { EventSource, Logger } from '../../ports/index.js';
import { silentLogger } from '../../ports/index.js';
import { readCall } from './errors.js';
import type { SqsApi } from './sdk.js';

/** EventBridge detail-types prescale listens to. */
export const SPOT_INTERRUPTION_DETAIL_TYPE = 'EC2 Spot Instance Interruption Warning';
/** EventBridge detail-type of rebalance recommendations. */
export const REBALANCE_DETAIL_TYPE = 'EC2 Instance Rebalance Recommendation';

/** Parses one message body into a cloud event, or undefined when it is not an EC2 spot event. */
export function parseEc2Event(body: string): CloudEvent | undefined {
  let e: { source?: unknown; 'detail-type'?: unknown; time?: unknown; detail?: { 'instance-id'?: unknown } };
  try {
    e = JSON.parse(body) as typeof e;
  } catch {
    return undefined;
  }
  if (!e || typeof e !== 'object' || e.source !== 'aws.ec2' || typeof e.time !== 'string') return undefined;
  const atMs = Date.parse(e.time);
  const instanceId = e.detail?.['instance-id'];
  if (!Number.isFinite(atMs) || typeof instanceId !== 'string') return undefined;
  const atSec = atMs / 1000;
  if (e['detail-type'] === SPOT_INTERRUPTION_DETAIL_TYPE) {
    return { kind: 'spot-interruption-notice', atSec, instanceId, actionAtSec: atSec + SPOT_INTERRUPTION_NOTICE_SEC };
  }
  if (e['detail-type'] === REBALANCE_DETAIL_TYPE) return { kind: 'rebalance-recommendation', atSec, instanceId };
  return undefined;
}

/** Options of {@link SqsEventSource}. */
export interface SqsEventSourceOptions {
  readonly api: SqsApi;
  readonly queueUrl: string;
  /** Workflow execution events (e.g. the state store's execution log); none when absent. */
  readonly executionEvents?: (sinceSec: number, untilSec: number) => Promise<ExecutionEvent[]>;
  /** At most this many ReceiveMessage calls per drain (10 messages each). @default 10 */
  readonly maxBatches?: number;
  readonly logger?: Logger;
}

/** See module documentation. */
export class SqsEventSource implements EventSource {
  private readonly logger: Logger;

  constructor(private readonly opts: SqsEventSourceOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  /** Receives until the queue is empty (or `maxBatches`), deletes what it parsed, returns events by time. */
  async drainCloudEvents(): Promise<CloudEvent[]> {
    const out: CloudEvent[] = [];
    for (let batch = 0; batch < (this.opts.maxBatches ?? 10); batch++) {
      const res = await readCall('sqs:ReceiveMessage', () => this.opts.api.receiveMessage({
        QueueUrl: this.opts.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30,
      }));
      const messages = res.Messages ?? [];
      if (messages.length === 0) break;
      const done: Array<{ Id: string; ReceiptHandle: string }> = [];
      messages.forEach((m, i) => {
        const ev = parseEc2Event(m.Body ?? '');
        if (!ev) {
          this.logger.warn('ignoring a message that is not an EC2 spot event', { messageId: m.MessageId });
          return;
        }
        out.push(ev);
        if (m.ReceiptHandle) done.push({ Id: String(i), ReceiptHandle: m.ReceiptHandle });
      });
      if (done.length > 0) {
        const del = await readCall('sqs:DeleteMessage', () => this.opts.api.deleteMessageBatch({ QueueUrl: this.opts.queueUrl, Entries: done }));
        for (const f of del.Failed ?? []) this.logger.warn('could not delete a drained message; it may be delivered again', { id: f.Id, code: f.Code });
      }
    }
    return out.sort((a, b) => a.atSec - b.atSec || (a.instanceId ?? '').localeCompare(b.instanceId ?? ''));
  }

  async executionEvents(sinceSec: number, untilSec: number): Promise<ExecutionEvent[]> {
    return this.opts.executionEvents ? this.opts.executionEvents(sinceSec, untilSec) : [];
  }
}
