/**
 * The controller's composition around the tick, independent of Lambda: a settable tick clock (the
 * scheduled time, so a retried invocation re-runs the same tick with the same command ids), the
 * safety guard, the mode (dry-run uses the provider's EC2 `DryRun` calls when it has them), error
 * handling (throttling backs the tick off; a concurrent tick is skipped) and the tick's metrics:
 * forecast error, planned vs actual capacity, cost per hour, prediction hit rate, safety breaches.
 */
import { createControllerTick, type ControllerTick, type TaskBacklogSignal, type TickLearningStats, type TickOptions, type TickResult } from '../app/tick.js';
import type { Preparer } from '../ports/preparer.js';
import type { StepRouter } from '../ports/step-router.js';
import { meteredPreparer, type PrefetchCounts, type PrefetchMeter } from './prefetch-meter.js';
import { AwsThrottledError } from '../adapters/aws/errors.js';
import { createProductForecaster, productTickOptions } from '../app/tick/product.js';
import type { Forecaster } from '../core/forecast/types.js';
import { poolUnits, type ControllerConfig } from '../core/model/index.js';
import { createGreedyPlanner, DEFAULT_PLANNER_OPTIONS } from '../core/plan/index.js';
import type { Planner } from '../core/plan/types.js';
import { createNextStepModel, FeedbackModel } from '../core/predict/index.js';
import type { NextStepModel } from '../core/predict/types.js';
import type { CloudProvider, EventSource, Logger, MetricsSource, StateStore } from '../ports/index.js';
import { silentLogger, VersionConflictError } from '../ports/index.js';
import { SafetyGuardProvider } from './safety-guard.js';
import type { Clock, Timer, TimerOptions } from '../ports/clock.js';
import { systemClock } from '../adapters/clock/system-clock.js';

/** CloudWatch units the controller's metrics use. */
export type MetricUnit = 'Count' | 'Percent' | 'None' | 'Seconds';

