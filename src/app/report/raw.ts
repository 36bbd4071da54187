/**
 * Raw results of one policy's run, as the simulator measured them (unrounded). The report builder
 * turns them into a {@link PolicyReport}.
 */
import type { ForecastErrorSummary, NextStepSummary, PrefetchSummary, VariantSummary } from './types.js';

/** Cost of one submitted chain, for attribution. */
export interface ChainCostRaw {
  readonly principal: string;
  readonly workflow: string;
  readonly costUsd: number;
}

/** Measurements of one policy's run. */
export interface PolicyRawResult {
  readonly policy: string;
  /** Sums of the timeline's cost column by market, USD (already rounded per row). */
  readonly spotUsd: number;
  readonly onDemandUsd: number;
  readonly cacheUsd: number;
  readonly waitSec: readonly number[];
  readonly makespanSec: readonly number[];
  readonly unmetDemandUnitSec: number;
  readonly idleUnitSec: number;
  readonly spotInterruptions: number;
  readonly tasksRequeued: number;
  readonly tasksSubmitted: number;
  readonly tasksCompleted: number;
  readonly chainsSubmitted: number;
  readonly chainsCompleted: number;
  readonly launches: number;
  readonly terminations: number;
  readonly forecastError: ForecastErrorSummary | null;
  readonly nextStep: NextStepSummary | null;
  readonly prefetch: PrefetchSummary | null;
  readonly variants: VariantSummary | null;
  readonly decisionCounts: Readonly<Record<string, number>>;
  /** Every submitted chain's cost (attribution); absent: no attribution in the report. */
  readonly chainCosts?: readonly ChainCostRaw[];
  /** Epoch seconds of the last tick. */
  readonly endSec: number;
}
