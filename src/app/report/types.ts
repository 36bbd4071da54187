/**
 * The backtest report's shape: what `report.json` holds (keys written in this order) and what
 * `timeline.csv` rows mean. Other tools (the HTML report) read these files; fields are only ever
 * added, never renamed or removed. Optional fields are filled by later stages (composer, prefetch).
 */

/** Report format version; bumped only on incompatible changes. */
export const REPORT_SCHEMA_VERSION = 1;

/** Percentiles of a latency distribution, seconds (nearest-rank on the sorted samples; 0 when none). */
export interface LatencySummary {
  readonly count: number;
  readonly p50Sec: number;
  readonly p95Sec: number;
  readonly p99Sec: number;
  readonly meanSec: number;
  readonly maxSec: number;
}

/** Cost of one policy over the run, USD (per-second billing with a 60 s minimum per instance). */
export interface CostSummary {
  readonly totalUsd: number;
  readonly spotUsd: number;
  readonly onDemandUsd: number;
  /** ElastiCache node-hours, USD (0 when the scenario has no cache pool). */
  readonly cacheUsd: number;
}

/** Forecast accuracy of the policy's forecasts, when it forecasts at all. */
export interface ForecastErrorSummary {
  /** Which metric: "sMAPE" (symmetric MAPE, percent, 0..200) of the mean forecast vs observed demand units. */
  readonly metric: 'sMAPE' | 'MASE';
  readonly value: number;
  /** Forecast points scored. */
  readonly points: number;
  /** Forecast horizon scored, seconds ahead of the forecast origin. */
  readonly horizonSec: number;
}

/** Next-step prediction accuracy: top-1 prediction made before a step started vs the step that started. */
export interface NextStepSummary {
  readonly predictions: number;
  readonly hits: number;
  /** hits / predictions, 0..1 (0 when no predictions). */
  readonly hitRate: number;
  /** Calibration of the predicted probabilities from the feedback loop (issue 22; absent without it). */
  readonly calibration?: CalibrationSummary;
}

/** One arm of the A/B test of prefetch configurations (issue 22). */
export interface AbArmSummary {
  readonly name: string;
  /** Chains assigned to the arm (by their principal's hash, or their chain id's). */
  readonly chains: number;
  readonly preparations: number;
  readonly hits: number;
  /** hits ÷ preparations. */
  readonly hitRate: number;
  readonly setupSecSaved: number;
  readonly wastedCpuSec: number;
  /** Wasted CPU priced at the prefetch vCPU price, USD. */
  readonly wastedUsd: number;
  /** setupSecSaved ÷ wastedCpuSec (null when nothing was wasted). */
  readonly savedPerWastedCpuSec: number | null;
  /** Makespan of the arm's finished chains, seconds. */
  readonly latencySec: { readonly n: number; readonly mean: number; readonly p95: number };
  readonly hitRateDelta: number;
  /** Two-proportion z-test p-value against the control (null for the control or when undefined). */
  readonly hitRatePValue: number | null;
  readonly latencyDeltaSec: number;
  /** Welch t-test p-value of mean latency against the control (null for the control or when undefined). */
  readonly latencyPValue: number | null;
}

/** The A/B test of prefetch configurations (issue 22). */
export interface AbTestSummary {
  readonly control: string;
  /** The significance tests used, in words. */
  readonly tests: string;
  readonly arms: readonly AbArmSummary[];
  /** The arm with the best hit rate significantly above the control's (else the control), with 1 − p. */
  readonly winner: { readonly arm: string; readonly metric: 'hitRate'; readonly confidence: number | null; readonly reason: string };
}

/** The outcomes of one kind of prefetch selection (bundle members or single steps; issue 22). */
export interface SelectionFigures {
  /** Commanded preparations whose outcome is known (hit, aborted, expired or evicted). */
  readonly settled: number;
  readonly hits: number;
  /** hits ÷ settled (0 when none settled). */
  readonly hitRate: number;
  readonly setupSecSaved: number;
  /** CPU-seconds of the misses (setup seconds × vCPU; aborted: until the step started). */
  readonly wastedCpuSec: number;
  /** setupSecSaved ÷ wastedCpuSec (null when nothing was wasted). */
  readonly savedPerWastedCpuSec: number | null;
}

