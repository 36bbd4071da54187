/**
 * Raw results of one policy's run, as the simulator measured them (unrounded). The report builder
 * turns them into a {@link PolicyReport}.
 */
import type { PolicyReport } from './types.js';

/** Cost of one submitted chain, for attribution. */
export interface ChainCostRaw {
  readonly principal: string;
  readonly workflow: string;
  readonly costUsd: number;
}

/** Measurements of one EC2 pool over the run (sums over ticks). */
export interface PoolRaw {
  readonly poolId: string;
  /** Spot plus on-demand cost of the pool's instances, USD (the cache is reported apart). */
  readonly ec2Usd: number;
  /** Sum over ticks of the pool's demand (metric demand plus running and queued task vCPU), units. */
  readonly demandUnitTicks: number;
  /** Sum over ticks of the pool's ready capacity, units. */
  readonly readyUnitTicks: number;
  readonly ticks: number;
  /** Ready capacity not used, unit-seconds. */
  readonly idleUnitSec: number;
  /** Metric demand not served, unit-seconds. */
  readonly unmetUnitSec: number;
  /** Ticks in which some metric demand was not served (absent: not counted, read as 0). */
  readonly shortTicks?: number;
}

/** Fields a raw result carries over to the {@link PolicyReport} unchanged (counts and summaries). */
type CarriedOver = Pick<
  PolicyReport,
  | 'policy' | 'unmetDemandUnitSec' | 'spotInterruptions' | 'tasksRequeued' | 'tasksSubmitted' | 'tasksCompleted'
  | 'chainsSubmitted' | 'chainsCompleted' | 'launches' | 'terminations'
  | 'forecastError' | 'nextStep' | 'prefetch' | 'variants' | 'decisionCounts'
>;

/** Measurements of one policy's run: the carried-over fields plus raw samples the builder summarises. */
export interface PolicyRawResult extends CarriedOver {
  /** Sums of the timeline's cost column by market, USD (already rounded per row). */
  readonly spotUsd: number;
  readonly onDemandUsd: number;
  readonly cacheUsd: number;
  /** Wait for capacity of every task, seconds (summarised into percentiles). */
  readonly waitSec: readonly number[];
  /** Makespan of every chain, seconds. */
  readonly makespanSec: readonly number[];
  /** Ready capacity not used, unit-seconds (reported as unit-hours). */
  readonly idleUnitSec: number;
  /** Per EC2 pool, in the scenario's order; absent: no pool table in the report. */
  readonly pools?: readonly PoolRaw[];
  /** Every submitted chain's cost (attribution); absent: no attribution in the report. */
  readonly chainCosts?: readonly ChainCostRaw[];
  /** Held capacity per pool × instance type × market, unit-seconds (pending, running or interrupting). */
  readonly instanceMix?: ReadonlyArray<{ readonly poolId: string; readonly instanceType: string; readonly market: 'spot' | 'on-demand'; readonly unitSec: number }>;
  /** Epoch seconds of the last tick. */
  readonly endSec: number;
  /** The A/B test of prefetch configurations, when run (issue 22; rounded by the builder). */
  readonly abTest?: PolicyReport['abTest'];
  /** Bundles against single-step preparations, when known (issue 22; rounded by the builder). */
  readonly bundles?: PolicyReport['bundles'];
}
