/**
 * The next-step prediction contract the tick and the prefetch manager use.
 */
import type { ExecutionEvent } from '../model/events.js';

/** What is known about one running chain when asking for its next steps. */
export interface ChainContext {
  readonly chainId: string;
  readonly workflow: string;
  readonly principal?: string;
  /** Channel the chain came in through (IVR, web, mobile, api), when known. */
  readonly channel?: string;
  /** Task types of the chain's steps in the order they started (oldest first). */
  readonly history: readonly string[];
  /** The step running now, if any, with its progress 0..1 when known. */
  readonly running?: { readonly taskType: string; readonly startedAtSec: number; readonly intensity?: number };
  /**
   * Task type of the chain's most recently finished step, when known. In a DAG the next step usually
   * starts when a parent finishes, so this is a strong context (used by the `vom` model's
   * `lastFinished` context).
   */
  readonly lastFinished?: string;
  /** Epoch seconds now. */
  readonly nowSec: number;
}

/** One predicted next step. */
export interface NextStepPrediction {
  readonly taskType: string;
  /** Probability 0..1 that this is the next step to start. */
  readonly probability: number;
  /** Expected seconds from `nowSec` until it starts. */
  readonly expectedStartInSec: number;
  /** Quantiles of the start delay from now, seconds, when known. */
  readonly startInSecQuantiles?: Readonly<Record<string, number>>;
}

/**
 * A next-step model learned from execution events (seeds 000, 002, 004). Pure and deterministic:
 * the same events in the same order give the same predictions.
 */
export interface NextStepModel {
  readonly name: string;
  /** Online update with events in time order (started/finished events drive it). */
  observe(events: readonly ExecutionEvent[]): void;
  /** The `topN` most likely next steps, most likely first; probabilities sum to at most 1. */
  predict(context: ChainContext, topN: number): NextStepPrediction[];
  /** JSON-serialisable state, so the Lambda can persist it between invocations. */
  toJSON(): unknown;
  /**
   * Accuracy of the model's own predictions, scored as the truth arrived in `observe` (prequential):
   * per workflow and `*` for all; `top1`/`top3` shares 0..1, `brier` the mean multi-class Brier score
   * 0..2. Optional: models that do not score omit it.
   */
  accuracySummary?(): Record<string, { readonly predictions: number; readonly top1: number; readonly top3: number; readonly brier: number }>;
}

/** A next-step model that can give its whole next-step distribution (scoring, benchmarks). */
export interface DistributionModel extends NextStepModel {
  /** Next task type → probability for `context`; probabilities sum to at most 1. */
  distribution(context: ChainContext): Map<string, number>;
}