/**
 * Frequent-subgraph bundles against single-step preparations (issue 22), from the tick's bundle
 * outcome book (core/predict/bundle-outcomes.ts; commanded preparations only, not the shadow ones).
 * Reported by `prescale export-report` (the saved tick memory); absent from backtest reports.
 */
export interface BundleSummary {
  /** Epoch seconds of the tick the figures were saved after (null when unknown); they are cumulative up to it. */
  readonly asOfSec: number | null;
  /** Bundle edges (workflow, root, member) with at least one settled preparation. */
  readonly edges: number;
  readonly bundle: SelectionFigures;
  readonly single: SelectionFigures;
}

/** One decile of a reliability curve. */
export interface ReliabilityDecile {
  /** Predicted-probability range [lo, hi). */
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly meanPredicted: number;
  /** Share that came true. */
  readonly observed: number;
  /** |meanPredicted − observed|. */
  readonly absError: number;
}

/**
 * Calibration of next-step probabilities (issue 22): every predicted task type scored against the
 * step that started next (core/predict/feedback.ts), as a reliability curve per decile and Brier score.
 */
export interface CalibrationSummary {
  /** (probability, outcome) pairs scored. */
  readonly outcomes: number;
  readonly cameTrue: number;
  /** Scored as not come true because no step followed within the expiry. */
  readonly expired: number;
  /** Whether the probabilities the tick used were calibrated online (isotonic map). */
  readonly calibrated: boolean;
  /** Whether the calibration could raise probabilities (else it only lowered overconfident ones). */
  readonly raise?: boolean;
  /** Brier score of the probabilities the tick used, 0..1. */
  readonly brier: number;
  /** Largest per-decile |mean predicted − observed| over deciles with ≥ `minBinCount` predictions. */
  readonly maxDecileError: number;
  /** Expected calibration error over the deciles. */
  readonly ece: number;
  readonly minBinCount: number;
  readonly deciles: readonly ReliabilityDecile[];
  /** The same for the model's raw (uncalibrated) probabilities. */
  readonly raw: { readonly brier: number; readonly maxDecileError: number; readonly ece: number; readonly deciles: readonly ReliabilityDecile[] };
  /** Brier score per hour (bucket start, epoch seconds). */
  readonly brierOverTime: ReadonlyArray<{ readonly startSec: number; readonly n: number; readonly brier: number }>;
  /** Seconds a step that came true started after its expected start (negative: earlier). */
  readonly latenessSec: { readonly n: number; readonly p50: number; readonly p95: number; readonly meanAbs: number };
}

/** Speculative pre-execution outcome (issue 5). */
export interface PrefetchSummary {
  readonly preparations: number;
  /** Prepared steps that started within the TTL (their setup was skipped). */
  readonly hits: number;
  readonly setupSecSaved: number;
  /** CPU-seconds of preparations never used (expired, wrong prediction) or aborted (step started before the state was ready). */
  readonly wastedCpuSec: number;
  /** Wasted CPU plus the cache memory held by preparations that were not hits, USD. */
  readonly wastedUsd: number;
  /** Preparations whose step started before the state was ready (ran cold). */
  readonly aborted?: number;
  /** Preparations that expired or whose step never started. */
  readonly expired?: number;
  /** Preparations whose state was evicted from a full state cache (the step ran cold). */
  readonly evicted?: number;
  /** GiB-seconds of cache memory held by preparations that were not hits. */
  readonly wastedMemoryGiBSec?: number;
}

