/**
 * The prefetch ledger on hand-made cases: a preparation takes setupSec of its task's vCPU from the
 * command, is ready after that and is kept for the TTL; hits skip the setup, early starts abort it,
 * late or missing starts waste it.
 */
import { describe, expect, it } from 'vitest';
import { PrefetchLedger } from '../../src/sim/workload/prefetch-ledger.js';
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
    expect(l.totals).toMatchObject({ hits: 1, expired: 1, wastedCpuSec: 200, wastedMemoryGiBSec: 300 * 4 });
    expect(l.wastedUsd).toBeCloseTo((200 * 0.024 + 1200 * 0.006) / 3600, 12);
    expect(l.records.map((r) => [r.task.key, r.outcome, r.atSec])).toEqual([['a', 'hit', 1350], ['b', 'expired', 1400]]);
  });

  it('wastes the whole setup and the TTL of memory of a preparation whose step never starts', () => {
    const l = new PrefetchLedger(prices);
    const t = task('a', 50, 4, 8);
    l.prepare(t, 0, 600);
    l.finish(10_000);
    expect(l.totals).toMatchObject({ preparations: 1, expired: 1, wastedCpuSec: 200, wastedMemoryGiBSec: 600 * 8 });
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
});
