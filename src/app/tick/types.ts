/**
 * What the controller tick needs (ports and core components, injected) and what it returns.
 */
import type { ApplyResult, CacheNodeOffering, Command, ControllerConfig, Decision, Forecast } from '../../core/model/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import type { Planner, PlannerMemory } from '../../core/plan/types.js';
import type { NextStepModel } from '../../core/predict/types.js';
import type { Preparer } from '../../ports/preparer.js';
import type { PrefetchConfig as PrefetchSelectionConfig } from '../../core/predict/prefetch-selection.js';
import type { Clock } from '../../ports/clock.js';
import type { CloudProvider } from '../../ports/cloud-provider.js';
import type { EventSource } from '../../ports/event-source.js';
import type { Logger } from '../../ports/logger.js';
import type { MetricsSource } from '../../ports/metrics-source.js';
import type { HeldState } from './cache.js';
import type { PendingLaunches } from './pending-launches.js';
import type { UnavailableOfferings } from './unavailable-offerings.js';
import type { StateStore } from '../../ports/state-store.js';

/** A metric that counts vCPU of a pool's queued and running tasks (a custom CloudWatch metric). */
export interface TaskBacklogSignal {
  readonly seriesId: string;
  readonly poolId: string;
}

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
   * core/forecast's incremental model is refitted every `refitEverySec` and absorbs each completed
   * period in between (the injected Forecaster is not used). @default "refit"
   */
  readonly forecastMode?: 'refit' | 'incremental';
  /**
   * Recalibrate metric demand quantiles from the tick's own observed forecast errors (normalised
   * split conformal, see tick/calibration.ts) once two hours of scores are in. @default false
   */
  readonly recalibrate?: boolean;
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
  /** Durable state: tick progress and the decision log. Absent: state kept in the runtime only. */
  readonly store?: StateStore;
  readonly logger?: Logger;
  readonly options?: TickOptions;
  /**
   * Carries out pre-execute commands (issue 18/21: the Preparer port); absent: they go to
   * `cloud.apply` as before.
   */
  readonly preparer?: Preparer;
}

/** Tick state persisted between ticks (small, JSON). */
export interface TickState {
  /** Epoch seconds of the last completed tick (-Infinity as null when none). */
  readonly lastTickSec: number | null;
  readonly plannerMemory: Readonly<Record<string, PlannerMemory>>;
  /** Offerings kept out of the plans after spot signals: offering id → until epoch seconds. */
  readonly avoidOfferings?: Readonly<Record<string, number>>;
  /** Instances already replaced ahead of a spot signal: instance id → epoch seconds of the replacement. */
  readonly replacedInstances?: Readonly<Record<string, number>>;
  /**
   * Prepared step states held in the prefetch state cache: `chainId/taskId` → size (GiB) and TTL end
   * (epoch seconds). Restored after a restart, so a prepared step is not prepared again and the cache
   * is not shrunk under states it still holds.
   */
  readonly preparedStates?: Readonly<Record<string, HeldState>>;
  /** A tick that started acting and did not finish: its time and the command ids already applied. */
  readonly inFlight?: { readonly tickSec: number; readonly appliedIds: readonly string[] };
  /**
   * Launches written ahead of the provider call and kept until a describe lists their instances
   * (tick/pending-launches.ts): the next tick counts them, and re-applies one whose outcome was never
   * saved with the same command id (idempotent), so a crash after a launch never launches twice.
   */
  readonly pendingLaunches?: PendingLaunches;
  /**
   * Offerings (or whole markets, `*\/spot/*`) that failed to launch for lack of capacity, an account
   * quota or `Unsupported`: id → until epoch seconds (tick/unavailable-offerings.ts, Karpenter's TTLs).
   */
  readonly unavailableOfferings?: UnavailableOfferings;
}

/** The outcome of one tick. */
export interface TickResult {
  readonly atSec: number;
  /** True when the tick had already completed (a retried invocation) and did nothing. */
  readonly skipped: boolean;
  readonly decisions: readonly Decision[];
  readonly commands: readonly Command[];
  readonly results: readonly ApplyResult[];
  readonly forecasts: readonly Forecast[];
}