/** Variant choices and mid-run switches (issue 4). */
export interface VariantSummary {
  /** Chains per chosen variant, keyed "workflow/variant". */
  readonly choices: Readonly<Record<string, number>>;
  readonly switches: number;
  /** Switches per reason ("spot-interruption", "overrun", "insufficient-capacity"). */
  readonly switchReasons: Readonly<Record<string, number>>;
  /** Switches keyed "workflow/from->to". */
  readonly switchPaths?: Readonly<Record<string, number>>;
  /** Chains composed through the fallback (no variant fitted; the fallback's variant ran). */
  readonly fallbacks?: number;
  /** Chains refused by authorization or the spend cap (never submitted). */
  readonly chainsDenied?: number;
  /** Pending steps dropped by switches (replaced by the new variant's steps). */
  readonly tasksCancelled?: number;
}

/** Chains and their cost for one principal or one workflow. */
export interface AttributionEntry {
  readonly chains: number;
  /** Instance time of the chains' task attempts × the vCPU share of the instance price, USD. */
  readonly costUsd: number;
}

/** Task cost attributed to whoever asked for it (issue 4): per principal and per workflow. */
export interface AttributionSummary {
  readonly byPrincipal: Readonly<Record<string, AttributionEntry>>;
  readonly byWorkflow: Readonly<Record<string, AttributionEntry>>;
}

/** Where one policy's EC2 money went, per pool (the prefetch state cache is `cost.cacheUsd`). */
export interface PoolSummary {
  readonly poolId: string;
  /** Spot plus on-demand cost of the pool's instances, USD. */
  readonly ec2CostUsd: number;
  /** ec2CostUsd / the oracle's for the same pool (null without an oracle or when its pool cost 0). */
  readonly costRatioToOracle: number | null;
  /** Mean demand (metric demand plus running and queued task vCPU), units. */
  readonly demandAvgUnits: number;
  /** Mean ready capacity, units. */
  readonly readyAvgUnits: number;
  /** Ready capacity not used, unit-hours. */
  readonly idleUnitHours: number;
  /** Metric demand not served, unit-seconds. */
  readonly unmetDemandUnitSec: number;
  /**
   * Share of ticks (0–1) in which the pool's ready capacity left some metric demand unserved: the
   * realized miss rate a pool's service level bounds (core/tick/coverage.ts).
   */
  readonly metricShortShare: number;
}

/** Results of one policy over the run. */
export interface PolicyReport {
  /** "reactive" | "predictive-hourly" | "prescale" | "oracle" (or another registered policy name). */
  readonly policy: string;
  readonly cost: CostSummary;
  /** cost.totalUsd / oracle's cost.totalUsd (1 for the oracle; null when the oracle cost is 0 or absent). */
  readonly costRatioToOracle: number | null;
  /** Seconds each task waited for capacity after it became runnable (dependencies done). */
  readonly stepWait: LatencySummary;
  /** Chain makespan: arrival to last task finished, seconds. */
  readonly chainMakespan: LatencySummary;
  /** Metric-driven demand not served by ready capacity, unit-seconds (1 unit = 1 vCPU). */
  readonly unmetDemandUnitSec: number;
  /** Ready capacity not used by demand or tasks, unit-hours. */
  readonly idleUnitHours: number;
  /** Spot interruptions (instances reclaimed). */
  readonly spotInterruptions: number;
  /** Tasks killed by interruptions and re-queued. */
  readonly tasksRequeued: number;
  readonly tasksSubmitted: number;
  readonly tasksCompleted: number;
  readonly chainsSubmitted: number;
  readonly chainsCompleted: number;
  readonly launches: number;
  readonly terminations: number;
  /** Null when the policy does not forecast. */
  readonly forecastError: ForecastErrorSummary | null;
  /** Null when the policy does not predict next steps. */
  readonly nextStep: NextStepSummary | null;
  /** Null when the policy does not pre-execute. */
  readonly prefetch: PrefetchSummary | null;
  /** The A/B test of prefetch configurations, when the policy ran one (issue 22). */
  readonly abTest?: AbTestSummary;
  /** Bundles against single-step preparations, when a live export read them (issue 22). */
  readonly bundles?: BundleSummary;
  /** Null until chains are composed by the composer. */
  readonly variants: VariantSummary | null;
  /** Decisions logged, by kind (plan, validate, safety, prefetch, compose, switch...). */
  readonly decisionCounts: Readonly<Record<string, number>>;
  /** Cost per principal and workflow of submitted chains (absent when there were none). */
  readonly attribution?: AttributionSummary;
  /** Cost and capacity per EC2 pool (absent when the run did not record them). */
  readonly pools?: readonly PoolSummary[];
  /** Capacity held per pool, instance type and market, largest first per pool (absent when not recorded). */
  readonly instanceMix?: readonly InstanceMixEntry[];
}

