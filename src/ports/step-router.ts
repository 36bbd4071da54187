import type { StepClassRoute } from '../core/model/index.js';

/**
 * Publishes the tick's burst routes (issue 19, item 5: per step class `headroom`, `ec2` or `burst`
 * with a validity window, core/plan/burst-route.ts) to where steps are dispatched. Implementations:
 * - the simulator's route table (src/sim/workload/burst.ts), which the workload dispatches by;
 * - in AWS, items `route#<poolId>#<taskType>` of the stack's decision table
 *   (src/adapters/aws/dynamodb-route-table.ts), which the compiled machines' route Choice reads.
 *
 * Contract: the routes replace earlier ones of the same class; a route is obeyed only inside its
 * window (a controller that stops ticking falls back to EC2 when the windows end). Errors of the
 * transport reject the promise (the tick logs them and goes on: routes are an optimisation).
 */
export interface StepRouter {
  publish(routes: readonly StepClassRoute[]): Promise<void>;
}
