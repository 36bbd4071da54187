/**
 * The Lambda burst tier in the simulated workload (issue 19): routing, start latency, billing, limits.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../src/sim/world.js';
import { metricDemandByPool } from '../../src/sim/demand-grid.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';
import { installBurstTier, installRoutedBurstTier } from '../../src/sim/policies/burst-tier.js';
import type { StepClassRoute } from '../../src/core/model/index.js';
import { lambdaInvocationUsd } from '../../src/core/plan/burst.js';

const T0 = 1_767_571_200;

function world(fanOut: number, runtimeSec: number, lambdaBurst = true): World {
  const sc = parseScenario({
    name: 'fan-out', seed: 1, startSec: T0, days: 1, lambdaBurst,
    pools: [{ kind: 'ec2', id: 'batch', instanceRequirements: { vcpuMin: 4, vcpuMax: 4, allowedFamilies: ['m6i'] }, markets: ['on-demand'], availabilityZones: ['us-east-1a'] }],
    prices: DEFAULT_PRICE_TABLE.map((p) => ({ ...p })),
    workflows: [{
      name: 'w', variants: [{ name: 'v', defaultPool: 'batch', tasks: Array.from({ length: fanOut }, (_, i) => (
        { task_id: `t${i}`, executable_code_location: 'x', resource_requirements: { vcpu: 1, memoryGiB: 1 }, runtime: { meanSec: runtimeSec, p50Sec: runtimeSec, p95Sec: runtimeSec, samplesSec: [runtimeSec] } }
      )) }],
    }],
    arrivals: [{ atSec: T0 + 10, chainId: 'c1', workflow: 'w' }],
    leadTime: { defaultRangeSec: [90, 90] },
  });
  return new World(sc, metricDemandByPool(sc, 10));
}

describe('the Lambda burst tier in the workload', () => {
  it('runs a fan-out of short steps with no EC2 capacity on Lambda after its 1 s start, billed per GB-second', () => {
    const w = world(20, 2);
    expect(installBurstTier(w, 'prescale')).toBe(true);
    w.advanceTo(T0 + 120);
    const tasks = Array.from({ length: 20 }, (_, i) => w.workload.task(`c1/t${i}`)!);
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
    expect(w.workload.stats.waitSec.every((s) => s === 1)).toBe(true);
    expect(w.workload.lambdaStats.invocations).toBe(20);
    const runtime = tasks[0].finishedAtSec! - tasks[0].startedAtSec!;
    expect(w.workload.lambdaStats.usd).toBeCloseTo(20 * lambdaInvocationUsd(1769, runtime), 12);
    expect([...w.workload.collectLambdaCost().values()][0]).toBeCloseTo(w.workload.lambdaStats.usd, 12);
    expect(w.workload.collectLambdaCost().size).toBe(0);
  });

  it('leaves long steps queued for EC2 (a launch is cheaper than Lambda for them)', () => {
    const w = world(4, 800);
    installBurstTier(w, 'prescale');
    w.advanceTo(T0 + 120);
    expect(w.workload.lambdaStats.invocations).toBe(0);
    expect(w.workload.pools.get('batch')!.queue.length).toBe(4);
  });

  it('lets the oracle burst with no start latency (it invokes one start latency ahead, unbilled)', () => {
    const w = world(20, 2);
    installBurstTier(w, 'oracle');
    w.advanceTo(T0 + 120);
    expect(w.workload.lambdaStats.invocations).toBe(20);
    expect(w.workload.stats.waitSec.every((s) => s === 0)).toBe(true);
  });

  it('is off when the scenario does not allow it', () => {
    const w = world(20, 2, false);
    expect(installBurstTier(w, 'prescale')).toBe(false);
    w.advanceTo(T0 + 120);
    expect(w.workload.lambdaStats.invocations).toBe(0);
    expect(w.workload.pools.get('batch')!.queue.length).toBe(20);
  });

  it('throttles past the scaling rate: the rest of the queue waits for later passes', () => {
    const w = world(1200, 30);
    installBurstTier(w, 'prescale');
    w.advanceTo(T0 + 10);
    expect(w.workload.lambdaStats.invocations).toBe(1000);
    expect(w.workload.lambdaStats.throttled).toBe(1);
    expect(w.workload.pools.get('batch')!.queue.length).toBe(200);
  });

  it('obeys the planner\'s routes: a class routed to burst runs on Lambda with the route\'s memory, before EC2 placement; others stay queued', async () => {
    const w = world(4, 2);
    const table = installRoutedBurstTier(w)!;
    const route = (taskType: string, r: StepClassRoute['route'], until = T0 + 120): StepClassRoute => ({ poolId: 'batch', taskType, route: r, memoryMiB: 2048, validFromSec: T0, validUntilSec: until, expectedEc2WaitSec: 90, lambdaUsd: 1e-5, ec2Usd: 1e-3, reason: 'test' });
    await table.publish([route('t0', 'burst'), route('t1', 'burst', T0 + 5), route('t2', 'headroom'), route('t3', 'ec2')]);
    w.advanceTo(T0 + 60);
    expect(w.workload.task('c1/t0')!.status).toBe('done');
    expect(w.workload.lambdaStats.invocations).toBe(1);
    // 2 GiB for the task's runtime, as the route sized the class's function
    const t0 = w.workload.task('c1/t0')!;
    expect(w.workload.lambdaStats.usd).toBeCloseTo(lambdaInvocationUsd(2048, t0.finishedAtSec! - t0.startedAtSec!), 12);
    // t1's route ended before the chain arrived at T0 + 10; t2 (headroom) and t3 (ec2) wait for EC2
    expect(w.workload.pools.get('batch')!.queue.map((t) => t.taskType).sort()).toEqual(['t1', 't2', 't3']);
    expect(table.stats).toEqual({ published: 4, burst: 2 });
  });
});
