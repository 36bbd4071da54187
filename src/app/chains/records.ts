/**
 * What the chain service persists in the {@link StateStore}: chains, executions (with per-step state,
 * written after every step so a restarted server resumes), idempotency keys and spend.
 */
import type { CapacityRequest } from '../../core/compose/index.js';
import type { Decision, Market, StepStatus, Workflow } from '../../core/model/index.js';
import type { TriggerResult } from '../prefetch/prefetch-manager.js';

/** Store tables and logs. */
export const TABLES = { chains: 'chains', executions: 'executions', idempotency: 'idempotency', spend: 'spend', decisions: 'decisions', runtimes: 'runtimes', leases: 'leases' } as const;

/** A submitted chain. */
export interface ChainRecord {
  readonly chainId: string;
  readonly principalId: string;
  /** `catalog` when it names a configured workflow, `submitted` when task definitions were posted. */
  readonly source: 'catalog' | 'submitted';
  readonly workflow: Workflow;
  readonly createdAtSec: number;
}

/** State of one step. */
export interface StepRecord {
  readonly taskId: string;
  status: StepStatus;
  poolId: string;
  market?: Market;
  attempts: number;
  startedAtSec?: number;
  finishedAtSec?: number;
  output?: unknown;
  error?: string;
  costUsd: number;
  /** How the step's setup went when the service prepares steps ahead: resumed from a prepared state or why not, and the setup seconds skipped. */
  setup?: { outcome: TriggerResult['reason']; savedSec: number };
}

/** Execution status. */
export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One execution of a chain. */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly chainId: string;
  readonly principalId: string;
  readonly input: unknown;
  status: ExecutionStatus;
  /** Variant running now (or queued for). */
  variant: string;
  /** Steps keyed by task id (every variant's tasks that were ever scheduled). */
  steps: Record<string, StepRecord>;
  /** Outputs of the chosen variant's sink steps, once succeeded. */
  outputs?: Record<string, unknown>;
  decisions: Decision[];
  /** Variant switches, in order. */
  switches: Array<{ atSec: number; from: string; to: string; reason: string }>;
  /** Cost of finished steps so far, USD. */
  costUsd: number;
  /** Expected cost at composition, USD (charged against the spend cap). */
  expectedCostUsd: number;
  /**
   * USD charged to the principal's spend so far: the expected cost at composition, raised to the
   * actual cost of finished steps once that is more (absent in records written before issue 15).
   */
  chargedUsd?: number;
  queue?: { reason: string; estimatedStartSec?: number; capacityRequests?: readonly CapacityRequest[] };
  error?: string;
  /** The trigger's Idempotency-Key (part of the engine execution name). */
  readonly idempotencyKey?: string;
  /**
   * The engine execution that runs (or last ran) the record's variant: its name (chain key +
   * Idempotency-Key, `-s<n>` for the n-th restart after a switch or a crash), reference and machine.
   */
  engine?: { name: string; executionRef: string; machineName: string; restarts: number };
  readonly createdAtSec: number;
  updatedAtSec: number;
}

/**
 * Store key of a chain: its id within its principal's namespace, so two principals may use the same
 * chain id and neither learns the other's exists (issue 15). Principal ids are URI-encoded (no `/`).
 */
export function chainKey(principalId: string, chainId: string): string {
  return `${encodeURIComponent(principalId)}/${chainId}`;
}

/** Store key of an execution (under its chain's key). */
export function executionKey(principalId: string, chainId: string, executionId: string): string {
  return `${chainKey(principalId, chainId)}/${executionId}`;
}

/** JSON with object keys sorted, so equal documents give equal strings (idempotency payload check). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
