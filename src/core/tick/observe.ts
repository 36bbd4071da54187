/**
 * The observe stage: what happened since the last tick. Execution events (one {@link ChainView})
 * update the chain book, the next-step scores and model, the prepared and held states and the
 * critical-step instances; the latest observation of each demand metric and pool backlog is read
 * for the demand stage (a floor under the forecast) and scored by the calibrators.
 */
import type { MetricSeries } from '../model/index.js';
import type { NextStepModel } from '../predict/types.js';
import { observeArrivals } from '../predict/behaviour-model.js';
import type { ChainView } from './chain-view.js';
import type { Forecast } from '../model/index.js';
import type { StageResult, TickMemory } from './memory.js';
import type { TaskBacklogSignal } from './types.js';

/** Inputs of {@link observeStage}. */
export interface ObserveInputs {
  readonly view: ChainView;
  /** The next-step model learns from every event (its own memory). */
  readonly nextStep: NextStepModel;
}

/** Applies this tick's execution events to the memory (no commands, no decisions). */
export function observeStage(inputs: ObserveInputs, memory: TickMemory): StageResult {
  const { view } = inputs;
  memory.scorer.score(memory.chains.ingest(view.events));
  inputs.nextStep.observe(view.events);
  for (const k of view.startedKeys) memory.prepared.delete(k);
  memory.critical.observe(view);
  memory.ledger.observe(view, view.nowSec);
  // issue 19 item 6: chain arrivals (a root step's `submitted`) teach the behaviour model
  observeArrivals(memory.behaviour, view.events, (w, v, t) => memory.chains.catalog.get(w, v, t)?.def.dependencies.length === 0, view.nowSec);
  return { memory: { ...memory, lastEventSec: view.nowSec }, commands: [], decisions: [] };
}

/** Inputs of {@link latestStage}. */
export interface LatestInputs {
  /** The one query of the last three slots of the demand metrics (and residual-scored backlog series). */
  readonly latest: readonly MetricSeries[];
  /** Demand metric series ids (sorted). */
  readonly demandIds: readonly string[];
  /** Backlog signals whose latest values are read (empty without the residual calibrator). */
  readonly backlog: readonly TaskBacklogSignal[];
  /** The forecasts in force before this tick's forecast stage (scored against the observation). */
  readonly before: ReadonlyMap<string, Forecast>;
}

/** The latest observations. */
export interface Latest {
  /** Latest finite value per demand series. */
  readonly recent: Map<string, number>;
  /** The earliest of their times (epoch seconds); absent when none. */
  readonly recentAtSec: number | undefined;
  /** Latest observed task backlog per pool (units at epoch seconds). */
  readonly recentBacklog: Map<string, { atSec: number; units: number }>;
}

/**
 * Reads the latest observation of each demand metric and scores, with calibration, the forecast
 * that was in force when it was observed (once per observation time).
 */
export function latestStage(inputs: LatestInputs, memory: TickMemory): StageResult & Latest {
  const recent = new Map<string, number>();
  let recentAtSec: number | undefined;
  const demandIdSet = new Set(inputs.demandIds);
  const calibrator = memory.calibrators?.metric;
  for (const s of inputs.latest) {
    if (!demandIdSet.has(s.id)) continue;
    let i = s.values.length - 1;
    while (i >= 0 && !Number.isFinite(s.values[i])) i--;
    if (i < 0) continue;
    recent.set(s.id, s.values[i]);
    const atSec = s.startSec + i * s.periodSec;
    recentAtSec = Math.min(recentAtSec ?? atSec, atSec);
    if (calibrator && atSec > (memory.observedAt.get(s.id) ?? -Infinity)) {
      calibrator.observe(s.id, inputs.before.get(s.id), atSec, s.values[i]);
      memory.observedAt.set(s.id, atSec);
    }
  }
  return { memory, commands: [], decisions: [], recent, recentAtSec, recentBacklog: latestBacklog(inputs.latest, inputs.backlog) };
}

/**
 * The latest observed task backlog of each pool with backlog signals: per pool, the sum of its
 * series' values at the latest time every one of them has a finite value (units), from `series`
 * (the tick's query of the last three slots).
 */
export function latestBacklog(series: readonly MetricSeries[], signals: readonly TaskBacklogSignal[]): Map<string, { atSec: number; units: number }> {
  const byId = new Map(series.map((s) => [s.id, s]));
  const out = new Map<string, { atSec: number; units: number }>();
  for (const poolId of [...new Set(signals.map((s) => s.poolId))]) {
    const mine = signals.filter((s) => s.poolId === poolId).map((s) => byId.get(s.seriesId));
    if (mine.some((s) => !s || s.values.length === 0)) continue;
    const first = mine[0]!;
    for (let i = first.values.length - 1; i >= 0; i--) {
      const atSec = first.startSec + i * first.periodSec;
      let units = 0;
      for (const s of mine) units += s!.values[Math.round((atSec - s!.startSec) / s!.periodSec)] ?? Number.NaN;
      if (Number.isFinite(units)) { out.set(poolId, { atSec, units }); break; }
    }
  }
  return out;
}
