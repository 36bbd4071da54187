import { describe, expect, it } from 'vitest';
import { EventFeed } from '../../../src/app/chains/event-feed.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { ManualClock } from '../../fakes/manual-clock.js';

function started(executionName: string, taskId: string, atSec: number): ExecutionEvent {
  return { chainId: 'c', workflow: 'w', taskId, taskType: taskId, kind: 'started', atSec, executionName };
}

describe('EventFeed on the injected clock', () => {
  it('reads the log at most once per interval of clock time, for every execution it follows', async () => {
    const clock = new ManualClock(1000);
    const log: ExecutionEvent[] = [];
    let reads = 0;
    const store = { readLog: async <T>() => { reads++; return [...log] as T[]; } };
    const feed = new EventFeed(store, clock, 'execution-events', 500);
    feed.watch('e1', 990);
    feed.watch('e2', 990);
    log.push(started('e1', 'a', 1000), started('e2', 'x', 1000));
    expect((await feed.events('e1')).map((e) => e.taskId)).toEqual(['a']);
    expect((await feed.events('e2')).map((e) => e.taskId)).toEqual(['x']);
    expect(reads).toBe(1);
    log.push(started('e1', 'b', 1000.2));
    await clock.advanceMs(499);
    expect((await feed.events('e1')).map((e) => e.taskId)).toEqual(['a']);
    expect(reads).toBe(1);
    await clock.advanceMs(10);
    expect((await feed.events('e1')).map((e) => e.taskId)).toEqual(['a', 'b']);
    expect(reads).toBe(2);
  });
});
