/**
 * issue 19 (session 10): a chain that switches variants (spot notice, overrun, insufficient capacity)
 * has its remaining steps cancelled and resubmitted under the new variant, on that variant's pool.
 * The chain book must then count those steps on the new pool: before, it kept the first variant's
 * definitions (steps are keyed by task id), so spot-stress-soykb's on-demand pool saw no known steps
 * (its queue waited for the backlog calibrator) while the spot pool held capacity for steps that had left.
 */
import { describe, expect, it } from 'vitest';
import { WorkflowSchema, type ExecutionEvent } from '../../../src/core/model/index.js';
import { ChainBook, TaskCatalog } from '../../../src/core/tick/chain-book.js';

const task = (id: string, deps: string[] = []) => ({
  task_id: id, task_type: id, executable_code_location: `command:${id}`, dependencies: deps, resource_requirements: { vcpu: 2, memoryGiB: 4 }, runtime: { meanSec: 300, p50Sec: 300, p95Sec: 600 },
});
const wf = WorkflowSchema.parse({
  name: 'soy', variants: [
    { name: 'spot', defaultPool: 'batch', tasks: [task('a'), task('b', ['a']), task('c', ['a'])] },
    { name: 'on-demand', defaultPool: 'batch-od', tasks: [task('a'), task('b', ['a']), task('c', ['a'])] },
  ],
});
const ev = (taskId: string, kind: ExecutionEvent['kind'], atSec: number, variant = 'spot'): ExecutionEvent => ({
  chainId: 'c1', workflow: 'soy', variant, taskId, taskType: taskId, kind, atSec,
});

describe('the chain book after a variant switch', () => {
  it('counts the resubmitted steps on the new variant’s pool, and the kept finished step stays finished', () => {
    const book = new ChainBook(new TaskCatalog([wf]));
    book.ingest([ev('a', 'submitted', 0), ev('b', 'submitted', 0), ev('c', 'submitted', 0), ev('a', 'started', 0), ev('a', 'finished', 300)]);
    expect(book.committedUnitsByPool()).toEqual(new Map([['batch', 4]]));
    // the switch: b and c are cancelled on batch and submitted again under on-demand (batch-od)
    book.ingest([ev('b', 'submitted', 310, 'on-demand'), ev('c', 'submitted', 310, 'on-demand')]);
    expect(book.committedUnitsByPool()).toEqual(new Map([['batch-od', 4]]));
    const c = book.chains.get('c1')!;
    expect(c.steps.get('a')!.status).toBe('finished');
    expect([...book.schedule(c, 320).values()].map((t) => t.step.poolId)).toEqual(['batch-od', 'batch-od']);
    book.ingest([ev('b', 'started', 320, 'on-demand'), ev('b', 'finished', 620, 'on-demand'), ev('c', 'started', 320, 'on-demand'), ev('c', 'finished', 620, 'on-demand')]);
    expect(book.chains.has('c1')).toBe(false);
  });

  it('a step lost on a noticed instance (started, then resubmitted elsewhere) is waiting again on the new pool', () => {
    const book = new ChainBook(new TaskCatalog([wf]));
    book.ingest([ev('a', 'submitted', 0), ev('b', 'submitted', 0), ev('c', 'submitted', 0), ev('a', 'started', 0)]);
    book.ingest([ev('a', 'submitted', 100, 'on-demand'), ev('b', 'submitted', 100, 'on-demand'), ev('c', 'submitted', 100, 'on-demand')]);
    const c = book.chains.get('c1')!;
    expect(c.steps.get('a')!.status).toBe('submitted');
    expect(book.committedUnitsByPool()).toEqual(new Map([['batch-od', 2]]));
  });

  it('a repeated submission under the same variant changes nothing (a retry keeps the step’s state)', () => {
    const book = new ChainBook(new TaskCatalog([wf]));
    book.ingest([ev('a', 'submitted', 0), ev('b', 'submitted', 0), ev('c', 'submitted', 0), ev('a', 'started', 0)]);
    const before = book.chains.get('c1')!.steps.get('a');
    book.ingest([ev('a', 'submitted', 50)]);
    expect(book.chains.get('c1')!.steps.get('a')).toBe(before);
    expect(before!.status).toBe('started');
    expect(book.committedUnitsByPool()).toEqual(new Map([['batch', 2]]));
  });
});
