/**
 * The burst route of a step class (issue 19, item 5), a planner output: core/plan/burst-route.ts
 * decides it, the `StepRouter` port publishes it (the simulator's workload, the stack's decision table).
 */

/** Where a step class's steps go while the route is valid. */
export type StepRoute = 'headroom' | 'ec2' | 'burst';

/** The route of one step class, valid in `[validFromSec, validUntilSec)`. */
export interface StepClassRoute {
  readonly poolId: string;
  readonly taskType: string;
  readonly route: StepRoute;
  /** Lambda memory of the class, MiB (present when the class fits Lambda). */
  readonly memoryMiB?: number;
  readonly validFromSec: number;
  readonly validUntilSec: number;
  /** Expected EC2 wait of the class's next step when the route was decided, seconds. */
  readonly expectedEc2WaitSec: number;
  /** Lambda's price of one step, USD (present when the class fits Lambda). */
  readonly lambdaUsd?: number;
  /** EC2's price to serve one step on time (a launch for it, at least the 60 s minimum), USD. */
  readonly ec2Usd: number;
  readonly reason: string;
}

/** The decision-table key of a step class's route: `route#<poolId>#<taskType>`. */
export function routeKey(poolId: string, taskType: string): string {
  return `route#${poolId}#${taskType}`;
}

