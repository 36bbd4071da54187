/**
 * What the controller tick needs (ports and core components, injected) and what it returns.
 */
import type { ApplyResult, CacheNodeOffering, Command, ControllerConfig, Decision, Forecast } from '../../core/model/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import type { Planner } from '../../core/plan/types.js';
import type { WarmPoolOptions } from '../../core/plan/warm-pool.js';
import type { NextStepModel } from '../../core/predict/types.js';
import type { BundleVsSingle } from '../../core/predict/bundle-outcomes.js';
import type { PrefetchConfig as PrefetchSelectionConfig } from '../../core/prefetch/selection.js';
import type { Clock } from '../../ports/clock.js';
import type { CloudProvider } from '../../ports/cloud-provider.js';
import type { EventSource } from '../../ports/event-source.js';
import type { Logger } from '../../ports/logger.js';
import type { MetricsSource } from '../../ports/metrics-source.js';
import type { TaskBacklogSignal } from '../../core/tick/types.js';
import type { Preparer, PrepareOutcome } from '../../ports/preparer.js';
import type { StepRouter } from '../../ports/step-router.js';
import type { StepClassRoute } from '../../core/model/route.js';
import type { StateStore } from '../../ports/state-store.js';

export type { TaskBacklogSignal } from '../../core/tick/types.js';

/** Tuning of the tick. */
export interface TickOptions {
  /** Seconds between forecast refits. @default 3600 */
  readonly refitEverySec?: number;
  /** History read for each refit, seconds. @default 7 days */
  readonly historySec?: number;
  /** Period forecasts are made at, seconds. @default 300 */
  readonly forecastPeriodSec?: number;
  /**
   * `refit`: the injected Forecaster refits every series every `refitEverySec`. `incremental`:
   * the injected Forecaster is refitted (`fit`) every `refitEverySec`, absorbs each completed
   * period in between (`update`) and forecasts every tick (`predict`); use it with core/forecast's
   * `createIncrementalForecaster`. @default "refit"
   */
  readonly forecastMode?: 'refit' | 'incremental';
  /**
   * Recalibrate metric demand quantiles from the tick's own observed forecast errors (normalised
   * split conformal, see tick/calibration.ts) once two hours of scores are in. @default false
   */
  readonly recalibrate?: boolean;
  /**
   * Known-step demand as capacity will face it (issue 19; core/plan/known-steps.ts): `drainToleranceSec`
   * counts a waiting step of runtime d as u × min(1, d / τ) units (null: its full units), pending
   * launches join the drain at their expected ready time, and with `lowerKnownSteps` the residual
   * calibrator scores the faced demand of the steps known at each tick (not the raw backlog metric)
   * and may lower the known steps as well as raise them. With `useProgress` (issue 22, intensity) a
   * running step's trustworthy progress report sets its expected end (within its runtime p95). With
   * `residualRegimes` the residual calibrator keeps the residuals of an idle pool apart from those of
   * an active one (core/tick/demand.ts `backlogRegime`, Mondrian groups).
   * @default { drainToleranceSec: DEFAULT_DRAIN_TOLERANCE_SEC (10), lowerKnownSteps: false, useProgress: true, residualRegimes: true }
   */
  readonly knownSteps?: { readonly drainToleranceSec?: number | null; readonly lowerKnownSteps?: boolean; readonly useProgress?: boolean | 'earlier'; readonly residualRegimes?: boolean };
  /**
   * Adaptive conformal inference on each metric pool's realized coverage (core/tick/coverage.ts, Gibbs
   * & Candès 2021), its step size γ: with `recalibrate`, the level the calibrated metric quantiles are
   * read at moves so that the share of minutes a pool's ready capacity fell short of its demand
   * converges to 1 − serviceLevel. 0 turns it off; session 14 screened γ = 0.005, the paper's (docs/benchmarks.md
   * "Session 14": cheaper, but only by leaving demand unserved). @default 0
   */
  readonly coverageGamma?: number;
  /** EC2 Auto Scaling warm pools for pools that buy on-demand (core/plan/warm-pool.ts). @default none */
  readonly warmPools?: WarmPoolOptions;
  /**
   * issue 19 item 6: hold headroom for the first steps of the chains the behaviour model predicts to
   * arrive within a launch lead time, priced (core/plan/arrival-headroom.ts). @default false
   */
  readonly arrivalHeadroom?: boolean;
  /** Expected EC2 wait past which a step class may burst to Lambda, seconds (with a `stepRouter`). @default core/plan DEFAULT_BURST_WAIT_BUDGET_SEC */
  readonly burstWaitBudgetSec?: number;
  /** What an hour of a step's wait is worth, USD: waiting for EC2 is priced at it against bursting (core/plan/burst.ts). @default 0 */
  readonly burstWaitValueUsdPerHour?: number;
  /** Planning slot, seconds. @default config.tickSec */
  readonly slotSec?: number;
  /** Backlog metrics of task pools; their forecast is demand beyond the tasks already committed. */
  readonly taskBacklogSignals?: readonly TaskBacklogSignal[];
  /** Pre-execution selection settings; absent or `config.prefetch.enabled` false: no prefetch. */
  readonly prefetch?: PrefetchSelectionConfig;
  /**
   * How long an offering that received a spot interruption notice, a rebalance recommendation or an
   * insufficient-capacity event stays out of the plans, seconds (see tick/spot.ts). @default 1800
   */
  readonly spotAvoidSec?: number;
  /**
   * ElastiCache node types with memory and price, for sizing cache pools. @default core/market's
   * DEFAULT_CACHE_NODE_TABLE (the price of a group the provider reports overrides the table's)
   */
  readonly cacheNodes?: readonly CacheNodeOffering[];
  /**
   * Seconds a launch is counted while no describe lists its instances.
   * @default 900 (tick/pending-launches.ts DEFAULT_PENDING_LAUNCH_MAX_AGE_SEC)
   */
  readonly pendingLaunchMaxAgeSec?: number;
}

