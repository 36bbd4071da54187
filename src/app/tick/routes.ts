/**
 * The tick's burst-route step (issue 19, item 5): plans the route of every step class
 * (core/plan/burst-route.ts) and, in active mode, publishes it through the `StepRouter` port. Burst
 * routes are logged as `plan` decisions on subject `route:<pool>/<taskType>`.
 */
import type { CapacitySnapshot, Decision } from '../../core/model/index.js';
import { planBurstRoutes, type BurstRouteInputs, type StepClassRoute } from '../../core/plan/burst-route.js';
import type { TickDeps } from './types.js';

/** What {@link burstRouteStage} reads of the tick; capacity is read only when a router is present. */
export type BurstRouteStageInputs = Omit<BurstRouteInputs, 'capacity' | 'tickSec' | 'waitBudgetSec' | 'waitValueUsdPerHour'> & { readonly capacity: () => Promise<CapacitySnapshot> };

/**
 * Plans and publishes the routes; pushes a decision per bursting class onto `decisions`.
 * @returns the routes, or undefined without `deps.stepRouter` or step classes
 */
export async function burstRouteStage(deps: TickDeps, inputs: BurstRouteStageInputs, decisions: Decision[]): Promise<readonly StepClassRoute[] | undefined> {
  if (!deps.stepRouter || inputs.classes.length === 0) return undefined;
  const budget = deps.options?.burstWaitBudgetSec;
  const value = deps.options?.burstWaitValueUsdPerHour;
  const routes = planBurstRoutes({ ...inputs, capacity: await inputs.capacity(), tickSec: deps.config.tickSec, ...(budget !== undefined ? { waitBudgetSec: budget } : {}), ...(value ? { waitValueUsdPerHour: value } : {}) });
  for (const r of routes) {
    if (r.route !== 'burst') continue;
    decisions.push({
      atSec: inputs.nowSec, kind: 'plan', subject: `route:${r.poolId}/${r.taskType}`, chosen: 'burst',
      reason: `${r.reason}; valid until ${r.validUntilSec}`,
      candidates: [
        { name: 'lambda', score: r.lambdaUsd ?? 0, parts: { memoryMiB: r.memoryMiB ?? 0 } },
        ...(Number.isFinite(r.ec2Usd) ? [{ name: 'ec2', score: r.ec2Usd, parts: { expectedWaitSec: Number.isFinite(r.expectedEc2WaitSec) ? r.expectedEc2WaitSec : -1 } }] : []),
      ],
    });
  }
  if (deps.config.mode !== 'active') return routes;
  try {
    await deps.stepRouter.publish(routes);
  } catch (e) {
    deps.logger?.warn('burst routes not published', { error: e instanceof Error ? e.message : String(e) });
  }
  return routes;
}
