/**
 * A workflow compiled to its state machine for tests of preparation (the worker's prepare handler,
 * serve's LocalPreparer): the `wf` workflow of the given tasks, its DAG, the machine on one SQS
 * `batch` pool, the execution input of chain `chain-1`, and the `TaskStateExited` event Step Functions
 * reports for a finished step.
 */
import { assembleDag } from '../../src/core/compose/index.js';
import { compileVariant, executionInput } from '../../src/core/engine/index.js';
import type { TaskDefinition } from '../../src/core/model/index.js';
import type { EngineHistoryEvent } from '../../src/ports/workflow-engine.js';
import { workflow } from './tasks.js';

/** See module doc. `exit(taskId, output)`: in a Parallel branch `{ output }`, else the whole results document. */
export function compiledWorkflow(tasks: readonly TaskDefinition[]) {
  const wf = workflow('wf', [...tasks]);
  const dag = assembleDag('wf', wf.variants[0]);
  const machine = compileVariant(dag, { pools: { batch: { kind: 'sqs', queueUrl: 'q' } } });
  const start = executionInput(machine, 'chain-1', { text: 'hi' });
  const exit = (taskId: string, output: unknown): EngineHistoryEvent => {
    const s = machine.steps[taskId];
    return { type: 'TaskStateExited', atSec: 1, stateName: s.taskState, output: s.inBranch ? { output } : { results: { [s.resultKey]: { output } } } };
  };
  return { wf, dag, machine, start, exit };
}