/** Everything one tick uses. */
export interface TickDeps {
  readonly clock: Clock;
  readonly metrics: MetricsSource;
  readonly events: EventSource;
  readonly cloud: CloudProvider;
  readonly forecaster: Forecaster;
  readonly nextStep: NextStepModel;
  readonly planner: Planner;
  readonly config: ControllerConfig;
  /**
   * Runs the prefetch stage's preparations (the `prepare` phase of predicted steps): the simulator's
   * workload in a backtest, the local prefetch manager under `prescale serve`, SQS `prepare`
   * messages in AWS. Absent: nothing is prepared (the cache is still sized for states held).
   */
  readonly preparer?: Preparer;
  /**
   * Publishes the burst routes per step class (issue 19, item 5; core/plan/burst-route.ts): the
   * simulator's route table in a backtest, the stack's decision table in AWS. Absent: no routes are
   * planned (every step waits for EC2).
   */
  readonly stepRouter?: StepRouter;
  /** Durable state: tick progress and the decision log. Absent: state kept in the runtime only. */
  readonly store?: StateStore;
  readonly logger?: Logger;
  readonly options?: TickOptions;
}

export type { TickState } from '../../core/tick/memory.js';
import type { TickStats } from '../../core/tick/memory.js';

/** The outcome of one tick. */
export interface TickResult {
  readonly atSec: number;
  /** True when the tick had already completed (a retried invocation) and did nothing. */
  readonly skipped: boolean;
  readonly decisions: readonly Decision[];
  /** Commands accepted by validate (and applied in active mode). */
  readonly commands: readonly Command[];
  /** Preparations (pre-executions) the prefetch stage chose; handed to the Preparer in active mode. */
  readonly preparations: readonly PrepareOutcome[];
  readonly results: readonly ApplyResult[];
  readonly forecasts: readonly Forecast[];
  /** The burst routes planned and published (active mode) this tick; absent without a `stepRouter`. */
  readonly routes?: readonly StepClassRoute[];
}

export type { TickStats } from '../../core/tick/memory.js';

/**
 * What the tick's learning loop has measured so far (issue 22), cumulative since the next-step model
 * and the learning hooks started (a restored memory carries them on): the controller publishes the
 * change per tick.
 */
export interface TickLearningStats {
  /**
   * The next-step model's feedback loop: predicted task types scored against the step that started,
   * and Σ(p − o)² of the probabilities the tick used (Brier score = brierSum ÷ outcomes); absent when
   * the model has no feedback loop.
   */
  readonly calibration?: { readonly outcomes: number; readonly brierSum: number };
  /** Outcomes of the commanded preparations, bundle members against single steps (core/predict/bundle-outcomes.ts). */
  readonly bundles: BundleVsSingle;
}

/** A controller tick bound to its dependencies; call `run()` once per tick period. */
export interface ControllerTick {
  run(): Promise<TickResult>;
  stats(): TickStats;
  /** The learning loop's figures so far (see {@link TickLearningStats}). */
  learning(): TickLearningStats;
}
