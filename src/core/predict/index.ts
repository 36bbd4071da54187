/**
 * Next-step prediction (seeds 000, 002, 004): models learned from execution events that say which
 * steps of a running chain come next, with what probability and when.
 */
import type { NextStepModel } from './types.js';
import { Markov1Model } from './markov1.js';
import { VomModel, type VomOptions } from './vom.js';
import { InputError } from '../model/errors.js';
import { FeedbackModel, type FeedbackOptions } from './feedback.js';

export type { ChainContext, NextStepModel, NextStepPrediction } from './types.js';
export type { DistributionModel } from './types.js';
export { Markov1Model } from './markov1.js';
export { MostFrequentSuccessorModel } from './baselines.js';
export { VomModel, VomOptionsSchema, hourOfWeek, type VomOptions, type VomContext } from './vom.js';
export { AccuracyTracker, brierScore, rankOf, type AccuracyStats } from './scoring.js';
export { ChainTracker, START_SYMBOL, type Transition } from './chain-tracker.js';
export { startInDistribution, quantile, type StartInDistribution } from './delays.js';

/** Which next-step model to build. */
export type NextStepModelKind = 'markov1' | 'vom';

/**
 * Creates a next-step model.
 * @param kind `markov1`: first-order Markov over task types; `vom` (default): variable-order Markov
 * @param opts options of the variable-order model (ignored by `markov1`); see {@link VomOptionsSchema}
 * @throws InputError for an unknown kind or an option out of range
 */
export function createNextStepModel(kind: NextStepModelKind = 'vom', opts?: VomOptions): NextStepModel {
  switch (kind) {
    case 'markov1':
      return new Markov1Model();
    case 'vom':
      return new VomModel(opts);
    default:
      throw new InputError({ field: 'kind' }, kind, "'markov1' or 'vom'");
  }
}

/**
 * A next-step model with the prediction-outcome feedback loop around it (core/predict/feedback.ts):
 * its probabilities are calibrated online on the outcomes of its own predictions, and its
 * reliability curve and Brier score are kept for reports.
 * @throws InputError as {@link createNextStepModel}, or for a feedback option out of range
 */
export function createLearningNextStepModel(kind: NextStepModelKind = 'vom', opts?: VomOptions, feedback?: FeedbackOptions): FeedbackModel {
  return new FeedbackModel(createNextStepModel(kind, opts), feedback);
}

/**
 * Restores a model saved with its `toJSON()` (the kind is read from the JSON; a `feedback` model
 * restores its inner model too).
 * @throws InputError when `json` is not a saved markov1, vom or feedback model
 */
export function restoreNextStepModel(json: unknown): NextStepModel {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'feedback') return FeedbackModel.fromJSON(json, restoreNextStepModel);
  if (kind === 'markov1') return Markov1Model.fromJSON(json);
  if (kind === 'vom') return VomModel.fromJSON(json);
  throw new InputError({ field: 'kind' }, kind, "a saved next-step model with kind 'markov1', 'vom' or 'feedback'");
}
export {
  selectPrefetch,
  parsePrefetchConfig,
  PrefetchSelectionConfigSchema,
  setupSecondsOf,
  preparationCostUsd,
  DEFAULT_USD_PER_VCPU_HOUR,
  DEFAULT_USD_PER_GIB_HOUR,
  type PrefetchSelectionConfig,
  type PrefetchConfig,
  type PrefetchSelectionConfigInput,
  type PrefetchChainInput,
  type PrefetchBundle,
  type PrefetchDecision,
  type PrefetchSelection,
} from '../prefetch/selection.js';
export { groupSignals, firstStartSec, runtimeSecOf, type StepSignals, type ChainSignals } from './step-signals.js';
export {
  reconstructGraph,
  chainsInWindow,
  summarise,
  WINDOW_7_DAYS_SEC,
  WINDOW_30_DAYS_SEC,
  type ExecutionGraph,
  type GraphNode,
  type GraphEdge,
  type SampleSummary,
} from './graph.js';
export { frequentPaths, mineBundles, type FrequentPath, type MinedBundle } from './mining.js';
export { BundleBook, feasibleBundles, parseBundleConfig, BundleConfigSchema, type BundleConfig, type BundleConfigInput } from './bundles.js';
export { BundleOutcomeBook, bundleEdgeKey, stepGroupKey, SINGLE_STEP_GROUP, STEP_GATE_SHARE, STEP_GATE_MIN_SETTLED, EDGE_MIN_SETTLED, type OutcomeTotals, type BundleOutcomeBookJSON } from './bundle-outcomes.js';
export {
  assignArm,
  selectPrefetchForArms,
  compareArms,
  emptyArmMetrics,
  fnv1a32,
  normalCdf,
  type PrefetchArm,
  type ArmMetrics,
  type ArmComparison,
} from './ab-test.js';
export { FeedbackModel, isFeedbackModel, type FeedbackOptions, type FeedbackSummary, type FeedbackModelJSON } from './feedback.js';
export { IsotonicCalibrator, ReliabilityTracker, binOf, type ReliabilityBin, type ReliabilitySummary, type BrierBucket, type IsotonicOptions } from './calibration.js';
export { ExecutionEventSchema, parseExecutionEvents } from './event-schema.js';
