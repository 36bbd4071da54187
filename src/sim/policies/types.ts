/**
 * The policies a backtest compares. Each one drives its own world's SimulatedCloud through the
 * CloudProvider port (plus, for the oracle, a hook on task shortages).
 */
import type { AbTestSummary, ForecastErrorSummary, NextStepSummary } from '../../app/report/types.js';
import type { World } from '../world.js';

/** What a policy sees at each tick. */
export interface PolicyTickContext {
  readonly world: World;
  readonly tickIndex: number;
  readonly nowSec: number;
}

/** Policy-specific results for the report. */
export interface PolicyExtras {
  readonly forecastError: ForecastErrorSummary | null;
  readonly nextStep: NextStepSummary | null;
  readonly usesPrefetch: boolean;
  readonly decisionCounts: Readonly<Record<string, number>>;
  /** The A/B test of prefetch configurations, when the policy ran one (issue 22). */
  readonly abTest?: AbTestSummary;
}

/** A capacity policy under test. */
export interface SimPolicy {
  readonly name: string;
  /** Called once per tick after the world processed every event up to `nowSec`. */
  tick(ctx: PolicyTickContext): Promise<void>;
  extras(): PolicyExtras;
}

/** Builds a policy for a world (called once per run). */
export type PolicyFactory = (world: World) => SimPolicy;
