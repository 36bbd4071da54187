/**
 * Helpers reading a {@link ChainContext}: the effective step history and the start-time estimate of
 * a candidate next step.
 */
import type { ChainContext, NextStepPrediction } from './types.js';
import { START_SYMBOL } from './chain-tracker.js';
import { startInDistribution } from './delays.js';
import type { EdgeDelayTable } from './edge-table.js';

/** The chain's started task types, with the running step appended when `history` lacks it. */
export function effectiveHistory(ctx: ChainContext): string[] {
  const h = [...ctx.history];
  if (ctx.running && h[h.length - 1] !== ctx.running.taskType) h.push(ctx.running.taskType);
  return h;
}

/** Last started task type, or {@link START_SYMBOL} for a chain with no step yet. */
export function lastStep(history: readonly string[]): string {
  return history.length > 0 ? history[history.length - 1] : START_SYMBOL;
}

/**
 * Builds a prediction for `taskType` with probability `probability`, its start time from the edge
 * delays `last → taskType` and the running step's elapsed time and progress.
 */
export function withStartTime(ctx: ChainContext, delays: EdgeDelayTable, last: string, taskType: string, probability: number): NextStepPrediction {
  const elapsed = ctx.running ? ctx.nowSec - ctx.running.startedAtSec : 0;
  const d = startInDistribution(delays.get(ctx.workflow, last, taskType), elapsed, ctx.running?.intensity);
  return { taskType, probability, expectedStartInSec: d.expectedSec, startInSecQuantiles: d.quantilesSec };
}

/** Sorts candidates by probability (descending), ties by task type, and keeps `topN`. */
export function topN(dist: ReadonlyMap<string, number>, n: number): Array<[string, number]> {
  return [...dist.entries()]
    .filter(([, p]) => p > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, n));
}
