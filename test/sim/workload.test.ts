/**
 * The simulated workload inside a world: dependencies, queueing for capacity, pre-execution.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../src/sim/world.js';
import { metricDemandByPool } from '../../src/sim/demand-grid.js';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario/schema.js';
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';

const T0 = 1_767_571_200;

function world(over: Partial<ScenarioInput> = {}): World {
  const sc = parseScenario({
    name: 'tiny', seed: 1, startSec: T0, days: 1,
    pools: [{ kind: 'ec2', id: 'batch', instanceRequirements: { vcpuMin: 4, vcpuMax: 4, allowedFamilies: ['m6i'] }, markets: ['on-demand'], availabilityZones: ['us-east-1a'] }],
    prices: DEFAULT_PRICE_TABLE.map((p) => ({ ...p })),
    workflows: [{
      name: 'w', variants: [{ name: 'v', defaultPool: 'batch', tasks: [
        { task_id: 'a', executable_code_location: 'x', resource_requirements: { vcpu: 2, memoryGiB: 2 }, runtime: { meanSec: 100, p50Sec: 100, p95Sec: 100 }, setupShare: 0.4, prepare: 'p' },
        { task_id: 'b', executable_code_location: 'x', dependencies: ['a'], resource_requirements: { vcpu: 2, memoryGiB: 2 }, runtime: { meanSec: 100, p50Sec: 100, p95Sec: 100 }, setupShare: 0.4, prepare: 'p' },
        { task_id: 'c', executable_code_location: 'x', dependencies: ['a'], resource_requirements: { vcpu: 4, memoryGiB: 8 }, runtime: { meanSec: 50, p50Sec: 50, p95Sec: 50 } },
      ] }],
    }],
    arrivals: [{ atSec: T0 + 10, chainId: 'c1', workflow: 'w' }],
    leadTime: { defaultRangeSec: [60, 60] },
    ...over,
  });
  return new World(sc, metricDemandByPool(sc, 10));
}

const od = 'm6i.xlarge/on-demand/us-east-1a';

describe('simulated workload', () => {
  it('queues a runnable task until capacity is ready, then runs dependants after their parents', () => {
    const w = world();
    w.advanceTo(T0 + 20);
    expect(w.workload.pools.get('batch')!.queue.map((t) => t.key)).toEqual(['c1/a']);
    w.cloud.applyNow({ kind: 'launch', id: 'l', poolId: 'batch', offeringId: od, count: 1, needAtSec: T0, expectedCostUsdPerHour: 0, reason: 't' });
    w.advanceTo(T0 + 3600);
    const tasks = ['a', 'b', 'c'].map((id) => w.workload.task(`c1/${id}`)!);
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
    expect(tasks[0].startedAtSec).toBe(T0 + 20 + 60);
    expect(tasks[1].startedAtSec).toBeGreaterThanOrEqual(tasks[0].finishedAtSec!);
    // c needs the whole 4-vCPU instance: it waits for b to free its 2 vCPU
    expect(tasks[2].startedAtSec).toBeGreaterThanOrEqual(tasks[1].finishedAtSec!);
    expect(w.workload.stats.waitSec[0]).toBe(70);
    expect(w.workload.stats.chainsCompleted).toBe(1);
  });

  it('skips the setup of a step prepared within the TTL and counts an unused preparation as waste', async () => {
    const w = world({ prefetchTtlSec: 900 });
    w.cloud.applyNow({ kind: 'launch', id: 'l', poolId: 'batch', offeringId: od, count: 1, needAtSec: T0, expectedCostUsdPerHour: 0, reason: 't' });
    w.advanceTo(T0 + 70);
    const p1 = { kind: 'pre-execute', id: 'p1', poolId: 'batch', reason: 't', chainId: 'c1', taskId: 'b', probability: 0.9 } as const;
    expect((await w.workload.prepare(p1)).status).toBe('accepted');
    expect((await w.workload.prepare(p1)).status).toBe('duplicate');
    expect((await w.workload.prepare({ ...p1, id: 'p2', taskId: 'a' })).status).toBe('rejected');
    w.advanceTo(T0 + 3600);
    const b = w.workload.task('c1/b')!;
    expect(b.finishedAtSec! - b.startedAtSec!).toBe(b.runtimeSec - b.setupSec);
    w.workload.prefetch.finish();
    expect(w.workload.prefetch.totals).toEqual({ preparations: 1, hits: 1, aborted: 0, expired: 0, evicted: 0, setupSecSaved: b.setupSec, wastedCpuSec: 0, wastedMemoryGiBSec: 0 });
  });
});