/** Where the tick's metrics go (Powertools Metrics / EMF in Lambda, a list in tests). */
export interface TickMetricsSink {
  add(name: string, unit: MetricUnit, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Metric names (the CDK alarms and dashboard use the same constants). */
export const METRIC = {
  forecastError: 'ForecastErrorSmapePercent',
  plannedUnits: 'PlannedCapacityUnits',
  actualUnits: 'ActualCapacityUnits',
  cost: 'CostUsdPerHour',
  hitRate: 'PrefetchHitRatePercent',
  safety: 'SafetyLimitBreaches',
  applied: 'CommandsApplied',
  failed: 'CommandsFailed',
  throttled: 'ThrottledTicks',
  skipped: 'SkippedTicks',
  /** Cost of a pool's running instances (dimension `pool`). */
  poolCost: 'PoolCostUsdPerHour',
  /** Pre-execute commands the Preparer accepted this tick. */
  prepareRequests: 'PrefetchPrepareRequests',
  /** Steps that resumed from a prepared state, and their skipped setup seconds. */
  resumedSteps: 'PrefetchResumedSteps',
  setupSecSaved: 'PrefetchSetupSecondsSaved',
  /** Steps with a prepare phase that ran cold. */
  coldSteps: 'PrefetchColdSteps',
  // issue 22, per A/B arm (dimension `Arm`, with the four above): src/handlers/prefetch-meter.ts
  /** Preparations settled (resumed, ran cold or expired unused): the hit rate's denominator. */
  settledPreparations: 'PrefetchSettledPreparations',
  /** Settled preparations whose step resumed from the prepared state. */
  preparationHits: 'PrefetchPreparationHits',
  /** CPU-seconds (vCPU × setup seconds) of preparations that were not used. */
  wastedCpuSec: 'PrefetchWastedCpuSeconds',
  /** USD of the same (DEFAULT_USD_PER_VCPU_HOUR). */
  wastedUsd: 'PrefetchWastedUsd',
  /** Sum of (p − o)² over the settled preparations (Brier score = this ÷ settled). */
  brierSum: 'PrefetchBrierSum',
  /** Runtime of each finished step of the arm's chains, seconds (one value per step). */
  stepLatency: 'StepLatencySeconds',
  // issue 22, the learning loop (src/app/tick.ts `learning()`), the change since the previous tick
  /** Predicted task types the next-step model's feedback loop scored (came true or not). */
  nextStepOutcomes: 'NextStepScoredOutcomes',
  /** Σ(p − o)² of those (Brier score = this ÷ NextStepScoredOutcomes). */
  nextStepBrierSum: 'NextStepBrierSum',
  /** Commanded preparations settled, per selection (dimension `Selection`: bundle or single-step). */
  selectionSettled: 'PrefetchSelectionSettled',
  /** Of them, hits (the step started while the state was kept, and resumed from it). */
  selectionHits: 'PrefetchSelectionHits',
  /** Setup seconds the hits saved. */
  selectionSetupSecSaved: 'PrefetchSelectionSetupSecondsSaved',
  /** CPU-seconds the misses wasted (aborted, expired, evicted). */
  selectionWastedCpuSec: 'PrefetchSelectionWastedCpuSeconds',
} as const;

/** The dimension of the per-arm metrics (values: `prefetch.abTest.arms[].name`). */
export const ARM_DIMENSION = 'Arm';
/** The dimension of the bundle-vs-single metrics, and its values. */
export const SELECTION_DIMENSION = 'Selection';
/** Values of {@link SELECTION_DIMENSION}: preparations chosen as bundle members, and as single steps. */
export const SELECTIONS = ['bundle', 'single-step'] as const;

/** Everything the runner needs; forecaster, planner and next-step model default to core's. */
export interface ControllerRunnerDeps {
  readonly config: ControllerConfig;
  readonly metrics: MetricsSource;
  readonly events: EventSource;
  readonly cloud: CloudProvider;
  readonly store: StateStore;
  readonly sink: TickMetricsSink;
  readonly logger?: Logger;
  /** True when `cloud` sends EC2 calls with DryRun (then dry-run mode calls it; else the tick only reports). */
  readonly providerDryRun?: boolean;
  readonly forecaster?: Forecaster;
  readonly planner?: Planner;
  readonly nextStep?: NextStepModel;
  readonly tickOptions?: { historySec?: number; forecastPeriodSec?: number; refitEverySec?: number; taskBacklogSignals?: readonly TaskBacklogSignal[]; prefetch?: TickOptions['prefetch']; warmPools?: TickOptions['warmPools']; burstWaitBudgetSec?: number; burstWaitValueUsdPerHour?: number };
  /** Carries out the tick's pre-execute commands (the AWS SqsPreparer); absent: no pre-execution. */
  readonly preparer?: Preparer;
  /** Publishes the tick's burst routes (the decision table); absent: no burst routes. */
  readonly stepRouter?: StepRouter;
  /**
   * Resumed and cold steps since the last tick (src/handlers/prefetch-meter.ts); with `prepared`, the
   * preparer's accepted preparations are recorded too (per-arm figures of an A/B test).
   */
  readonly prefetchMeter?: Pick<PrefetchMeter, 'drain'> & Partial<Pick<PrefetchMeter, 'prepared'>>;
}

/** What one invocation did (the Lambda's return value, cached by idempotency). */
export interface TickSummary {
  readonly tickSec: number;
  readonly mode: ControllerConfig['mode'];
  readonly status: 'completed' | 'skipped' | 'backed-off' | 'concurrent';
  readonly commands: number;
  readonly applied: number;
  readonly failed: number;
  readonly safetyBreaches: number;
  readonly costUsdPerHour: number;
  readonly message?: string;
}

/**
 * A clock the runner sets to the scheduled time of each tick; waits (none in the tick today) run on
 * the wall clock.
 */
class TickClock implements Clock {
  sec = 0;
  nowSec(): number {
    return this.sec;
  }
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(delayMs, signal);
  }
  setTimer(delayMs: number, fn: () => void, options?: TimerOptions): Timer {
    return systemClock.setTimer(delayMs, fn, options);
  }
  setRepeating(periodMs: number, fn: () => void, options?: TimerOptions): Timer {
    return systemClock.setRepeating(periodMs, fn, options);
  }
}

/** A controller that runs one tick per call. Keep one per Lambda container (warm state is reused). */
export interface ControllerRunner {
  /** Runs the tick scheduled at `scheduledSec` (epoch seconds; aligned down to the tick period). */
  runTick(scheduledSec: number): Promise<TickSummary>;
}

/** Creates the runner. */
export function createControllerRunner(deps: ControllerRunnerDeps): ControllerRunner {
  const cfg = deps.config;
  const logger = deps.logger ?? silentLogger;
  const clock = new TickClock();
  const guard = { current: new SafetyGuardProvider(deps.cloud, cfg.limits) };
  const cloud = {
    describeCapacity: () => guard.current.describeCapacity(),
    offerings: (p: Parameters<CloudProvider['offerings']>[0]) => guard.current.offerings(p),
    apply: (c: Parameters<CloudProvider['apply']>[0]) => guard.current.apply(c),
  };
  const tickMode = cfg.mode === 'dry-run' && deps.providerDryRun ? 'active' : cfg.mode;
  let lastLearning: TickLearningStats | undefined;
  const meter = deps.prefetchMeter;
  const preparer = deps.preparer && meter?.prepared ? meteredPreparer(deps.preparer, { prepared: (c) => meter.prepared!(c) }) : deps.preparer;
  const tick: ControllerTick = createControllerTick({
    clock, metrics: deps.metrics, events: deps.events, cloud, store: deps.store, logger, ...(preparer ? { preparer } : {}), ...(deps.stepRouter ? { stepRouter: deps.stepRouter } : {}),
    // the tick setup the backtest measures (app/tick/product.ts): calibrated quantiles, incremental forecasts
    forecaster: deps.forecaster ?? createProductForecaster(),
    planner: deps.planner ?? createGreedyPlanner({ ...DEFAULT_PLANNER_OPTIONS, tickSec: cfg.tickSec }),
    // issue 22: the next-step model inside its prediction-outcome feedback loop (prefetch.feedback)
    nextStep: deps.nextStep ?? new FeedbackModel(createNextStepModel('vom'), { calibrate: cfg.prefetch.feedback?.calibrate ?? true, raise: cfg.prefetch.feedback?.raise ?? false, expirySec: cfg.prefetch.feedback?.expirySec ?? 21_600 }),
    config: { ...cfg, mode: tickMode },
    options: productTickOptions(deps.forecaster, deps.tickOptions),
  });

  return {
    async runTick(scheduledSec: number): Promise<TickSummary> {
      clock.sec = Math.floor(scheduledSec / cfg.tickSec) * cfg.tickSec;
      guard.current = new SafetyGuardProvider(deps.cloud, cfg.limits);
      const base = { tickSec: clock.sec, mode: cfg.mode, commands: 0, applied: 0, failed: 0, safetyBreaches: 0, costUsdPerHour: 0 };
      let result: TickResult;
      try {
        result = await tick.run();
      } catch (err) {
        if (err instanceof AwsThrottledError) {
          deps.sink.add(METRIC.throttled, 'Count', 1);
          logger.warn('AWS throttled the tick; backing off until the next schedule', { operation: err.operation, retryAfterSec: err.retryAfterSec });
          return { ...base, status: 'backed-off', message: err.message };
        }
        if (err instanceof VersionConflictError) {
          deps.sink.add(METRIC.skipped, 'Count', 1);
          logger.warn('another tick wrote the tick state first; this one stops without acting further', { error: err.message });
          return { ...base, status: 'concurrent', message: err.message };
        }
        throw err;
      }
      if (result.skipped) {
        deps.sink.add(METRIC.skipped, 'Count', 1);
        return { ...base, status: 'skipped' };
      }
      const summary = emitTickMetrics(deps.sink, cfg, result, guard.current, tick);
      emitPrefetchMetrics(deps.sink, result, clock.sec, deps.prefetchMeter);
      const learning = tick.learning();
      if (lastLearning) emitLearningMetrics(deps.sink, lastLearning, learning);
      lastLearning = learning;
      return { ...base, ...summary, status: 'completed' };
    },
  };
}

function emitTickMetrics(
  sink: TickMetricsSink, cfg: ControllerConfig, result: TickResult, guard: SafetyGuardProvider, tick: ControllerTick,
): Pick<TickSummary, 'commands' | 'applied' | 'failed' | 'safetyBreaches' | 'costUsdPerHour'> {
  const snap = guard.lastSnapshot;
  const stats = tick.stats();
  if (stats.forecastSmape.points > 0) sink.add(METRIC.forecastError, 'Percent', stats.forecastSmape.value);
  if (stats.nextStep.predictions > 0) sink.add(METRIC.hitRate, 'Percent', (100 * stats.nextStep.hits) / stats.nextStep.predictions);
  let cost = 0;
  if (snap) {
    for (const i of snap.instances) if (i.state !== 'terminated') cost += i.priceUsdPerHour;
    for (const c of snap.caches) cost += c.priceUsdPerNodeHour * c.shards * (c.replicasPerShard + 1);
    for (const pool of cfg.pools) {
      if (pool.kind !== 'ec2') continue;
      const actual = poolUnits(snap, pool.id);
      let planned = actual;
      for (const c of result.commands) {
        if (c.poolId !== pool.id) continue;
        if (c.kind === 'launch') planned += c.count * (guard.offeringsById.get(c.offeringId)?.capacityUnits ?? 1);
        if (c.kind === 'terminate') planned -= snap.instances.filter((i) => c.instanceIds.includes(i.id)).reduce((s, i) => s + i.capacityUnits, 0);
      }
      sink.add(METRIC.actualUnits, 'Count', actual, { pool: pool.id });
      sink.add(METRIC.plannedUnits, 'Count', planned, { pool: pool.id });
    }
  }
  sink.add(METRIC.cost, 'None', cost);
  if (snap) {
    const byPool = new Map<string, number>();
    for (const i of snap.instances) if (i.state !== 'terminated') byPool.set(i.poolId, (byPool.get(i.poolId) ?? 0) + i.priceUsdPerHour);
    for (const c of snap.caches) byPool.set(c.poolId, (byPool.get(c.poolId) ?? 0) + c.priceUsdPerNodeHour * c.shards * (c.replicasPerShard + 1));
    for (const pool of cfg.pools) sink.add(METRIC.poolCost, 'None', byPool.get(pool.id) ?? 0, { pool: pool.id });
  }
  const applied = result.results.filter((r) => r.status === 'applied' || r.status === 'partial' || r.status === 'dry-run').length;
  const failed = result.results.filter((r) => r.status === 'failed').length;
  const safetyBreaches = result.decisions.filter((d) => d.kind === 'safety').length + (guard.breach ? 1 : 0);
  sink.add(METRIC.applied, 'Count', applied);
  sink.add(METRIC.failed, 'Count', failed);
  sink.add(METRIC.safety, 'Count', safetyBreaches);
  return { commands: result.commands.length, applied, failed, safetyBreaches, costUsdPerHour: cost };
}

/** The prefetch metrics of a tick: accepted prepare requests, resumed and cold steps, setup seconds saved; per arm with an A/B test. */
function emitPrefetchMetrics(sink: TickMetricsSink, result: TickResult, nowSec: number, meter?: Pick<PrefetchMeter, 'drain'>): void {
  if (!meter && result.preparations.length === 0) return;
  sink.add(METRIC.prepareRequests, 'Count', result.preparations.filter((r) => r.status === 'accepted').length);
  const m = meter?.drain(nowSec) ?? { resumed: 0, setupSecSaved: 0, cold: 0 };
  sink.add(METRIC.resumedSteps, 'Count', m.resumed);
  sink.add(METRIC.coldSteps, 'Count', m.cold);
  sink.add(METRIC.setupSecSaved, 'Seconds', m.setupSecSaved);
  if (m.byArm) emitArmMetrics(sink, m.byArm);
}

/**
 * The learning loop's change from `before` to `after` (cumulative figures of two ticks of this
 * process; the first tick of a process only sets `before`, as a restored memory's totals are not
 * this tick's): the feedback loop's scored outcomes and Brier sum (when the model has one), and per
 * selection (bundle, single-step) the settled commanded preparations, hits, setup seconds saved and
 * CPU-seconds wasted, zeros included (so the dashboard's ratios have their denominators). A count
 * that went down (the model or hooks started over) counts from zero.
 */
export function emitLearningMetrics(sink: TickMetricsSink, before: TickLearningStats, after: TickLearningStats): void {
  if (after.calibration) {
    const b = before.calibration && after.calibration.outcomes >= before.calibration.outcomes ? before.calibration : { outcomes: 0, brierSum: 0 };
    sink.add(METRIC.nextStepOutcomes, 'Count', after.calibration.outcomes - b.outcomes);
    sink.add(METRIC.nextStepBrierSum, 'None', Math.max(0, after.calibration.brierSum - b.brierSum));
  }
  for (const sel of SELECTIONS) {
    const a = sel === 'bundle' ? after.bundles.bundle : after.bundles.single;
    const was = sel === 'bundle' ? before.bundles.bundle : before.bundles.single;
    const b = a.settled >= was.settled ? was : { settled: 0, hits: 0, savedSec: 0, wastedCpuSec: 0 };
    const dims = { [SELECTION_DIMENSION]: sel };
    // hits and seconds saved may go down by a correction (a hit whose worker found no state)
    sink.add(METRIC.selectionSettled, 'Count', a.settled - b.settled, dims);
    sink.add(METRIC.selectionHits, 'Count', a.hits - b.hits, dims);
    sink.add(METRIC.selectionSetupSecSaved, 'Seconds', a.savedSec - b.savedSec, dims);
    sink.add(METRIC.selectionWastedCpuSec, 'Seconds', a.wastedCpuSec - b.wastedCpuSec, dims);
  }
}

/**
 * The per-arm figures (src/handlers/prefetch-meter.ts) with the `Arm` dimension, every arm every
 * tick (zeros included, so the dashboard's lines and ratios have their denominators).
 */
export function emitArmMetrics(sink: TickMetricsSink, byArm: NonNullable<PrefetchCounts['byArm']>): void {
  for (const [arm, a] of Object.entries(byArm)) {
    const dims = { [ARM_DIMENSION]: arm };
    sink.add(METRIC.prepareRequests, 'Count', a.prepareRequests, dims);
    sink.add(METRIC.settledPreparations, 'Count', a.settled, dims);
    sink.add(METRIC.preparationHits, 'Count', a.hits, dims);
    sink.add(METRIC.resumedSteps, 'Count', a.resumed, dims);
    sink.add(METRIC.coldSteps, 'Count', a.cold, dims);
    sink.add(METRIC.setupSecSaved, 'Seconds', a.setupSecSaved, dims);
    sink.add(METRIC.wastedCpuSec, 'Seconds', a.wastedCpuSec, dims);
    sink.add(METRIC.wastedUsd, 'None', a.wastedUsd, dims);
    sink.add(METRIC.brierSum, 'None', a.brierSum, dims);
    for (const v of a.stepLatencySec) sink.add(METRIC.stepLatency, 'Seconds', v, dims);
  }
}
