/**
 * EventBridge "Step Functions Execution Status Change" events → execution events for the tick. The
 * workers write each step's start and end; this adds what only the engine knows: an execution that
 * starts (`RUNNING`) submits every step of its variant (so the tick's chain book knows the whole chain,
 * its committed units and its next steps before the first step starts), and an execution that ends
 * without success (`FAILED`, `TIMED_OUT`, `ABORTED`) fails its steps. `SUCCEEDED` adds nothing: the
 * workers' `finished` events already close the chain. Event shape: Step Functions User Guide,
 * "Step Functions execution status change events" (detail: executionArn, stateMachineArn, name, status,
 * startDate / stopDate in epoch milliseconds, input, error). The events name the chain's principal
 * when the start document has one (issue 22: the tick's A/B arms are assigned by principal).
 */
import type { ExecutionEvent } from '../../core/model/events.js';

/** One state machine the stack deployed: its variant and steps (written at synth, bundled with the handler). */
export interface MachineSteps {
  readonly workflow: string;
  readonly variant: string;
  readonly steps: ReadonlyArray<{ readonly taskId: string; readonly taskType: string; readonly poolId: string; readonly vcpu: number; readonly memoryGiB: number }>;
}

/** The `detail` of an execution status change event (the fields used). */
interface StatusDetail {
  readonly stateMachineArn?: unknown;
  readonly name?: unknown;
  readonly status?: unknown;
  readonly startDate?: unknown;
  readonly stopDate?: unknown;
  readonly input?: unknown;
  readonly error?: unknown;
}

/**
 * The chain id and principal in an execution's start document (`{ meta: { chainId, principal } }`,
 * see executionInput); each undefined when absent or malformed (an empty principal: none).
 */
function metaOf(input: unknown): { chainId?: string; principal?: string } {
  if (typeof input !== 'string' || input.length > 262_144) return {};
  try {
    const doc = JSON.parse(input) as { meta?: { chainId?: unknown; principal?: unknown } } | null;
    const id = doc?.meta?.chainId;
    const p = doc?.meta?.principal;
    return {
      ...(typeof id === 'string' && id.length > 0 && id.length <= 256 ? { chainId: id } : {}),
      ...(typeof p === 'string' && p.length > 0 && p.length <= 1024 ? { principal: p } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * The execution events one status change gives, or [] for an event of a machine not in `machines`
 * (another stack's), a status that adds nothing, or a malformed event.
 * @param machines by state machine name
 */
export function executionStatusEvents(event: unknown, machines: ReadonlyMap<string, MachineSteps>): ExecutionEvent[] {
  const detail = (event as { detail?: StatusDetail } | null)?.detail;
  if (!detail || typeof detail.stateMachineArn !== 'string' || typeof detail.name !== 'string') return [];
  const machineName = detail.stateMachineArn.split(':').pop() ?? '';
  const m = machines.get(machineName);
  if (!m) return [];
  const status = String(detail.status);
  const failed = status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';
  if (status !== 'RUNNING' && !failed) return [];
  const atMs = Number(failed ? detail.stopDate ?? detail.startDate : detail.startDate);
  if (!Number.isFinite(atMs)) return [];
  const meta = metaOf(detail.input);
  const chainId = meta.chainId ?? detail.name;
  const error = failed ? `execution ${status}${typeof detail.error === 'string' && detail.error ? `: ${detail.error.slice(0, 200)}` : ''}` : undefined;
  return m.steps.map((s) => ({
    chainId, workflow: m.workflow, variant: m.variant, taskId: s.taskId, taskType: s.taskType,
    kind: failed ? 'failed' : 'submitted', atSec: atMs / 1000, vcpu: s.vcpu, memoryGiB: s.memoryGiB,
    executionName: detail.name as string, poolId: s.poolId, ...(meta.principal !== undefined ? { principal: meta.principal } : {}), ...(error ? { error } : {}),
  }));
}
