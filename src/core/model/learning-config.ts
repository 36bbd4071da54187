/**
 * Settings of the learning loop (issue 22), part of the controller config's `prefetch` section:
 * frequent-subgraph bundles and the prediction-outcome feedback. Parsed once at the edge with zod
 * (strict objects), like the rest of the config.
 */
import { z } from 'zod';

/** Default `prefetch.bundles.maxHoldSec` (chosen on the suite, docs/benchmarks.md "Learning loop on the suite"). */
export const MAX_HOLD_SEC = 120;
/** Default `prefetch.bundles.minRootProbability` (chosen on the suite, docs/benchmarks.md "Learning loop on the suite"). */
export const MIN_ROOT_PROBABILITY = 0;

/** Settings of the bundle book (the controller config's `prefetch.bundles`). */
export const BundleConfigSchema = z.strictObject({
  /** Prepare frequent subgraphs together. @default true */
  enabled: z.boolean().default(true),
  /** Share of the chains with the root in which a member must follow it (association confidence). @default 0.9 */
  minSupport: z.number().min(0).max(1).default(0.9),
  /** Chains with the root needed before a bundle is trusted. @default 5 */
  minChains: z.number().int().min(1).default(5),
  /** Median seconds from the root's start to a member's start, at most. @default 600 */
  maxLagSec: z.number().positive().default(600),
  /** Rolling window of chains mined, seconds (seed 001: e.g. 7 or 30 days). @default 604800 (7 days) */
  windowSec: z.number().int().positive().default(7 * 86_400),
  /** Seconds between re-minings. @default 3600 */
  refreshSec: z.number().int().positive().default(3600),
  /** Seconds a chain must be quiet before it counts. @default 1800 */
  settleSec: z.number().int().nonnegative().default(1800),
  /**
   * Most seconds a member's prepared state may wait in the cache for its step (median lag after the
   * root − the member's setup), at most the prefetch TTL: members that would hold cache memory longer
   * are not prepared with the root (they crowd the state cache and get evicted). @default MAX_HOLD_SEC
   */
  maxHoldSec: z.number().nonnegative().default(MAX_HOLD_SEC),
  /** Least probability of the predicted root for its members to be prepared with it. @default MIN_ROOT_PROBABILITY */
  minRootProbability: z.number().min(0).max(1).default(MIN_ROOT_PROBABILITY),
  /**
   * Bundle feedback (core/predict/bundle-outcomes.ts `admits`): a bundle edge (root → member) is
   * prepared only after 3 measured or shadow outcomes and while its setup seconds saved pay for its
   * wasted CPU-seconds plus one more miss at the single-step preparations' ratio (chosen on the suite,
   * docs/benchmarks.md "Learning loop on the suite"). @default true
   */
  outcomeGate: z.boolean().default(true),
});
/** Bundle settings, defaults applied. */
export type BundleConfig = z.output<typeof BundleConfigSchema>;
/** Bundle settings as written. */
export type BundleConfigInput = z.input<typeof BundleConfigSchema>;

/** Settings of the prediction-outcome feedback (the controller config's `prefetch.feedback`). */
export const FeedbackConfigSchema = z.strictObject({
  /** Calibrate predicted probabilities online on their outcomes (isotonic map). @default true */
  calibrate: z.boolean().default(true),
  /** Let the calibration raise probabilities too (off: it only penalises levels that come true less often than said). @default false */
  raise: z.boolean().default(false),
  /** Seconds after which an unanswered prediction counts as not come true. @default 21600 */
  expirySec: z.number().int().positive().default(21_600),
  /**
   * Preparation feedback (core/predict/bundle-outcomes.ts `admitsStep`): a predicted task type of a
   * workflow whose measured preparations save less than {@link STEP_GATE_SHARE} of the single-step
   * preparations' setup seconds per wasted CPU-second (after {@link STEP_GATE_MIN_SETTLED} outcomes)
   * is no longer prepared. @default true
   */
  outcomeGate: z.boolean().default(true),
});
/** Feedback settings, defaults applied. */
export type FeedbackConfig = z.output<typeof FeedbackConfigSchema>;

