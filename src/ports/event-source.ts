import type { CloudEvent, ExecutionEvent } from '../core/model/index.js';

/** Where events come from: an SQS queue fed by EventBridge in AWS, the simulator in a backtest. */
export interface EventSource {
  /** Cloud events (spot notices, rebalance recommendations) not yet drained; each returned once. */
  drainCloudEvents(): Promise<CloudEvent[]>;
  /** Workflow execution events with `sinceSec <= atSec < untilSec`, ordered by time. */
  executionEvents(sinceSec: number, untilSec: number): Promise<ExecutionEvent[]>;
}
