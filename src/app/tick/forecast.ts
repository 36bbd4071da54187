/**
 * The forecast stage's and the latest stage's reads, as one read plan per tick (core/tick/reads.ts):
 * each series' history when it is due for a refit, in incremental mode the periods completed since
 * its last update, and the last three slots of the demand metrics (and, with the residual
 * calibrator, the backlog series) are stated as needs, merged, fetched in one call per tick, and handed
 * from one cache to the pure forecast memory (core/tick/forecast.ts, which fits, updates and predicts
 * through the Forecaster) and to the latest stage.
 */
import type { Decision, Forecast, MetricSeries } from '../../core/model/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import { forecastDecisions, type ForecastCache, type ForecastShape } from '../../core/tick/forecast.js';
import type { TickMemory } from '../../core/tick/memory.js';
import { latestStage, type Latest } from '../../core/tick/observe.js';
import { needsOf, planReads, TickReadCache, type SeriesNeed } from '../../core/tick/reads.js';
import type { TaskBacklogSignal } from '../../core/tick/types.js';
import type { MetricsSource } from '../../ports/metrics-source.js';
import type { TickDeps } from './types.js';

/** What {@link runForecasts} needs besides the cache. */
export interface ForecastRun extends ForecastShape {
  /** Series forecast (sorted). */
  readonly seriesIds: readonly string[];
  /** Series due for a refit (ForecastCache.due). */
  readonly due: readonly string[];
  /** History read for a refit, seconds. */
  readonly historySec: number;
  /** True: incremental mode (update and predict every tick). */
  readonly incremental: boolean;
}

/** The forecast stage's reads: `[startSec, seriesIds]` windows up to `endSec`, the refit history first. */
function forecastReads(cache: ForecastCache, run: ForecastRun): { endSec: number; windows: Array<[number, string[]]> } {
  const { nowSec, periodSec } = run;
  const endSec = Math.floor(nowSec / periodSec) * periodSec;
  const startSec = Math.floor((nowSec - run.historySec) / periodSec) * periodSec;
  const windows: Array<[number, string[]]> = [];
  if (run.seriesIds.length === 0) return { endSec, windows };
  if (run.due.length > 0) windows.push([startSec, [...run.due]]);
  // (the refit does not change the states of the series not due, so their update windows are known before it)
  if (run.incremental) windows.push(...cache.updateWindows(run.seriesIds, new Set(run.due), endSec));
  return { endSec, windows };
}

/** Refits, or fits and updates, from the tick's reads, and returns the forecasts made this tick. */
export function runForecasts(reads: TickReadCache, forecaster: Forecaster, cache: ForecastCache, run: ForecastRun): Forecast[] {
  if (run.seriesIds.length === 0) return [];
  const { endSec, windows } = forecastReads(cache, run);
  const take = ([from, ids]: [number, string[]]): MetricSeries[] => reads.take(ids, from, endSec, run.periodSec);
  if (!run.incremental) return run.due.length === 0 ? [] : cache.refit(take(windows[0]), forecaster, run);
  const updates = run.due.length > 0 ? windows.slice(1) : windows;
  if (run.due.length > 0) cache.fit(take(windows[0]), forecaster, run);
  for (const w of updates) cache.absorb(take(w), forecaster);
  return cache.predict([...run.due, ...updates.flatMap(([, ids]) => ids)], forecaster, run);
}

/**
 * Runs the tick's read plan in one fetch: the whole plan goes to `MetricsSource.fetchMany` in one call
 * (CloudWatch: one GetMetricData request carrying every series at every period the tick needs, so a
 * series is fetched once per tick even when the forecast period (300 s) is not the slot (60 s)); a
 * source without `fetchMany` (the simulator's, files) is asked query by query, in plan order, with
 * the same answers. Every result goes into one cache.
 */
async function readOnce(metrics: MetricsSource, needs: readonly SeriesNeed[]): Promise<TickReadCache> {
  const plan = planReads(needs);
  if (plan.length === 0) return new TickReadCache([]);
  let answers: MetricSeries[][];
  if (metrics.fetchMany) answers = await metrics.fetchMany(plan);
  else {
    answers = [];
    for (const q of plan) answers.push(await metrics.fetch(q));
  }
  return new TickReadCache(plan.map((q, i) => [q, answers[i]] as const));
}