/**
 * The next-step model of one A/B arm (issue 22, seed 000 §3 "different prefetching configurations"):
 * the arm's chains get their predictions from this model, trained on the same execution events as
 * the controller's, instead of from the controller's model.
 */
export const AbArmModelSchema = z.strictObject({
  /** `vom` (variable-order Markov with context experts) or `markov1` (first order). @default "vom" */
  kind: z.enum(['vom', 'markov1']).default('vom'),
  /** Longest context of the `vom` model, steps (its Markov order). @default 3 */
  maxOrder: z.number().int().min(1).max(8).default(3),
  /** Calibrate the arm's probabilities online on their outcomes (core/predict/feedback.ts). @default true */
  feedback: z.boolean().default(true),
});
/** An arm's model, defaults applied. */
export type AbArmModel = z.output<typeof AbArmModelSchema>;

/** One prefetch configuration under test (overrides of the controller's `prefetch` settings). */
export const AbArmConfigSchema = z.strictObject({
  /** Arm name (metrics key). */
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash'),
  /** Relative share of principals. @default 1 */
  weight: z.number().positive().default(1),
  /** Predicted steps per running chain considered (top-N). */
  topN: z.number().int().min(1).optional(),
  /** Minimum predicted probability to prepare. */
  probabilityThreshold: z.number().min(0).max(1).optional(),
  /** Preparations at once (the arm's prefetch worker-pool size). */
  maxConcurrent: z.number().int().min(1).optional(),
  /** Prepare frequent subgraphs together in this arm. @default the controller's `prefetch.bundles.enabled` */
  bundles: z.boolean().optional(),
  /** The arm's own next-step model. @default the controller's model */
  model: AbArmModelSchema.optional(),
});
/** An A/B arm, defaults applied. */
export type AbArmConfig = z.output<typeof AbArmConfigSchema>;

/**
 * A/B test of prefetch configurations (seed 000 §3): principals are assigned to arms by an FNV-1a
 * hash of `salt:principal` (a chain without a principal by its chain id), each arm selects its chains'
 * preparations with its settings, and the report compares every arm with `control`.
 */
export const AbTestConfigSchema = z.strictObject({
  arms: z.array(AbArmConfigSchema).min(2).max(8),
  /** The control arm's name. @default the first arm */
  control: z.string().optional(),
  /** Salt of the assignment hash (change it to re-draw the groups). @default "prefetch-ab" */
  salt: z.string().max(64).default('prefetch-ab'),
}).superRefine((v, ctx) => {
  const names = v.arms.map((a) => a.name);
  if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['arms'], message: `unique arm names (got ${names.join(', ')})` });
  if (v.control !== undefined && !names.includes(v.control)) ctx.addIssue({ code: 'custom', path: ['control'], message: `one of the arm names ${names.join(', ')}` });
});
/** A/B settings, defaults applied. */
export type AbTestConfig = z.output<typeof AbTestConfigSchema>;

/**
 * The persisted historical fingerprint (seed 001 §2; the controller config's `fingerprint`): the
 * execution graph and runtime distributions rebuilt over a rolling window from the execution events
 * (core/predict/fingerprint-book.ts), kept in the state store, and used by the next-step model (edge
 * probabilities as prior) and the planner's step-runtime estimates.
 */
export const FingerprintConfigSchema = z.strictObject({
  /** Keep and use the fingerprint. @default true */
  enabled: z.boolean().default(true),
  /** Rolling window, days (seed 001: e.g. 7 or 30). @default 7 */
  windowDays: z.number().int().min(1).max(90).default(7),
  /** Measured runtimes of a task type replace its definition's `runtime` once it has this many. @default 20 */
  minRuns: z.number().int().min(1).default(20),
  /** Use measured runtimes in the planner's known-step timings (drain, p50/p95 release). @default true */
  runtimes: z.boolean().default(true),
  /** Use the edge probabilities as the next-step model's prior. @default true */
  prior: z.boolean().default(true),
});
/** Fingerprint settings, defaults applied. */
export type FingerprintConfig = z.output<typeof FingerprintConfigSchema>;
