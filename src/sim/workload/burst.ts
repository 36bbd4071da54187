/**
 * Routing of queued steps to the Lambda burst tier in the simulator: the decision per step class is
 * core/plan/burst.ts `chooseStepTier` (wait for EC2 or burst, priced); this file feeds it what the
 * policy can know when a step cannot be placed on ready EC2 capacity.
 */
import { chooseStepTier, lambdaMemoryMiB, type StepClass } from '../../core/plan/burst.js';
import type { Offering } from '../../core/model/index.js';
import type { PoolPlacement } from './placement.js';
import type { SimTask } from './types.js';
import type { StepClassRoute } from '../../core/model/index.js';
import { routeAt, routeKey } from '../../core/plan/burst-route.js';
import type { StepRouter } from '../../ports/step-router.js';

/** Decides, per queued task, the Lambda memory to run it on (MiB) or undefined to leave it queued for EC2. */
export interface BurstRouter {
  /**
   * True: queued tasks are offered before placement on ready EC2 capacity (a route decided ahead, as
   * the deployed machine's route Choice sends a step of a bursting class to Lambda when its state is
   * entered, whatever EC2 has free). @default false (offered only what EC2 cannot place now)
   */
  readonly beforePlacement?: boolean;
  /**
   * Seconds from invoke to the step running. @default LAMBDA.startLatencySec (the oracle's is 0:
   * knowing the future it invokes one start latency ahead, which Lambda does not bill)
   */
  readonly startLatencySec?: number;
  /** Starts one pass over pool `poolId`'s queue at `nowSec`; the returned function is called per task in queue order. */
  begin(poolId: string, place: PoolPlacement, nowSec: number): (task: SimTask) => number | undefined;
}

/** What {@link createPricedBurstRouter} reads of the world, per pool. */
export interface BurstRouterInputs {
  /** The EC2 offering a launch for the pool would buy (the cheapest per vCPU it may use), or undefined. */
  readonly ec2Offering: (poolId: string) => Offering | undefined;
  /**
   * Seconds until EC2 capacity not yet ready (pending instances) joins the pool, or undefined when
   * none is pending (a launch then takes the offering's lead time).
   */
  readonly pendingReadyInSec: (poolId: string, nowSec: number) => number | undefined;
  /** Wait a step may take before bursting is considered, seconds. */
  readonly waitBudgetSec: number;
  /** What an hour of a step's wait is worth, USD (core/plan/burst.ts `TierContext.waitValueUsdPerHour`). @default 0 */
  readonly waitValueUsdPerHour?: number;
  /**
   * Runtime of the step class the decision uses: `expected` the task type's p50 (and p95 for the
   * timeout), as the controller knows it; `actual` the attempt's own runtime (perfect foresight: the oracle).
   */
  readonly runtime: 'expected' | 'actual';
  /**
   * The billed lead time of a launch of `o`, seconds. @default o.launchLeadTimeSec (the oracle's
   * instant cloud lists 0 there but bills the boot: it passes the drawn lead time's median)
   */
  readonly billedLeadTimeSec?: (o: Offering) => number;
  /**
   * True for a policy that never lets a step wait (the oracle launches at once for every step it
   * cannot place): each unplaced step is priced as past the budget, and its Lambda start takes no
   * time (invoked one start latency ahead, as its instances are launched one lead time ahead). @default false
   */
  readonly neverWait?: boolean;
}

/** The step class of a task: its resources and runtime (expected from its runtime statistics, or actual). */
export function stepClassOf(t: SimTask, runtime: 'expected' | 'actual'): StepClass {
  const stats = t.def.runtime;
  const expected = runtime === 'actual' ? t.runtimeSec : (stats?.p50Sec ?? t.def.timeoutSec);
  const max = runtime === 'actual' ? t.runtimeSec : (stats?.p95Sec ?? t.def.timeoutSec);
  return { vcpu: t.vcpu, memoryGiB: t.memoryGiB, runtimeSec: expected, maxRuntimeSec: max };
}

/**
 * A router that bursts a queued step when its expected EC2 wait is past the budget and Lambda is
 * cheaper than the EC2 capacity that would serve it on time (`chooseStepTier`). The expected EC2
 * wait of the k-th step left in the queue is the work queued ahead of it and its own (vCPU × runtime
 * of the steps staying on EC2) over the pool's ready vCPU, and never more than the time until pending
 * capacity (or a launch's lead time) arrives plus that drain.
 */
export function createPricedBurstRouter(inputs: BurstRouterInputs): BurstRouter {
  return {
    ...(inputs.neverWait ? { startLatencySec: 0 } : {}),
    begin(poolId, place, nowSec) {
      const o = inputs.ec2Offering(poolId);
      const ready = place.readyUnits();
      const pendingIn = inputs.pendingReadyInSec(poolId, nowSec);
      const arriveSec = pendingIn ?? o?.launchLeadTimeSec ?? Infinity;
      let aheadUnitSec = 0;
      return (t) => {
        const step = stepClassOf(t, inputs.runtime);
        if (lambdaMemoryMiB(step) === undefined || !o) { aheadUnitSec += step.vcpu * step.runtimeSec; return undefined; }
        const work = aheadUnitSec + step.vcpu * step.runtimeSec;
        const drainSec = ready > 0 ? work / ready : Infinity;
        const waitSec = inputs.neverWait ? Infinity : Math.min(drainSec, arriveSec);
        const choice = chooseStepTier(step, {
          expectedEc2WaitSec: waitSec, waitBudgetSec: inputs.waitBudgetSec,
          ...(inputs.waitValueUsdPerHour ? { waitValueUsdPerHour: inputs.waitValueUsdPerHour } : {}),
          ec2UsdPerVcpuHour: o.priceUsdPerHour / o.vcpu, ec2LeadTimeSec: inputs.billedLeadTimeSec?.(o) ?? o.launchLeadTimeSec,
        });
        if (choice.tier === 'lambda') return lambdaMemoryMiB(step);
        aheadUnitSec = work;
        return undefined;
      };
    },
  };
}

/**
 * The simulator's side of the `StepRouter` port: the routes the tick published, by class. The
 * workload dispatches by them through {@link createRoutedBurstRouter}.
 */
export class SimRouteTable implements StepRouter {
  readonly routes = new Map<string, StepClassRoute>();
  /** Routes published so far, and how many of them were `burst`. */
  readonly stats = { published: 0, burst: 0 };

  async publish(routes: readonly StepClassRoute[]): Promise<void> {
    for (const r of routes) {
      this.routes.set(routeKey(r.poolId, r.taskType), r);
      this.stats.published++;
      if (r.route === 'burst') this.stats.burst++;
    }
  }
}

/**
 * A router that obeys the planner's routes (issue 19, item 5) instead of deciding at dispatch: a task
 * whose class's route was `burst` when it became runnable (its queue time inside the route's window,
 * as the deployed machine reads the route when the step's state is entered) runs on Lambda with the
 * class's memory; every other task stays on EC2. Offered before EC2 placement, as deployed.
 */
export function createRoutedBurstRouter(table: SimRouteTable): BurstRouter {
  return {
    beforePlacement: true,
    begin(poolId, _place, nowSec) {
      return (t) => {
        const r = routeAt(table.routes, poolId, t.taskType, t.queuedAtSec ?? nowSec);
        return r?.route === 'burst' ? r.memoryMiB : undefined;
      };
    },
  };
}
