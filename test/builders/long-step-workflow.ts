/**
 * A workflow with one long step for intensity tests (issue 22): `train` (p50 1000 s, p95 3000 s) then
 * `eval` (60 s), and the execution events of chain `c1` of it, with an optional progress fraction.
 */
import { WorkflowSchema, type ExecutionEvent } from '../../src/core/model/index.js';

/** `long`/`default`: train (4 vCPU, 8 GiB; mean and p50 1000 s, p95 3000 s) → eval (1 vCPU, 2 GiB; 60 s, p95 90 s), pool `batch`. */
export const longStepWorkflow = WorkflowSchema.parse({
  name: 'long', variants: [{ name: 'default', defaultPool: 'batch', tasks: [
    { task_id: 'train', task_type: 'train', executable_code_location: 'command:train', resource_requirements: { vcpu: 4, memoryGiB: 8 }, runtime: { meanSec: 1000, p50Sec: 1000, p95Sec: 3000 } },
    { task_id: 'eval', task_type: 'eval', executable_code_location: 'command:eval', dependencies: ['train'], resource_requirements: { vcpu: 1, memoryGiB: 2 }, runtime: { meanSec: 60, p50Sec: 60, p95Sec: 90 } },
  ] }],
});

/** An execution event of chain `c1` of {@link longStepWorkflow}; `intensity` is a progress report's fraction done. */
export function longStepEvent(taskId: string, kind: ExecutionEvent['kind'], atSec: number, intensity?: number): ExecutionEvent {
  return { chainId: 'c1', workflow: 'long', variant: 'default', taskId, taskType: taskId, kind, atSec, ...(intensity !== undefined ? { intensity } : {}) };
}
