import { describe, expect, it } from 'vitest';
import { planBurstRoutes, routeAt, routeKey, stepClassesOf, type StepClassSpec } from '../../../src/core/plan/burst-route.js';
import { WorkflowSchema } from '../../../src/core/model/index.js';
import { instance, offering, pool } from './builders.js';

const p = pool();
const spot = offering('m5.large', 'spot', 0.04); // 2 vCPU, lead time 90 s
const short: StepClassSpec = { poolId: 'p', taskType: 'mProject', vcpu: 1, memoryGiB: 1, runtimeSec: 2, maxRuntimeSec: 5 };
const long: StepClassSpec = { ...short, taskType: 'align', runtimeSec: 600, maxRuntimeSec: 800 };
const huge: StepClassSpec = { ...short, taskType: 'assemble', memoryGiB: 16 };
const base = { nowSec: 1000, tickSec: 60, pools: [p], classes: [short, long, huge], offeringsByPool: new Map([['p', [spot]]]) };

describe('burst routes per step class (planner output)', () => {
  it('bursts a short class when ready capacity cannot hold the demand and a launch would take its lead time', () => {
    const routes = planBurstRoutes({ ...base, capacity: { atSec: 1000, instances: [instance('i1', spot)], caches: [] }, demandUnitsByPool: new Map([['p', [10, 12]]]) });
    const byType = new Map(routes.map((r) => [r.taskType, r]));
    expect(byType.get('mProject')).toMatchObject({ route: 'burst', memoryMiB: 1769, validFromSec: 1000, validUntilSec: 1120, expectedEc2WaitSec: 90 });
    expect(byType.get('mProject')!.lambdaUsd!).toBeLessThan(byType.get('mProject')!.ec2Usd);
    // a 10-minute step is dearer on Lambda than on a launch: it waits for EC2
    expect(byType.get('align')!.route).toBe('ec2');
    // 16 GiB is over Lambda's 10,240 MB
    expect(byType.get('assemble')).toMatchObject({ route: 'ec2' });
    expect(byType.get('assemble')!.memoryMiB).toBeUndefined();
  });

  it('holds headroom when ready capacity covers the next two slots, and waits for pending capacity that is ready within the budget', () => {
    const held = planBurstRoutes({ ...base, capacity: { atSec: 1000, instances: [instance('i1', spot), instance('i2', spot)], caches: [] }, demandUnitsByPool: new Map([['p', [3, 4]]]) });
    expect(held.find((r) => r.taskType === 'mProject')).toMatchObject({ route: 'headroom', expectedEc2WaitSec: 0 });
    const pending = planBurstRoutes({ ...base, capacity: { atSec: 1000, instances: [instance('i1', spot, { state: 'pending', launchedAtSec: 900 })], caches: [] }, demandUnitsByPool: new Map([['p', [3, 4]]]) });
    // launched at 900 with a 90 s lead time: ready before now, wait 0 s, within the 5 s budget
    expect(pending.find((r) => r.taskType === 'mProject')).toMatchObject({ route: 'headroom', expectedEc2WaitSec: 0 });
    const later = planBurstRoutes({ ...base, capacity: { atSec: 1000, instances: [instance('i1', spot, { state: 'pending', launchedAtSec: 980 })], caches: [] }, demandUnitsByPool: new Map([['p', [3, 4]]]) });
    expect(later.find((r) => r.taskType === 'mProject')).toMatchObject({ route: 'burst', expectedEc2WaitSec: 70 });
  });

  it('routes a class that would wait for EC2 to Lambda once the user values the wait enough (burst.waitValueUsdPerHour)', () => {
    const inputs = { ...base, capacity: { atSec: 1000, instances: [instance('i1', spot)], caches: [] }, demandUnitsByPool: new Map([['p', [10, 12]]]) };
    expect(planBurstRoutes(inputs).find((r) => r.taskType === 'align')!.route).toBe('ec2');
    const valued = planBurstRoutes({ ...inputs, waitValueUsdPerHour: 20 }).find((r) => r.taskType === 'align')!;
    expect(valued.route).toBe('burst');
    expect(valued.reason).toMatch(/valued/);
    // what does not fit Lambda still waits, whatever the wait is worth
    expect(planBurstRoutes({ ...inputs, waitValueUsdPerHour: 1e6 }).find((r) => r.taskType === 'assemble')!.route).toBe('ec2');
  });

  it('a route is in force only inside its window', () => {
    const [r] = planBurstRoutes({ ...base, classes: [short], capacity: { atSec: 1000, instances: [], caches: [] }, demandUnitsByPool: new Map([['p', [1]]]) });
    const table = new Map([[routeKey('p', 'mProject'), r]]);
    expect(routeAt(table, 'p', 'mProject', 999)).toBeUndefined();
    expect(routeAt(table, 'p', 'mProject', 1000)?.route).toBe('burst');
    expect(routeAt(table, 'p', 'mProject', 1119)?.route).toBe('burst');
    expect(routeAt(table, 'p', 'mProject', 1120)).toBeUndefined();
    expect(routeAt(table, 'p', 'other', 1000)).toBeUndefined();
  });

  it('derives one class per pool and task type from the workflows, with the largest resources and runtimes over variants', () => {
    const task = (id: string, vcpu: number, p50: number) => ({
      task_id: id, executable_code_location: `code/${id}.js`, input_schema: {}, output_schema: {}, dependencies: [],
      resource_requirements: { vcpu, memoryGiB: 1 }, timeoutSec: 300, runtime: { meanSec: p50, p50Sec: p50, p95Sec: p50 * 2 },
    });
    const wf = WorkflowSchema.parse({ name: 'w', variants: [
      { name: 'a', defaultPool: 'p', tasks: [task('x', 1, 2), task('y', 2, 30)] },
      { name: 'b', defaultPool: 'p', tasks: [task('x', 2, 3)], poolBindings: {} },
      { name: 'c', defaultPool: 'lambda-pool', tasks: [task('z', 1, 1)] },
    ] });
    const classes = stepClassesOf([wf], new Set(['p']));
    expect(classes.map((c) => c.taskType)).toEqual(['x', 'y']);
    expect(classes[0]).toMatchObject({ poolId: 'p', vcpu: 2, runtimeSec: 3, maxRuntimeSec: 6 });
  });
});
