/**
 * `prescale`: this project's controller tick (src/app/tick.ts), run against the world through the
 * same ports it uses in AWS: the simulated cloud as CloudProvider, the world's metrics and events as
 * MetricsSource and EventSource, the simulated clock as Clock.
 */
import { ControllerConfigSchema } from '../../core/model/index.js';
import { createForecaster } from '../../core/forecast/index.js';
import { createGreedyPlanner, DEFAULT_PLANNER_OPTIONS } from '../../core/plan/index.js';
import { createNextStepModel, FeedbackModel } from '../../core/predict/index.js';
import { calibrationSummaryOf } from '../../app/history/calibration-report.js';
import { abTestSummary } from '../../app/history/ab-report.js';
import { abArmOf } from '../../core/predict/ab-selection.js';
import { DEFAULT_USD_PER_VCPU_HOUR } from '../../core/prefetch/selection.js';
import type { z } from 'zod';
import type { AbTestConfig, AbTestConfigSchema, BundleConfigInput, FingerprintConfigSchema } from '../../core/model/learning-config.js';

/** A/B settings as written. */
export type AbTestConfigInput = z.input<typeof AbTestConfigSchema>;

/** The A/B section from the world's settled preparations and chains (arms by principal, else chain id). */
function abTestOfWorld(world: World, ab: AbTestConfig): ReturnType<typeof abTestSummary> {
  const chains = world.workload.chains;
  const armOf = (chainId: string): string => {
    const principal = chains.get(chainId)?.principal;
    return abArmOf(principal !== undefined ? { chainId, principal } : { chainId }, ab);
  };
  const preps = world.workload.prefetch.records.map((r) => ({
    arm: armOf(r.task.chainId), hit: r.outcome === 'hit', setupSecSaved: r.savedSec, wastedCpuSec: r.wastedCpuSec, wastedUsd: (r.wastedCpuSec * DEFAULT_USD_PER_VCPU_HOUR) / 3600,
  }));
  const cs = [...chains.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((c) => ({ arm: armOf(c.id), ...(c.finishedAtSec !== undefined ? { latencySec: c.finishedAtSec - c.arrivalSec } : {}) }));
  return abTestSummary(ab.arms.map((a) => a.name), ab.control ?? ab.arms[0].name, preps, cs);
}
import type { Forecaster } from '../../core/forecast/types.js';
import type { Planner } from '../../core/plan/types.js';
import { createControllerTick, prefetchSelectionFrom } from '../../app/tick.js';
import { createProductForecaster, PRODUCT_TICK_OPTIONS } from '../../app/tick/product.js';
import { SimEventSource, SimMetricsSource } from '../sources.js';
import type { World } from '../world.js';
import type { PolicyTickContext, SimPolicy } from './types.js';
import { installBurstTier, installRoutedBurstTier } from './burst-tier.js';

/** Id of the live task-backlog series of a pool (vCPU of queued and running tasks, per minute). */
export function backlogSeriesId(poolId: string): string {
  return `tasks:${poolId}`;
}

/**
 * Forecaster name selecting the tick's incremental forecasting (core/forecast's incremental MSTL +
 * ETS model, refitted hourly and updated with every completed 5-minute period in between).
 */
export const INCREMENTAL_FORECASTER = 'incremental';

/** Options of the prescale policy. */
export interface PrescalePolicyOptions {
  readonly forecaster?: Forecaster;
  /**
   * Forecaster by name when `forecaster` is absent: {@link INCREMENTAL_FORECASTER}, or one of
   * core/forecast's FORECASTER_NAMES refitted hourly. @default "incremental" (near-horizon quantiles
   * conditioned on the latest 5-minute period; about as fast as refitting seasonal-naive hourly)
   */
  readonly forecasterName?: string;
  readonly planner?: Planner;
  /** Pre-execute predicted steps. @default true */
  readonly prefetch?: boolean;
  /** ACI step size of the metric pools' coverage (TickOptions `coverageGamma`). @default the tick's default */
  readonly coverageGamma?: number;
  /** Known-step demand options of the tick (TickOptions `knownSteps`). @default the tick's defaults */
  readonly knownSteps?: { readonly drainToleranceSec?: number | null; readonly lowerKnownSteps?: boolean; readonly useProgress?: boolean | 'earlier'; readonly residualRegimes?: boolean };
  /** Headroom for predicted chain arrivals (TickOptions `arrivalHeadroom`, issue 19 item 6). @default false */
  readonly arrivalHeadroom?: boolean;
  /** Use the Lambda burst tier when the scenario allows it (burst-tier.ts). @default true */
  readonly burst?: boolean;
  /** Expected EC2 wait past which a step is priced for Lambda, seconds. @default core/plan DEFAULT_BURST_WAIT_BUDGET_SEC */
  readonly burstWaitBudgetSec?: number;
  /** What an hour of a step's wait is worth, USD: prices waiting for EC2 against bursting (core/plan/burst.ts `TierContext`). @default 0 */
  readonly burstWaitValueUsdPerHour?: number;
  /**
   * Who decides a step's burst to Lambda (issue 19 item 5): `'planned'`, the tick's route per step
   * class (core/plan/burst-route.ts, as the deployed machines read it from the decision table);
   * `'dispatch'`, a priced choice per step when it is queued (burst-tier.ts `installBurstTier`).
   * The default stays `'dispatch'` because `'planned'` measured worse on taxi-montage (1 day: 26.69 →
   * 27.95 USD, p95 wait 7 → 28 s; docs/benchmarks.md "Lambda burst as a planner decision").
   * @default 'dispatch'
   */
  readonly burstRouting?: 'planned' | 'dispatch';
  /** EC2 warm pools (core/plan/warm-pool.ts) when the scenario allows them (`warmPools`). @default the scenario's `warmPools` */
  readonly warmPools?: boolean;
  /**
   * The learning loop (issue 22): frequent-subgraph bundles prepared together and next-step
   * probabilities calibrated online on their outcomes. Off: single-step selection on the raw model's
   * probabilities (the calibration is still measured and reported); or each part on its own. @default true
   */
  readonly learning?: boolean | { readonly bundles: boolean | BundleConfigInput; readonly calibrate: boolean };
  /** An A/B test of prefetch configurations across principals (the controller config's `prefetch.abTest`). */
  readonly abTest?: AbTestConfigInput;
  /** The persisted fingerprint's settings (the controller config's `fingerprint`). @default its defaults */
  readonly fingerprint?: z.input<typeof FingerprintConfigSchema>;
  readonly name?: string;
}

/**
 * Creates the prescale policy for a world.
 * @param backlog per pool, the live backlog values the runner records each tick
 */
export function createPrescalePolicy(world: World, backlog: ReadonlyMap<string, Float64Array>, recorded: () => number, opts: PrescalePolicyOptions = {}): SimPolicy {
  const sc = world.scenario;
  const metrics = new SimMetricsSource(world);
  const taskPools = new Set<string>();
  for (const w of sc.workflows) for (const v of w.variants) for (const t of v.tasks) taskPools.add(v.poolBindings[t.task_id] ?? v.defaultPool);
  const backlogSignals = [...taskPools].sort().map((poolId) => ({ seriesId: backlogSeriesId(poolId), poolId }));
  for (const b of backlogSignals) metrics.addLiveSeries(b.seriesId, sc.startSec, sc.tickSec, backlog.get(b.poolId)!, recorded);
  const forecasterName = opts.forecasterName ?? INCREMENTAL_FORECASTER;
  const incremental = opts.forecaster === undefined && forecasterName === INCREMENTAL_FORECASTER;
  // the provider reports how many units of each instance running tasks use (Instance.busyUnits), as
  // ECS or Batch report allocated vCPU in AWS, so scale-in stops idle instances and not busy ones
  const hooks = world.cloud.hooks;
  world.cloud.hooks = {
    ...hooks,
    busyUnits: (i) => {
      const slot = world.workload.pools.get(i.poolId)?.slots.get(i.id);
      return slot ? Math.max(0, Math.round((i.offering.vcpu - slot.freeVcpu) * 1e6) / 1e6) : 0;
    },
  };
  const burstOn = opts.burst ?? true, planned = (opts.burstRouting ?? 'dispatch') === 'planned';
  if (burstOn && !planned) installBurstTier(world, 'prescale', opts.burstWaitBudgetSec, opts.burstWaitValueUsdPerHour);
  const stepRouter = burstOn && planned ? installRoutedBurstTier(world) : undefined;
  const learning = typeof opts.learning === 'object' ? opts.learning : { bundles: opts.learning ?? true, calibrate: opts.learning ?? true };
  const maxUnits = sc.pools.reduce((s, p) => s + p.maxUnits, 0);
  const config = ControllerConfigSchema.parse({
    mode: 'active',
    tickSec: sc.tickSec,
    pools: [...sc.pools, ...sc.caches],
    demandSignals: sc.demandSignals,
    workflows: sc.workflows,
    limits: { maxInstances: Math.max(200, maxUnits), maxSpendUsdPerHour: Math.max(100, maxUnits * 1), maxChangeUnitsPerTick: Math.max(512, maxUnits) },
    prefetch: {
      enabled: opts.prefetch ?? true, probabilityThreshold: 0.3, topN: 2, maxConcurrent: 8, ttlSec: sc.prefetchTtlSec, latencyValueUsdPerHour: sc.prefetchLatencyValueUsdPerHour,
      bundles: typeof learning.bundles === 'object' ? { enabled: true, ...learning.bundles } : { enabled: learning.bundles }, feedback: { calibrate: learning.calibrate, outcomeGate: learning.calibrate }, ...(opts.abTest ? { abTest: opts.abTest } : {}),
    },
    ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}),
  });
  // issue 22: the next-step model inside its feedback loop (measures calibration; calibrates when learning)
  const nextStep = new FeedbackModel(createNextStepModel('vom'), { calibrate: config.prefetch.feedback?.calibrate ?? true, raise: config.prefetch.feedback?.raise ?? false, expirySec: config.prefetch.feedback?.expirySec ?? 21_600 });
  const tick = createControllerTick({
    clock: world.clock,
    metrics,
    events: new SimEventSource(world),
    cloud: world.cloud,
    // the tick refits on its own schedule (refitEverySec); in between the incremental model only absorbs new periods
    forecaster: opts.forecaster ?? (incremental ? createProductForecaster() : createForecaster(forecasterName)),
    preparer: world.workload,
    ...(stepRouter ? { stepRouter } : {}),
    nextStep,
    planner: opts.planner ?? createGreedyPlanner({ ...DEFAULT_PLANNER_OPTIONS, tickSec: sc.tickSec }),
    config,
    options: { ...(opts.burstWaitBudgetSec !== undefined ? { burstWaitBudgetSec: opts.burstWaitBudgetSec } : {}), ...(opts.burstWaitValueUsdPerHour ? { burstWaitValueUsdPerHour: opts.burstWaitValueUsdPerHour } : {}), taskBacklogSignals: backlogSignals, prefetch: prefetchSelectionFrom(config.prefetch), ...(incremental ? PRODUCT_TICK_OPTIONS : { forecastMode: 'refit' as const, recalibrate: PRODUCT_TICK_OPTIONS.recalibrate }), ...(opts.knownSteps ? { knownSteps: opts.knownSteps } : {}), ...(opts.coverageGamma !== undefined ? { coverageGamma: opts.coverageGamma } : {}), ...((opts.warmPools ?? sc.warmPools) ? { warmPools: {} } : {}), ...(opts.arrivalHeadroom !== undefined ? { arrivalHeadroom: opts.arrivalHeadroom } : {}) },
  });
  return {
    name: opts.name ?? 'prescale',
    async tick(_ctx: PolicyTickContext) {
      const result = await tick.run();
      world.recordForecasts(result.forecasts);
    },
    extras: () => {
      const s = tick.stats();
      return {
        forecastError: { metric: 'sMAPE', value: s.forecastSmape.value, points: s.forecastSmape.points, horizonSec: s.forecastSmape.horizonSec },
        nextStep: { predictions: s.nextStep.predictions, hits: s.nextStep.hits, hitRate: s.nextStep.predictions > 0 ? s.nextStep.hits / s.nextStep.predictions : 0, calibration: calibrationSummaryOf(nextStep.summary()) },
        usesPrefetch: opts.prefetch ?? true,
        decisionCounts: s.decisionCounts,
        ...(config.prefetch.abTest ? { abTest: abTestOfWorld(world, config.prefetch.abTest) } : {}),
      };
    },
  };
}
