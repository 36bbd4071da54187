import { describe, expect, it } from 'vitest';
import { traceExecutionEvents } from '../../../src/core/signals/trace-events.js';
import { parseWfFormat } from '../../../src/core/signals/wfformat.js';
import { diamondTasks, wfDoc15 } from '../../builders/wfformat.js';

describe('traceExecutionEvents', () => {
  const trace = parseWfFormat(wfDoc15(diamondTasks()), 'diamond-x-001.json');
  const events = traceExecutionEvents(trace, { chainId: 'c1', submittedAtSec: 1000, principal: 'alice' });

  it('emits submitted, started and finished per task at the reconstructed offsets', () => {
    expect(events).toHaveLength(12);
    const at = (taskId: string, kind: string) => events.find((e) => e.taskId === taskId && e.kind === kind)?.atSec;
    expect(at('work_ID0000003', 'started')).toBe(1010);
    expect(at('work_ID0000003', 'finished')).toBe(1060);
    expect(at('merge_ID0000004', 'started')).toBe(1060);
    expect(events[0]).toMatchObject({ chainId: 'c1', workflow: 'diamond', variant: 'default', principal: 'alice', kind: 'submitted', atSec: 1000 });
  });

  it('orders by time with a parent finishing before its child starts at the same instant', () => {
    const times = events.map((e) => e.atSec);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const i = events.findIndex((e) => e.taskId === 'work_ID0000003' && e.kind === 'finished');
    const j = events.findIndex((e) => e.taskId === 'merge_ID0000004' && e.kind === 'started');
    expect(i).toBeLessThan(j);
  });

  it('carries the bytes a task produced on its finished event', () => {
    expect(events.find((e) => e.taskId === 'split_ID0000001' && e.kind === 'finished')?.outputBytes).toBe(300);
  });
});
