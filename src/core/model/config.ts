/**
 * Controller configuration: parsed once at the edge with zod and passed in (DESIGN.md rule 5).
 */
import { z } from 'zod';
import { CapacityPoolSchema } from './pool.js';
import { PolicySchema, PrincipalSchema } from './principal.js';
import { WorkflowSchema } from './workflow.js';
import { AbTestConfigSchema, BundleConfigSchema, FeedbackConfigSchema, FingerprintConfigSchema } from './learning-config.js';

/**
 * How a metric drives a pool's demand: units needed = metric value / `metricPerUnit`
 * (the target value of a target-tracking policy, per vCPU).
 */
export const DemandSignalSchema = z.object({
  seriesId: z.string().min(1),
  poolId: z.string().min(1),
  /** Metric value one capacity unit (vCPU) serves at the target utilisation. */
  metricPerUnit: z.number().positive(),
});
/** How a metric drives a pool's demand. */
export type DemandSignal = z.infer<typeof DemandSignalSchema>;

/** Safety limits: breaching one stops acting and raises an alarm. */
export const SafetyLimitsSchema = z.object({
  maxInstances: z.number().int().positive().default(200),
  maxSpendUsdPerHour: z.number().positive().default(100),
  maxChangeUnitsPerTick: z.number().positive().default(512),
});
/** Safety limits. */
export type SafetyLimits = z.infer<typeof SafetyLimitsSchema>;

/** Prefetch (speculative pre-execution) settings. */
export const PrefetchConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /** Minimum predicted probability to pre-execute. */
  probabilityThreshold: z.number().min(0).max(1).default(0.5),
  /** At most this many predicted steps per running chain. */
  topN: z.number().int().min(1).default(2),
  /** At most this many preparations at once. */
  maxConcurrent: z.number().int().min(1).default(8),
  /** Seconds a prepared state stays valid. */
  ttlSec: z.number().positive().default(900),
  /**
   * What one hour of step latency saved is worth to you, USD. A prepared state that is used saves its
   * step's setup: the compute (vCPU-hours at the prefetch `usdPerVcpuHour`) plus this value per hour
   * of latency. The state cache (ElastiCache) grows only when the states it would otherwise evict are
   * worth the node-hours it adds (core/plan/cache-sizing.ts). 0: compute alone must pay for it.
   */
  latencyValueUsdPerHour: z.number().nonnegative().default(0),
  /** Frequent subgraphs prepared together (issue 22); absent: the defaults of core/model/learning-config.ts. */
  bundles: BundleConfigSchema.optional(),
  /** Prediction-outcome feedback (issue 22); absent: the defaults of core/model/learning-config.ts. */
  feedback: FeedbackConfigSchema.optional(),
  /** A/B test of prefetch configurations across principals (issue 22); absent: one configuration for all. */
  abTest: AbTestConfigSchema.optional(),
});
/** Prefetch settings. */
export type PrefetchConfig = z.infer<typeof PrefetchConfigSchema>;

/**
 * The Lambda burst tier's choice (issue 19 item 5, core/plan/burst.ts `chooseStepTier`): a step class
 * that EC2 would make wait past `waitBudgetSec` bursts to Lambda when Lambda is cheaper than EC2
 * capacity launched for it, the wait priced at `waitValueUsdPerHour` per step-hour.
 * docs/benchmarks.md "The price of the wait goal with Lambda" measures the dial on the suite.
 */
export const BurstConfigSchema = z.object({
  /** Expected EC2 wait a step may take before bursting is considered, seconds. @default 5 (DEFAULT_BURST_WAIT_BUDGET_SEC) */
  waitBudgetSec: z.number().nonnegative().default(5),
  /** What an hour of one step's wait is worth to you, USD. @default 0 (cost alone decides) */
  waitValueUsdPerHour: z.number().nonnegative().default(0),
});
/** Burst tier settings. */
export type BurstConfig = z.infer<typeof BurstConfigSchema>;

/** The controller's whole configuration. */
export const ControllerConfigSchema = z.object({
  /** `forecast-only` logs plans and changes nothing; `dry-run` validates calls; `active` acts. */
  mode: z.enum(['forecast-only', 'dry-run', 'active']).default('forecast-only'),
  /** Seconds between ticks. */
  tickSec: z.number().int().positive().default(60),
  pools: z.array(CapacityPoolSchema).min(1),
  demandSignals: z.array(DemandSignalSchema).default([]),
  workflows: z.array(WorkflowSchema).default([]),
  principals: z.array(PrincipalSchema).default([]),
  policies: z.array(PolicySchema).default([]),
  limits: SafetyLimitsSchema.default({ maxInstances: 200, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 512 }),
  prefetch: PrefetchConfigSchema.default({ enabled: true, probabilityThreshold: 0.5, topN: 2, maxConcurrent: 8, ttlSec: 900, latencyValueUsdPerHour: 0 }),
  /** Quantile levels forecasts must provide. */
  quantiles: z.array(z.number().gt(0).lt(1)).default([0.1, 0.5, 0.9, 0.95]),
  /** Planning horizon beyond the longest lead time, seconds. */
  planMarginSec: z.number().nonnegative().default(600),
  /** issue 22: the persisted historical fingerprint (core/model/learning-config.ts). @default all defaults */
  fingerprint: FingerprintConfigSchema.default({ enabled: true, windowDays: 7, minRuns: 20, runtimes: true, prior: true }),
  /** The Lambda burst tier's wait budget and wait value; absent: the defaults of {@link BurstConfigSchema}. */
  burst: BurstConfigSchema.optional(),
});
/** The controller's whole configuration (defaults applied). */
export type ControllerConfig = z.infer<typeof ControllerConfigSchema>;
/** The controller's configuration as written by a user. */
export type ControllerConfigInput = z.input<typeof ControllerConfigSchema>;
