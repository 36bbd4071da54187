/**
 * The burst route as a planner output (issue 19, item 5): per step class (a registered task type on
 * one EC2 pool, with its resources and runtime distribution) the tick decides, priced, whether the
 * pool's EC2 capacity holds the class's next steps (`headroom`), whether they wait for EC2 (`ec2`), or
 * whether they run on the Lambda burst tier (`burst`) until the route's validity window ends. Both the
 * simulator (src/sim/workload/burst.ts `createRoutedBurstRouter`) and the deployed machines (the
 * compiler's route Choice, src/core/engine/compile.ts, reading the stack's decision table) obey the
 * route; a route past its window is `ec2`. Pure: time comes in as `nowSec`.
 */
import type { CapacitySnapshot, Ec2Pool, Offering, Workflow } from '../model/index.js';
import { taskTypeOf } from '../model/task.js';
import { routeKey, type StepClassRoute, type StepRoute } from '../model/route.js';
import { chooseStepTier, DEFAULT_BURST_WAIT_BUDGET_SEC, lambdaInvocationUsd, lambdaMemoryMiB, type StepClass } from './burst.js';

/** One step class: a task type on one EC2 pool, with what the tier choice reads. */
export interface StepClassSpec extends StepClass {
  readonly poolId: string;
  readonly taskType: string;
}

/**
 * The step classes of the configured workflows on EC2 pools: one per (pool, task type), resources
 * and runtimes the largest over the variants' tasks of that type (so the route fits every one of
 * them). Runtime: the task's p50 (expected) and p95 (or its timeout without statistics: must fit
 * Lambda's 900 s). Sorted by pool, then task type.
 */
export function stepClassesOf(workflows: readonly Workflow[], ec2PoolIds: ReadonlySet<string>): StepClassSpec[] {
  const byKey = new Map<string, StepClassSpec>();
  for (const w of workflows) for (const v of w.variants) for (const t of v.tasks) {
    const poolId = v.poolBindings[t.task_id] ?? v.defaultPool;
    if (!ec2PoolIds.has(poolId)) continue;
    const taskType = taskTypeOf(t);
    const key = routeKey(poolId, taskType);
    const runtimeSec = t.runtime?.p50Sec ?? t.timeoutSec;
    const maxRuntimeSec = t.runtime?.p95Sec ?? t.timeoutSec;
    const prev = byKey.get(key);
    byKey.set(key, {
      poolId, taskType,
      vcpu: Math.max(prev?.vcpu ?? 0, t.resource_requirements.vcpu),
      memoryGiB: Math.max(prev?.memoryGiB ?? 0, t.resource_requirements.memoryGiB),
      runtimeSec: Math.max(prev?.runtimeSec ?? 0, runtimeSec),
      maxRuntimeSec: Math.max(prev?.maxRuntimeSec ?? 0, maxRuntimeSec),
    });
  }
  return [...byKey.values()].sort((a, b) => (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : a.taskType < b.taskType ? -1 : a.taskType > b.taskType ? 1 : 0));
}

/** What {@link planBurstRoutes} reads of the tick. */
export interface BurstRouteInputs {
  readonly nowSec: number;
  /** The tick period, seconds: a route is valid for two ticks (a missed tick falls back to EC2). */
  readonly tickSec: number;
  readonly pools: readonly Ec2Pool[];
  readonly classes: readonly StepClassSpec[];
  /** Capacity now (running and pending instances). */
  readonly capacity: CapacitySnapshot;
  /** Offerings a launch may buy, per pool. */
  readonly offeringsByPool: ReadonlyMap<string, readonly Offering[]>;
  /**
   * Demand the pool's EC2 capacity faces over the next two slots (known steps running and waiting,
   * plus predicted steps), units, per pool: the prediction stage's `unitsByPool`.
   */
  readonly demandUnitsByPool: ReadonlyMap<string, readonly number[]>;
  /** Expected EC2 wait past which a class may burst, seconds. @default DEFAULT_BURST_WAIT_BUDGET_SEC */
  readonly waitBudgetSec?: number;
  /** What an hour of a step's wait is worth, USD (burst.ts `TierContext.waitValueUsdPerHour`). @default 0 */
  readonly waitValueUsdPerHour?: number;
}

/** Cheapest offering per unit a pool may buy (spot first when the pool allows spot), or undefined. */
function cheapestOffering(pool: Ec2Pool, offerings: readonly Offering[]): Offering | undefined {
  let best: Offering | undefined;
  const spot = pool.markets.includes('spot');
  for (const o of offerings) {
    if (spot && o.market !== 'spot' && offerings.some((x) => x.market === 'spot')) continue;
    if (!best || o.priceUsdPerHour / o.vcpu < best.priceUsdPerHour / best.vcpu || (o.priceUsdPerHour / o.vcpu === best.priceUsdPerHour / best.vcpu && o.id < best.id)) best = o;
  }
  return best;
}

