/**
 * Replays a workflow trace as execution events (seed 001's step signals), e.g. to seed the event
 * history a next-step model learns from. Pure.
 */
import type { ExecutionEvent } from '../model/events.js';
import type { WorkflowTrace } from './wfformat.js';

/** Options of {@link traceExecutionEvents}. */
export interface TraceEventsOptions {
  /** Chain id the events carry. */
  readonly chainId: string;
  /** Epoch seconds the chain was submitted; task offsets are added to it. */
  readonly submittedAtSec: number;
  /** Principal the events carry, when known. */
  readonly principal?: string;
  /** Variant name the events carry. @default "default" (the variant parseWfFormat builds) */
  readonly variant?: string;
}

const KIND_ORDER: Record<ExecutionEvent['kind'], number> = { submitted: 0, finished: 1, failed: 1, started: 2, progress: 3 };

/**
 * One `submitted` event per task at `submittedAtSec`, then a `started` and a `finished` event per task
 * at its reconstructed offsets (`finished` carries `outputBytes` when the trace records it).
 * Events are sorted by time; at equal times `submitted` comes first, then `finished` before
 * `started` (a child starts at the instant its last parent finishes), then the trace's task order.
 */
export function traceExecutionEvents(trace: WorkflowTrace, opts: TraceEventsOptions): ExecutionEvent[] {
  const base = {
    chainId: opts.chainId,
    workflow: trace.workflowName,
    variant: opts.variant ?? 'default',
    ...(opts.principal !== undefined ? { principal: opts.principal } : {}),
  };
  const events: Array<{ e: ExecutionEvent; rank: number }> = [];
  trace.executions.forEach((x, rank) => {
    const task = { ...base, taskId: x.taskId, taskType: x.taskType };
    events.push({ e: { ...task, kind: 'submitted', atSec: opts.submittedAtSec }, rank });
    events.push({ e: { ...task, kind: 'started', atSec: opts.submittedAtSec + x.startOffsetSec }, rank });
    events.push({
      e: { ...task, kind: 'finished', atSec: opts.submittedAtSec + x.endOffsetSec, ...(x.outputBytes !== undefined ? { outputBytes: x.outputBytes } : {}) },
      rank,
    });
  });
  events.sort((a, b) => a.e.atSec - b.e.atSec || KIND_ORDER[a.e.kind] - KIND_ORDER[b.e.kind] || a.rank - b.rank);
  return events.map((x) => x.e);
}
