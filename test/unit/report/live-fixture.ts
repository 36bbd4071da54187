/**
 * A small live deployment's state for the export-report tests: three executions of an `etl` chain
 * (two in the first hours after {@link LIVE_T0}, one nine days later), one with a spot-interruption
 * variant switch, and two decision-log entries.
 */
import { chainKey, executionKey, type ChainRecord, type ExecutionRecord } from '../../../src/app/chains/records.js';
import type { Workflow } from '../../../src/core/model/index.js';
import type { StateStore } from '../../../src/ports/state-store.js';

/** Monday 2026-01-05 00:00 UTC. */
export const LIVE_T0 = 1_767_571_200;
const T0 = LIVE_T0;
const task = (id: string, deps: string[], vcpu: number) => ({
  task_id: id, executable_code_location: `s3://code/${id}.zip`, input_schema: {}, output_schema: {}, dependencies: deps,
  resource_requirements: { vcpu, memoryGiB: 2 }, prefetch_weight: 0.5, critical: false,
});
export const etl = { name: 'etl', variants: [{ name: 'spot', tasks: [task('a', [], 2), task('b', ['a'], 4)], defaultPool: 'batch', poolBindings: {} }, { name: 'od', tasks: [task('a', [], 2), task('b', ['a'], 4)], defaultPool: 'batch', poolBindings: {} }] } as unknown as Workflow;

export function execution(id: string, principal: string, createdAtSec: number, costA: number, costB: number, switched: boolean): ExecutionRecord {
  return {
    executionId: id, chainId: `chain-${id}`, principalId: principal, input: {}, status: 'succeeded', variant: switched ? 'od' : 'spot', decisions: [],
    steps: {
      a: { taskId: 'a', status: 'succeeded', poolId: 'batch', market: 'spot', attempts: switched ? 2 : 1, startedAtSec: createdAtSec + 30, finishedAtSec: createdAtSec + 630, costUsd: costA },
      b: { taskId: 'b', status: 'succeeded', poolId: 'batch', market: 'on-demand', attempts: 1, startedAtSec: createdAtSec + 690, finishedAtSec: createdAtSec + 1290, costUsd: costB },
    },
    switches: switched ? [{ atSec: createdAtSec + 400, from: 'spot', to: 'od', reason: 'spot-interruption' }] : [],
    costUsd: costA + costB, expectedCostUsd: costA + costB, createdAtSec, updatedAtSec: createdAtSec + 1290,
  };
}

/** Writes the chains, executions and decisions into `store`. */
export async function seedLiveStore(store: StateStore): Promise<void> {
  const runs = [execution('e1', 'alice', T0 + 60, 0.02, 0.1, false), execution('e2', 'bob', T0 + 1800, 0.03, 0.12, true), execution('e3', 'alice', T0 + 9 * 86_400, 5, 5, false)];
  for (const r of runs) {
    const chain: ChainRecord = { chainId: r.chainId, principalId: r.principalId, source: 'catalog', workflow: etl, createdAtSec: r.createdAtSec };
    // Keys as the chain service writes them: chain ids scoped to their principal (issue 15).
    await store.put('chains', chainKey(r.principalId, r.chainId), chain);
    await store.put('executions', executionKey(r.principalId, r.chainId, r.executionId), r);
  }
  await store.append('decisions', [
    { atSec: T0 + 60, kind: 'plan', subject: 'batch', chosen: '1 command(s)', reason: 'x' },
    { atSec: T0 + 120, kind: 'compose', subject: 'chain-e1', chosen: 'spot', reason: 'y' },
  ]);
}