/** Capacity one policy held in one pool on one instance type and market. */
export interface InstanceMixEntry {
  readonly poolId: string;
  readonly instanceType: string;
  readonly market: 'spot' | 'on-demand';
  /** Held (pending, running or interrupting) capacity, unit-hours. */
  readonly unitHours: number;
  /** Share of the pool's held unit-hours, 0..1. */
  readonly share: number;
}

/** What was simulated. */
export interface ScenarioSummary {
  readonly name: string;
  readonly seed: number;
  /** Epoch seconds of the first simulated tick. */
  readonly startSec: number;
  /** Epoch seconds of the last tick (after the drain period). */
  readonly endSec: number;
  readonly days: number;
  readonly tickSec: number;
  readonly pools: readonly string[];
  readonly series: readonly string[];
  readonly workflows: readonly string[];
  /** Where the inputs came from (files or "generated"). */
  readonly sources: readonly string[];
  /**
   * The scaling and policy settings the run used (metric per vCPU, pool shapes, the user's current
   * policy), each with where it came from: a flag, a file's field, or "default". Absent in older reports.
   */
  readonly settings?: readonly ScenarioSetting[];
  /** The policy that replays the user's current one (the verdict compares with it). @default "reactive" */
  readonly baseline?: string;
  /** The pools and demand signals as simulated, in the CDK config's keys (controller.pools, controller.demandSignals). */
  readonly config?: {
    readonly pools: ReadonlyArray<Readonly<Record<string, unknown>>>;
    readonly demandSignals: ReadonlyArray<{ readonly seriesId: string; readonly poolId: string; readonly metricPerUnit: number }>;
  };
}

/** One setting a run used and where it came from. */
export interface ScenarioSetting {
  readonly name: string;
  readonly value: string;
  readonly source: string;
}

/** The whole `report.json`. Numbers are rounded: USD to 4 decimals, seconds and units to 2. */
export interface BacktestReport {
  readonly schemaVersion: number;
  readonly scenario: ScenarioSummary;
  /** Policies in run order: reactive, predictive-hourly, prescale, oracle. */
  readonly policies: readonly PolicyReport[];
  /** Assumptions in words (billing, lead times, hazards, demand mapping). */
  readonly assumptions: readonly string[];
}

/** One `timeline.csv` row: one pool of one policy at one tick. */
export interface TimelineRow {
  /** Epoch seconds of the tick (end of the interval `cost_usd` covers). */
  readonly timestamp: number;
  readonly policy: string;
  readonly pool: string;
  /** Metric-driven demand units plus vCPU of running and queued tasks. */
  readonly demand_units: number;
  readonly ready_units: number;
  readonly pending_units: number;
  /** Units held (pending, running or interrupting) in the spot market. */
  readonly spot_units: number;
  readonly ondemand_units: number;
  /** Cost accrued by this pool over the interval ending at `timestamp`, USD. */
  readonly cost_usd: number;
}

/** Column order of `timeline.csv`. */
export const TIMELINE_COLUMNS = [
  'timestamp',
  'policy',
  'pool',
  'demand_units',
  'ready_units',
  'pending_units',
  'spot_units',
  'ondemand_units',
  'cost_usd',
] as const;
