/**
 * The prefetch ledger on hand-made cases: a preparation takes setupSec of its task's vCPU from the
 * command, is ready after that and is kept for the TTL; hits skip the setup, early starts abort it,
 * late or missing starts waste it; a full state cache evicts the least recently written state.
 */
import { describe, expect, it } from 'vitest';
import { PrefetchLedger } from '../../src/sim/workload/prefetch-ledger.js';
import { setupOutcomeOf } from '../../src/sim/workload/workload.js';
import type { SimTask } from '../../src/sim/workload/types.js';
import { TaskDefinitionSchema } from '../../src/core/model/index.js';

function task(key: string, setupSec: number, vcpu = 2, memoryGiB = 4): SimTask {
  const def = TaskDefinitionSchema.parse({ task_id: key, executable_code_location: 'x', resource_requirements: { vcpu, memoryGiB }, setupShare: 0.5, prepare: 'p' });
  return { key, chainId: 'c', def, taskType: key, poolId: 'batch', vcpu, memoryGiB, runtimeSec: setupSec * 2, setupSec, status: 'blocked', pendingParents: 0, children: [], attempt: 0 };
}

const prices = { usdPerVcpuHour: 0.024, usdPerGiBHour: 0.006 };

describe('prefetch ledger', () => {
  it('counts a start between ready time and ready time + TTL as a hit saving the setup', () => {
    const l = new PrefetchLedger(prices);
    const t = task('a', 100);
    expect(l.prepare(t, 1000, 300)).toBeUndefined();
    // ready at 1100, kept until 1400: both ends are hits
    expect(l.consume(t, 1100)).toBe(100);
    const u = task('b', 100);
    l.prepare(u, 1000, 300);
    expect(l.consume(u, 1400)).toBe(100);
    expect(l.totals).toMatchObject({ preparations: 2, hits: 2, setupSecSaved: 200, wastedCpuSec: 0, wastedMemoryGiBSec: 0 });
    expect(l.wastedUsd).toBe(0);
  });

  it('aborts a preparation whose step starts before it is ready: runs cold, wastes the CPU used so far', () => {
    const l = new PrefetchLedger(prices);
    const t = task('a', 100, 2);
    l.prepare(t, 1000, 300);
    expect(l.consume(t, 1040)).toBe(0);
    expect(l.totals).toMatchObject({ hits: 0, aborted: 1, setupSecSaved: 0, wastedCpuSec: 80, wastedMemoryGiBSec: 0 });
    expect(l.wastedUsd).toBeCloseTo((80 * 0.024) / 3600, 12);
  });

  it('counts the TTL from the ready time, not the command time, and wastes an expired preparation', () => {
    const l = new PrefetchLedger(prices);
    const t = task('a', 100, 2, 4);
    l.prepare(t, 1000, 300);
    // 1350 is past command + TTL but within ready + TTL: still a hit
    expect(l.consume(t, 1350)).toBe(100);
    const late = task('b', 100, 2, 4);
    l.prepare(late, 1000, 300);
    expect(l.consume(late, 1401)).toBe(0);
    // the state is 10% of the task's 4 GiB (core/model DEFAULT_PREPARED_STATE_MEMORY_SHARE)
    expect(l.totals.wastedMemoryGiBSec).toBeCloseTo(300 * 0.4, 9);
    expect(l.totals).toMatchObject({ hits: 1, expired: 1, wastedCpuSec: 200 });
    expect(l.wastedUsd).toBeCloseTo((200 * 0.024 + 120 * 0.006) / 3600, 12);
    expect(l.records.map((r) => [r.task.key, r.outcome, r.atSec])).toEqual([['a', 'hit', 1350], ['b', 'expired', 1400]]);
  });

  it('wastes the whole setup and the TTL of memory of a preparation whose step never starts', () => {
    const l = new PrefetchLedger(prices);
    const t = task('a', 50, 4, 8);
    l.prepare(t, 0, 600);
    l.finish(10_000);
    expect(l.totals).toMatchObject({ preparations: 1, expired: 1, wastedCpuSec: 200 });
    expect(l.totals.wastedMemoryGiBSec).toBeCloseTo(600 * 0.8, 9);
    l.finish(20_000);
    expect(l.totals.expired).toBe(1);
  });

  it('refuses critical, running, cancelled and already prepared steps', () => {
    const l = new PrefetchLedger(prices);
    const t = task('a', 10);
    l.prepare(t, 0, 60);
    expect(l.prepare(t, 1, 60)).toMatch(/already prepared/);
    expect(l.prepare({ ...task('b', 10), status: 'running' }, 0, 60)).toMatch(/running/);
    expect(l.prepare({ ...task('c', 10), status: 'cancelled' }, 0, 60)).toMatch(/cancelled/);
    const crit = task('d', 10);
    expect(l.prepare({ ...crit, def: { ...crit.def, critical: true } }, 0, 60)).toMatch(/critical/);
    expect(l.totals.preparations).toBe(1);
  });

  it('evicts the least recently written state when the cache is full: that step runs cold and its setup is wasted', () => {
    const l = new PrefetchLedger(prices);
    // states of 0.4 GiB each (10% of 4 GiB); the cache holds 1 GiB: two fit, the third evicts the first
    const [a, b, c] = [task('a', 100), task('b', 100), task('c', 100)];
    l.prepare(a, 1000, 900);
    l.prepare(b, 1010, 900);
    l.prepare(c, 1020, 900);
    l.advance(1115, 1);
    expect(l.residentStateGiB).toBeCloseTo(0.8, 9); // c is not ready before 1120
    l.advance(1120, 1);
    expect(l.totals).toMatchObject({ evicted: 1, wastedCpuSec: 200 });
    expect(l.residentStateGiB).toBeCloseTo(0.8, 9);
    expect(l.consume(a, 1200)).toBe(0);
    expect(l.consume(b, 1200)).toBe(100);
    expect(l.consume(c, 1200)).toBe(100);
    expect(l.records.map((r) => [r.task.key, r.outcome, r.atSec])).toEqual([['a', 'evicted', 1120], ['b', 'hit', 1200], ['c', 'hit', 1200]]);
    expect(l.totals.wastedMemoryGiBSec).toBeCloseTo(20 * 0.4, 9); // a was held from 1100 to 1120
  });

  it('replays readiness in time order between two calls, freeing expired states before the next one enters', () => {
    const l = new PrefetchLedger(prices);
    const [a, b] = [task('a', 100), task('b', 100)];
    l.prepare(a, 0, 50); // ready at 100, expires at 150
    l.prepare(b, 100, 900); // ready at 200
    l.advance(500, 0.5); // one state fits: a expired before b entered, nothing is evicted
    expect(l.totals.evicted).toBe(0);
    expect(l.residentStateGiB).toBeCloseTo(0.4, 9);
    expect(l.consume(b, 500)).toBe(100);
    expect(l.residentStateGiB).toBe(0);
  });

  it('evicts states over a shrunk cache at once and keeps every state without a capacity', () => {
    const l = new PrefetchLedger(prices);
    const ts = ['a', 'b', 'c'].map((k) => task(k, 10));
    ts.forEach((t) => l.prepare(t, 0, 900));
    l.advance(10, undefined);
    expect(l.residentStateGiB).toBeCloseTo(1.2, 9);
    l.advance(20, 0.5);
    expect(l.totals.evicted).toBe(2);
    expect(l.consume(ts[2], 30)).toBe(10);
  });
});

describe('setup outcome on the started event', () => {
  it('reports resumed when the step skipped its setup, not-prepared when it had no usable state, none without a prepare phase or for a critical step', () => {
    const t = task('a', 100);
    expect(setupOutcomeOf(t, 100)).toBe('resumed');
    expect(setupOutcomeOf(t, 0)).toBe('not-prepared');
    const bare = { ...t, def: TaskDefinitionSchema.parse({ task_id: 'b', executable_code_location: 'x', resource_requirements: { vcpu: 1, memoryGiB: 1 } }) };
    expect(setupOutcomeOf(bare, 0)).toBe('none');
    expect(setupOutcomeOf({ ...t, def: { ...t.def, critical: true } }, 0)).toBe('none');
  });
});
