import type { CloudEvent, ExecutionEvent } from '../core/model/index.js';

/** Where events come from: an SQS queue fed by EventBridge in AWS, the simulator in a backtest. */
export interface EventSource {
  /**
   * Cloud events (spot notices, rebalance recommendations) not yet committed. A source with `commit`
   * may return an event again until a commit follows the drain that returned it (at-least-once).
   */
  drainCloudEvents(): Promise<CloudEvent[]>;
  /** Acknowledges the events drained so far, once the tick that used them has persisted its state. */
  commit?(): Promise<void>;
  /** Workflow execution events with `sinceSec <= atSec < untilSec`, ordered by time. */
  executionEvents(sinceSec: number, untilSec: number): Promise<ExecutionEvent[]>;
}
