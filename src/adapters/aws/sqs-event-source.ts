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
 *
 * At-least-once: a drain deletes nothing. The tick calls {@link SqsEventSource.commit} once the state
 * that used the events is persisted; a tick that crashes before leaves them on the queue, and SQS
 * delivers them again after the visibility timeout (the spot stage ignores an instance it already
 * replaced). Receives are long polls (`WaitTimeSeconds` ≥ 1): a short poll samples only some of
 * SQS's servers and can come back empty while messages wait ("Amazon SQS short and long polling",
 * SQS Developer Guide), so an empty short poll proves nothing; an empty long poll does. A drain
 * long-polls for at most the time the tick can spare (`pollBudgetSec`, at most 20 s per receive, the
 * SQS maximum) and stops at the first empty receive.
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
  /**
   * Seconds the tick can spare for long polling, asked at the start of each drain (e.g. from the
   * Lambda's remaining time). Each receive waits at most the rest of it, at least 1 s. @default 2
   */
  readonly pollBudgetSec?: () => number;
  /**
   * Seconds a received message stays invisible to other receivers: longer than a tick, so a message
   * is not delivered twice while the tick that received it still runs. @default 300
   */
  readonly visibilityTimeoutSec?: number;
  /** Wall clock in milliseconds (for the poll budget). @default Date.now */
  readonly nowMs?: () => number;
  readonly logger?: Logger;
}

/** SQS's longest long poll, seconds (ReceiveMessage `WaitTimeSeconds`, 0..20). */
export const SQS_MAX_WAIT_SEC = 20;

/** See module documentation. */
export class SqsEventSource implements EventSource {
  private readonly logger: Logger;

  constructor(private readonly opts: SqsEventSourceOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  /** Receipt handles of the events returned by drains since the last commit. */
  private uncommitted: string[] = [];

  /**
   * Long-polls until a receive comes back empty, the poll budget is spent or `maxBatches` receives;
   * returns the parsed events by time. Deletes nothing (see {@link SqsEventSource.commit}).
   */
  async drainCloudEvents(): Promise<CloudEvent[]> {
    const out: CloudEvent[] = [];
    const now = this.opts.nowMs ?? Date.now;
    const deadlineMs = now() + Math.max(0, this.opts.pollBudgetSec?.() ?? 2) * 1000;
    for (let batch = 0; batch < (this.opts.maxBatches ?? 10); batch++) {
      const waitSec = Math.min(SQS_MAX_WAIT_SEC, Math.max(1, Math.floor((deadlineMs - now()) / 1000)));
      const res = await readCall('sqs:ReceiveMessage', () => this.opts.api.receiveMessage({
        QueueUrl: this.opts.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSec, VisibilityTimeout: this.opts.visibilityTimeoutSec ?? 300,
      }));
      const messages = res.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        const ev = parseEc2Event(m.Body ?? '');
        if (!ev) {
          this.logger.warn('ignoring a message that is not an EC2 spot event', { messageId: m.MessageId });
          continue;
        }
        out.push(ev);
        if (m.ReceiptHandle) this.uncommitted.push(m.ReceiptHandle);
      }
      if (now() >= deadlineMs) break;
    }
    return out.sort((a, b) => a.atSec - b.atSec || (a.instanceId ?? '').localeCompare(b.instanceId ?? ''));
  }

  /**
   * Deletes the messages of the events drained so far: call once the tick that used them persisted.
   * A message whose delete fails is delivered again later (logged).
   */
  async commit(): Promise<void> {
    const handles = this.uncommitted;
    this.uncommitted = [];
    for (let i = 0; i < handles.length; i += 10) {
      const entries = handles.slice(i, i + 10).map((ReceiptHandle, k) => ({ Id: String(k), ReceiptHandle }));
      const del = await readCall('sqs:DeleteMessage', () => this.opts.api.deleteMessageBatch({ QueueUrl: this.opts.queueUrl, Entries: entries }));
      for (const f of del.Failed ?? []) this.logger.warn('could not delete a drained message; it may be delivered again', { id: f.Id, code: f.Code });
    }
  }

  async executionEvents(sinceSec: number, untilSec: number): Promise<ExecutionEvent[]> {
    return this.opts.executionEvents ? this.opts.executionEvents(sinceSec, untilSec) : [];
  }
}
