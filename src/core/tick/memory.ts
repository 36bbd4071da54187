/**
 * The tick's memory: everything one tick leaves for the next, in one object. `state` is the small
 * part saved on its own, conditionally (through the StateStore: planner memory per pool, spot
 * avoidance, the pending-launch ledger, unavailable offerings, the prepared-state ledger's record, an
 * in-flight tick's applied command ids); the rest is the runtime (chain book, forecasts and fitted
 * states, prediction scores, calibrators, critical-step instances, the prepared-state ledger). The
 * whole memory serializes to one versioned JSON object (core/tick/memory-codec.ts) that a new process
 * resumes; when it cannot, it rebuilds the runtime from the execution events of the history window
 * and restores the prepared-state ledger from `state`.
 *
 * Stages (core/tick/*) take `(inputs, memory)` and return `{ memory, commands, decisions }`: the
 * persisted part is replaced, never mutated; the runtime components are updated in place (their
 * Maps are the memory) and the same memory object is returned.
 */
import type { PlannerMemory } from '../plan/types.js';
import { PreparedStateLedger, type HeldState } from '../prefetch/ledger.js';
import type { Command, Decision, Workflow } from '../model/index.js';
import { CoverageTracker } from './coverage.js';
import { ChainBook, TaskCatalog } from './chain-book.js';
import { QuantileCalibrator } from './calibration.js';
import { ForecastCache, SCORED_HORIZON_SEC } from './forecast.js';
import type { PendingLaunches } from './pending-launches.js';
import { PoolQuantileCalibrator } from './pool-calibration.js';
import { PredictionScorer } from './predict.js';
import { CriticalStepTracker } from './spot.js';
import { emptyBehaviourState, type BehaviourState } from '../predict/behaviour-model.js';
import type { UnavailableOfferings } from './unavailable-offerings.js';

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
   * (core/tick/pending-launches.ts): the next tick counts them, and re-applies one whose outcome was
   * never saved with the same command id (idempotent), so a crash after a launch never launches twice.
   */
  readonly pendingLaunches?: PendingLaunches;
  /**
   * Offerings (or whole markets, `*\/spot/*`) that failed to launch for lack of capacity, an account
   * quota or `Unsupported`: id → until epoch seconds (core/tick/unavailable-offerings.ts, Karpenter's TTLs).
   */
  readonly unavailableOfferings?: UnavailableOfferings;
}

/** The state before any tick. */
export const INITIAL_TICK_STATE: TickState = { lastTickSec: null, plannerMemory: {} };

/** The conformal calibrators of `recalibrate` (core/tick/calibration.ts, pool-calibration.ts, coverage.ts). */
export interface TickCalibrators {
  /** Metric demand quantiles from the tick's own forecast errors. */
  readonly metric: QuantileCalibrator;
  /** Pool demand per step from its latest observation (ratio scores). */
  readonly pool: PoolQuantileCalibrator;
  /** Residual task backlog beyond the known steps. */
  readonly backlog: PoolQuantileCalibrator;
  /** Each metric pool's adaptive-conformal miss level (coverage.ts; absent in memories saved before it). */
  readonly coverage?: CoverageTracker;
}

/** Everything the tick keeps between ticks (see module doc). */
export interface TickMemory {
  /** The persisted part, as loaded at the start of the tick and replaced by the stages. */
  readonly state: TickState;
  /** Chains followed from execution events. */
  readonly chains: ChainBook;
  /** Latest forecast, fitted state and refit time per series, and the forecast score. */
  readonly forecasts: ForecastCache;
  /** Next-step top-1 predictions awaiting the step that starts next, and the hit counter. */
  readonly scorer: PredictionScorer;
  /** {@link stepKey}s of steps prepared and not started yet (never prepared twice). */
  readonly prepared: Set<string>;
  /** Which instance each running step runs on. */
  readonly critical: CriticalStepTracker;
  /** States held in the prefetch state cache. */
  readonly ledger: PreparedStateLedger;
  /** Present with `recalibrate`. */
  readonly calibrators?: TickCalibrators;
  /** Latest observation time scored per demand series (epoch seconds). */
  readonly observedAt: Map<string, number>;
  /** Epoch seconds up to which execution events were read; absent in a new process. */
  readonly lastEventSec?: number;
  /** Decisions by kind over the tick's life (reports). */
  readonly decisionCounts: Record<string, number>;
  /** issue 19 item 6: the behaviour model's arrival and variant counts (plain data, core/predict/behaviour-model.ts). */
  readonly behaviour: BehaviourState;
}

/** What every stage returns: the memory after it, and the commands and decisions it made. */
export interface StageResult<C = Command> {
  readonly memory: TickMemory;
  readonly commands: readonly C[];
  readonly decisions: readonly Decision[];
}

/** The memory of a new process (nothing observed yet). */
export function createTickMemory(workflows: readonly Workflow[], recalibrate: boolean): TickMemory {
  return {
    state: INITIAL_TICK_STATE,
    chains: new ChainBook(new TaskCatalog(workflows)),
    forecasts: new ForecastCache(),
    scorer: new PredictionScorer(),
    prepared: new Set(),
    critical: new CriticalStepTracker(),
    ledger: new PreparedStateLedger(),
    ...(recalibrate ? { calibrators: { metric: new QuantileCalibrator(), pool: new PoolQuantileCalibrator('adaptive'), backlog: new PoolQuantileCalibrator('residual'), coverage: new CoverageTracker() } } : {}),
    observedAt: new Map(),
    decisionCounts: {},
    behaviour: emptyBehaviourState(),
  };
}

/**
 * The memory with `state` just loaded. In a new process (no events read yet), the prepared states
 * the previous process held are restored from it (they are not prepared again).
 */
export function withLoadedState(memory: TickMemory, state: TickState): TickMemory {
  if (memory.lastEventSec === undefined && state.preparedStates) {
    memory.ledger.restore(state.preparedStates);
    for (const k of Object.keys(state.preparedStates)) memory.prepared.add(k);
  }
  return { ...memory, state };
}

/** Counts `decisions` by kind into the memory's counters. */
export function countDecisions(memory: TickMemory, decisions: readonly Decision[]): TickMemory {
  for (const d of decisions) memory.decisionCounts[d.kind] = (memory.decisionCounts[d.kind] ?? 0) + 1;
  return memory;
}

/** Accuracy and activity counters of a tick over its life (for reports). */
export interface TickStats {
  /** sMAPE (percent) of mean forecasts of the metric demand signals over the first hour after each refit origin. */
  readonly forecastSmape: { readonly value: number; readonly points: number; readonly horizonSec: number };
  readonly nextStep: { readonly predictions: number; readonly hits: number };
  readonly decisionCounts: Readonly<Record<string, number>>;
}

/** The counters of `memory` (decision kinds in name order). */
export function tickStats(memory: TickMemory): TickStats {
  const e = memory.forecasts.error;
  return {
    forecastSmape: { value: e.points > 0 ? e.sum / e.points : 0, points: e.points, horizonSec: SCORED_HORIZON_SEC },
    nextStep: { ...memory.scorer.counter },
    decisionCounts: Object.fromEntries(Object.entries(memory.decisionCounts).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
