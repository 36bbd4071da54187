/**
 * Events the controller observes: workflow execution events (seed 001's signals) and cloud events
 * (spot interruption notices and rebalance recommendations, delivered by EventBridge).
 */

/** One workflow step signal (seed 001: state changes with timestamps, plus an intensity 0..1). */
export interface ExecutionEvent {
  readonly chainId: string;
  readonly workflow: string;
  readonly variant?: string;
  readonly taskId: string;
  readonly taskType: string;
  readonly kind: 'submitted' | 'started' | 'progress' | 'finished' | 'failed';
  /** Epoch seconds. */
  readonly atSec: number;
  /** Degree of completion 0..1 for `progress` events. */
  readonly intensity?: number;
  readonly principal?: string;
  /** Bytes the step produced, when known (edge data size). */
  readonly outputBytes?: number;
  /** Channel the chain came in through (seed 000: IVR, web, mobile, api), when known; a prediction context. */
  readonly channel?: string;
  /** vCPUs the step ran with, when known (node resource statistics). */
  readonly vcpu?: number;
  /** Memory the step ran with, GiB, when known (node resource statistics). */
  readonly memoryGiB?: number;
  /**
   * EC2 instance the step runs on, when the executor reports it (e.g. an ECS task's container
   * instance); lets the tick protect instances running critical steps from spot interruptions.
   */
  readonly instanceId?: string;
  /** Engine execution name (Step Functions execution name) the step ran in, for engine-run steps. */
  readonly executionName?: string;
  /** Pool whose worker ran the step. */
  readonly poolId?: string;
  /** Seconds the step ran (on `finished` / `failed` events written by a worker). */
  readonly runtimeSec?: number;
  /**
   * How the step's setup went (worker events): `resumed` from a prepared state, `not-prepared`,
   * `cache-unavailable`, or `none` (no `prepare` phase, or a critical step).
   */
  readonly setupOutcome?: 'resumed' | 'not-prepared' | 'cache-unavailable' | 'none';
  /** Setup seconds skipped by resuming a prepared state. */
  readonly setupSavedSec?: number;
  /** Error name and message of a `failed` event. */
  readonly error?: string;
}

/** A cloud event about capacity. */
export interface CloudEvent {
  readonly kind: 'spot-interruption-notice' | 'rebalance-recommendation' | 'insufficient-capacity';
  readonly atSec: number;
  readonly instanceId?: string;
  readonly offeringId?: string;
  /** For interruption notices: when the instance is reclaimed (notice time + 120 s on AWS). */
  readonly actionAtSec?: number;
}

/** AWS gives two minutes' notice before reclaiming a spot instance (EC2 User Guide, "Spot Instance interruption notices"). */
export const SPOT_INTERRUPTION_NOTICE_SEC = 120;
