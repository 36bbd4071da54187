/**
 * Workload records of the simulator: chains (submitted workflow instances) and their tasks.
 */
import type { TaskDefinition } from '../../core/model/index.js';

/** One chain arrival: when a principal submits a workflow. */
export interface ChainArrival {
  /** Epoch seconds. */
  readonly atSec: number;
  readonly chainId: string;
  readonly workflow: string;
  /** Variant name; the workflow's first variant when absent. */
  readonly variant?: string;
  readonly principal?: string;
}

/** Life of a task in the simulator. */
/** `cancelled`: dropped when its chain switched to another variant (never runs). */
export type SimTaskStatus = 'blocked' | 'queued' | 'running' | 'done' | 'cancelled';

/** One task of a chain. */
export interface SimTask {
  /** `${chainId}/${taskId}`. */
  readonly key: string;
  readonly chainId: string;
  readonly def: TaskDefinition;
  readonly taskType: string;
  readonly poolId: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Full runtime of one attempt, seconds (setup included). */
  readonly runtimeSec: number;
  /** Setup portion of the runtime a preparation can skip, seconds. */
  readonly setupSec: number;
  status: SimTaskStatus;
  /** Unfinished parents. */
  pendingParents: number;
  readonly children: SimTask[];
  /** When it last became runnable (queued), epoch seconds. */
  queuedAtSec?: number;
  startedAtSec?: number;
  finishedAtSec?: number;
  instanceId?: string;
  /** Memory of the Lambda function running the current attempt, MiB (set only while it runs on the burst tier). */
  lambdaMemoryMiB?: number;
  attempt: number;
}

/** One chain in the simulator. */
export interface SimChain {
  readonly id: string;
  readonly workflow: string;
  /** Variant running now (changes on a switch). */
  variant: string;
  /** Variant chosen at arrival. */
  readonly initialVariant: string;
  readonly principal?: string;
  readonly arrivalSec: number;
  /** Tasks to run (after a switch: the kept old ones and the new variant's remaining ones). */
  tasks: SimTask[];
  doneTasks: number;
  finishedAtSec?: number;
  /** Instance time used by the chain's task attempts, USD (vCPU share of the instance price). */
  costUsd: number;
  /** Variant switches so far. */
  switches: number;
}