/** The tick's forecasting settings (fixed for its life). */
export interface ForecastSettings {
  /** Every series forecast: demand metrics and backlog series (sorted). */
  readonly seriesIds: readonly string[];
  /** Demand metric series ids (sorted); their past forecasts are scored. */
  readonly demandIds: readonly string[];
  readonly backlog: readonly TaskBacklogSignal[];
  readonly refitEverySec: number;
  readonly historySec: number;
  readonly periodSec: number;
  readonly slotSec: number;
  readonly planMarginSec: number;
  readonly incremental: boolean;
  /** Quantile levels forecast (sorted). */
  readonly levels: readonly number[];
}

/**
 * The forecast stage and the latest observations, on one read plan: refits (or updates) the
 * forecasts, then takes the last three whole slots of the demand metrics (and, with the residual
 * calibrator, the backlog series) and scores the forecasts that were in force before this tick against them.
 * @param maxLeadSec the offerings' longest launch lead time (sets the horizon)
 */
export async function forecastStep(
  metrics: MetricsSource, forecaster: Forecaster, memory: TickMemory, s: ForecastSettings, nowSec: number, maxLeadSec: number,
): Promise<{ forecasts: Forecast[]; decisions: Decision[]; latest: Latest }> {
  const before = new Map(memory.forecasts.bySeries);
  const due = memory.forecasts.due(s.seriesIds, nowSec, s.refitEverySec);
  const horizon = Math.ceil((s.refitEverySec + maxLeadSec + s.planMarginSec + s.slotSec) / s.periodSec) + 1;
  const run: ForecastRun = {
    seriesIds: s.seriesIds, due, nowSec, historySec: s.historySec, periodSec: s.periodSec, horizon, quantiles: s.levels, scored: new Set(s.demandIds), incremental: s.incremental,
  };
  const backlog = memory.calibrators ? s.backlog : [];
  const ids = [...new Set([...s.demandIds, ...backlog.map((b) => b.seriesId)])].sort();
  const { endSec, windows } = forecastReads(memory.forecasts, run);
  // the last three whole slots (on the slot grid, so the history read at the same period covers them)
  const latestEnd = Math.floor(nowSec / s.slotSec) * s.slotSec, latestStart = latestEnd - 3 * s.slotSec;
  const reads = await readOnce(metrics, [...windows.flatMap(([from, w]) => needsOf(w, from, endSec, s.periodSec)), ...needsOf(ids, latestStart, latestEnd, s.slotSec)]);
  const forecasts = runForecasts(reads, forecaster, memory.forecasts, run);
  const decisions = forecastDecisions(forecasts, due, nowSec, s.incremental, s.refitEverySec, horizon, s.periodSec);
  const latest = ids.length > 0 ? reads.take(ids, latestStart, latestEnd, s.slotSec) : [];
  return { forecasts, decisions, latest: latestStage({ latest, demandIds: s.demandIds, backlog, before }, memory) };
}

/** The forecasting settings of a tick from its configuration and options (defaults as TickOptions documents). */
export function forecastSettings(deps: Pick<TickDeps, 'config' | 'options'>): ForecastSettings {
  const cfg = deps.config;
  const opts = deps.options ?? {};
  const backlog = opts.taskBacklogSignals ?? [];
  const demandIds = [...new Set(cfg.demandSignals.map((d) => d.seriesId))].sort();
  const pools = cfg.pools.filter((p) => p.kind === 'ec2');
  return {
    seriesIds: [...new Set([...demandIds, ...backlog.map((b) => b.seriesId)])].sort(), demandIds, backlog,
    refitEverySec: opts.refitEverySec ?? 3600, historySec: opts.historySec ?? 7 * 86_400, periodSec: opts.forecastPeriodSec ?? 300, slotSec: opts.slotSec ?? cfg.tickSec,
    planMarginSec: cfg.planMarginSec, incremental: opts.forecastMode === 'incremental',
    levels: [...new Set([...cfg.quantiles, ...pools.map((p) => p.serviceLevel)])].sort((a, b) => a - b),
  };
}
