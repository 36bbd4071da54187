/**
 * The tick's predicted step units: a fan-out's children all counted from the workflow DAG, at their
 * parent's expected finish.
 */
import { describe, expect, it } from 'vitest';
import { WorkflowSchema, type ExecutionEvent } from '../../src/core/model/index.js';
import { createNextStepModel } from '../../src/core/predict/index.js';
import { ChainBook, TaskCatalog } from '../../src/core/tick/chain-book.js';
import { PredictionScorer, predictSteps } from '../../src/core/tick/predict.js';

const task = (id: string, deps: string[], vcpu: number, p50Sec?: number) => ({
  task_id: id, task_type: id.replace(/-\d+$/, ''), executable_code_location: `command:${id}`, dependencies: deps,
  resource_requirements: { vcpu, memoryGiB: 2 * vcpu },
  ...(p50Sec !== undefined ? { runtime: { meanSec: p50Sec, p50Sec, p95Sec: 2 * p50Sec } } : {}),
});

// split (runtime 200 s) fans out to 5 map tasks of 2 vCPU each, then merge
const fanOut = WorkflowSchema.parse({
  name: 'fan', variants: [{ name: 'default', defaultPool: 'batch', tasks: [
    task('split', [], 1, 200),
    ...[1, 2, 3, 4, 5].map((i) => task(`map-${i}`, ['split'], 2, 60)),
    task('merge', [1, 2, 3, 4, 5].map((i) => `map-${i}`), 1, 30),
  ] }],
});

const ev = (taskId: string, kind: ExecutionEvent['kind'], atSec: number): ExecutionEvent => ({
  chainId: 'c1', workflow: 'fan', variant: 'default', taskId, taskType: taskId.replace(/-\d+$/, ''), kind, atSec,
});

describe('tick step prediction from the DAG', () => {
  it('holds every child of a running fan-out from the parent start plus its median runtime until their own finish', () => {
    const book = new ChainBook(new TaskCatalog([fanOut]));
    const submitted = fanOut.variants[0].tasks.map((t) => ev(t.task_id, 'submitted', 1000));
    book.ingest([...submitted, ev('split', 'started', 1000)]);
    const out = predictSteps(book, createNextStepModel('markov1'), new PredictionScorer(), 1060, 60, 10, 3);
    const units = out.committedByPool.get('batch')!;
    // slots start at 1060 + 60k: split (1 vCPU) until 1200 = slots 0-2; maps (5 × 2 vCPU) 1200-1260 = slots 2-3;
    // merge (1) 1260-1290 = slot 3
    expect(units).toEqual([1, 1, 11, 11, 0, 0, 0, 0, 0, 0]);
  });

  it('with the pool\'s ready capacity, drains the fan-out on it: the maps wait for room and the merge starts later', () => {
    const book = new ChainBook(new TaskCatalog([fanOut]));
    book.ingest([...fanOut.variants[0].tasks.map((t) => ev(t.task_id, 'submitted', 1000)), ev('split', 'started', 1000)]);
    // 4 vCPU ready (slots start at 1060 + 60k, each the largest running + waiting units within it):
    // split until 1200 (1); at 1200 two maps run and three wait (10); at 1260 two more run and one
    // waits (6); at 1320 the last map runs (2); the merge waits for it and runs 1380-1410 (1)
    const out = predictSteps(book, createNextStepModel('markov1'), new PredictionScorer(), 1060, 60, 10, 3, new Map([['batch', 4]]));
    expect(out.committedByPool.get('batch')).toEqual([1, 1, 10, 10, 6, 2, 0, 0, 0, 0]);
    // ample capacity: the steps run when the schedule says, and each slot counts the most units running
    // at once (the unlimited-capacity view above adds steps that merely share a slot: 11)
    const ample = predictSteps(book, createNextStepModel('markov1'), new PredictionScorer(), 1060, 60, 10, 3, new Map([['batch', 100]]));
    expect(ample.committedByPool.get('batch')).toEqual([1, 1, 10, 10, 0, 0, 0, 0, 0, 0]);
  });

  it('never expects a step before now when its dependency overruns its median, and holds the overrunning step', () => {
    const book = new ChainBook(new TaskCatalog([fanOut]));
    book.ingest([...fanOut.variants[0].tasks.map((t) => ev(t.task_id, 'submitted', 1000)), ev('split', 'started', 1000)]);
    const s = book.schedule(book.chains.get('c1')!, 1500);
    expect(s.get('split')!.releaseSec).toBe(Infinity);
    expect(s.get('map-1')!.startSec).toBe(1500);
    expect(s.get('merge')!.startSec).toBe(1560);
  });

  it('expects a step past its median runtime to end by its p95, and its children then', () => {
    const book = new ChainBook(new TaskCatalog([fanOut]));
    book.ingest([...fanOut.variants[0].tasks.map((t) => ev(t.task_id, 'submitted', 1000)), ev('split', 'started', 1000)]);
    // split: p50 200 s, p95 400 s; at 1300 it has run 300 s
    const s = book.schedule(book.chains.get('c1')!, 1300);
    expect(s.get('split')!.releaseSec).toBe(1400);
    expect(s.get('map-1')!.startSec).toBe(1400);
    expect(s.get('merge')!.startSec).toBe(1460);
  });

  it('leaves out steps that depend on a step of unknown runtime', () => {
    const wf = WorkflowSchema.parse({ name: 'fan', variants: [{ name: 'default', defaultPool: 'batch', tasks: [task('a', [], 1), task('b-1', ['a'], 2, 10)] }] });
    const book = new ChainBook(new TaskCatalog([wf]));
    book.ingest([ev('a', 'submitted', 0), ev('b-1', 'submitted', 0), ev('a', 'started', 0)]);
    const s = book.schedule(book.chains.get('c1')!, 30);
    expect([...s.keys()]).toEqual(['a']);
    expect(s.get('a')!.releaseSec).toBe(Infinity);
  });
});