/**
 * The expected wait of a new step on a pool's EC2 capacity, seconds: 0 when ready capacity covers
 * the demand of the next two slots (the headroom holds it); else until the first pending instance is
 * ready or, with none pending, a launch's lead time.
 */
export function expectedEc2WaitSec(pool: Ec2Pool, capacity: CapacitySnapshot, demandUnits: readonly number[], offering: Offering | undefined, nowSec: number): number {
  let ready = 0;
  let firstPendingSec: number | undefined;
  for (const i of capacity.instances) {
    if (i.poolId !== pool.id) continue;
    if (i.state === 'running') ready += i.capacityUnits;
    else if (i.state === 'pending') {
      const lead = i.readyAtSec !== undefined ? i.readyAtSec - nowSec : i.launchedAtSec + (offering?.launchLeadTimeSec ?? 0) - nowSec;
      firstPendingSec = firstPendingSec === undefined ? Math.max(0, lead) : Math.min(firstPendingSec, Math.max(0, lead));
    }
  }
  const need = Math.max(demandUnits[0] ?? 0, demandUnits[1] ?? 0);
  if (need <= ready) return 0;
  return firstPendingSec ?? offering?.launchLeadTimeSec ?? Infinity;
}

/**
 * Routes every step class for the window `[nowSec, nowSec + 2 × tickSec)`, priced with
 * core/plan/burst.ts `chooseStepTier`: a class that does not fit Lambda (over 900 s, 10,240 MB or
 * 6 vCPU) or whose Lambda price is not below EC2's waits for EC2 (`ec2`); a class EC2 serves within
 * the wait budget stays on the held headroom (`headroom`); otherwise it bursts (`burst`).
 * @returns one route per class, in class order
 */
export function planBurstRoutes(inputs: BurstRouteInputs): StepClassRoute[] {
  const budget = inputs.waitBudgetSec ?? DEFAULT_BURST_WAIT_BUDGET_SEC;
  const pools = new Map(inputs.pools.map((p) => [p.id, p]));
  const waitByPool = new Map<string, { waitSec: number; offering: Offering | undefined }>();
  const out: StepClassRoute[] = [];
  for (const c of inputs.classes) {
    const pool = pools.get(c.poolId);
    if (!pool) continue;
    let w = waitByPool.get(pool.id);
    if (!w) {
      const offering = cheapestOffering(pool, inputs.offeringsByPool.get(pool.id) ?? []);
      w = { offering, waitSec: expectedEc2WaitSec(pool, inputs.capacity, inputs.demandUnitsByPool.get(pool.id) ?? [], offering, inputs.nowSec) };
      waitByPool.set(pool.id, w);
    }
    const window = { validFromSec: inputs.nowSec, validUntilSec: inputs.nowSec + 2 * inputs.tickSec };
    const mib = lambdaMemoryMiB(c);
    if (!w.offering) {
      // no EC2 offering to launch: Lambda is the only way to serve the class soon
      out.push({ poolId: c.poolId, taskType: c.taskType, ...window, expectedEc2WaitSec: w.waitSec, ec2Usd: Infinity, ...(mib !== undefined ? { route: 'burst' as const, memoryMiB: mib, lambdaUsd: lambdaInvocationUsd(mib, c.runtimeSec), reason: 'no EC2 offering to launch' } : { route: 'ec2' as const, reason: 'no EC2 offering; does not fit Lambda' }) });
      continue;
    }
    const choice = chooseStepTier(c, { expectedEc2WaitSec: w.waitSec, waitBudgetSec: budget, ec2UsdPerVcpuHour: w.offering.priceUsdPerHour / w.offering.vcpu, ec2LeadTimeSec: w.offering.launchLeadTimeSec, ...(inputs.waitValueUsdPerHour ? { waitValueUsdPerHour: inputs.waitValueUsdPerHour } : {}) });
    const route: StepRoute = choice.tier === 'lambda' ? 'burst' : mib !== undefined && w.waitSec <= budget ? 'headroom' : 'ec2';
    out.push({
      poolId: c.poolId, taskType: c.taskType, route, ...window, expectedEc2WaitSec: w.waitSec,
      ...(mib !== undefined ? { memoryMiB: mib } : {}), ...(choice.lambdaUsd !== undefined ? { lambdaUsd: choice.lambdaUsd } : {}),
      ec2Usd: choice.ec2Usd, reason: choice.reason,
    });
  }
  return out;
}

export { routeKey, type StepClassRoute, type StepRoute } from '../model/route.js';

/** The route of `(poolId, taskType)` in force at `atSec` in `routes` (by key), or `ec2` when none is valid. */
export function routeAt(routes: ReadonlyMap<string, StepClassRoute>, poolId: string, taskType: string, atSec: number): StepClassRoute | undefined {
  const r = routes.get(routeKey(poolId, taskType));
  return r && r.validFromSec <= atSec && atSec < r.validUntilSec ? r : undefined;
}
