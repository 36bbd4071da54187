/**
 * The forecast stage's reads: fetches each series' history when it is due for a refit and, in
 * incremental mode, the periods completed since its last update, and hands them to the pure
 * forecast memory (core/tick/forecast.ts), which fits, updates and predicts through the Forecaster.
 */
import type { Decision, Forecast } from '../../core/model/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import { forecastDecisions, type ForecastCache, type ForecastShape } from '../../core/tick/forecast.js';
import type { TickMemory } from '../../core/tick/memory.js';
import { latestStage, type Latest } from '../../core/tick/observe.js';
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

/**
 * Reads what the due series and (incremental mode) the others need, one query per window, and
 * returns the forecasts made this tick.
 */
export async function runForecasts(metrics: MetricsSource, forecaster: Forecaster, cache: ForecastCache, run: ForecastRun): Promise<Forecast[]> {
  if (run.seriesIds.length === 0) return [];
  const { nowSec, periodSec } = run;
  const endSec = Math.floor(nowSec / periodSec) * periodSec;
  const startSec = Math.floor((nowSec - run.historySec) / periodSec) * periodSec;
  if (!run.incremental) {
    if (run.due.length === 0) return [];
    return cache.refit(await metrics.fetch({ seriesIds: run.due, startSec, endSec, periodSec }), forecaster, run);
  }
  if (run.due.length > 0) cache.fit(await metrics.fetch({ seriesIds: run.due, startSec, endSec, periodSec }), forecaster, run);
  const windows = cache.updateWindows(run.seriesIds, new Set(run.due), endSec);
  for (const [from, ids] of windows) cache.absorb(await metrics.fetch({ seriesIds: ids, startSec: from, endSec, periodSec }), forecaster);
  return cache.predict([...run.due, ...windows.flatMap(([, ids]) => ids)], forecaster, run);
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
 * The forecast stage and the latest observations: refits (or updates) the forecasts, then reads the
 * last three slots of the demand metrics (and, with the residual calibrator, the backlog series) in
 * one query and scores the forecasts that were in force before this tick against them.
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
  const forecasts = await runForecasts(metrics, forecaster, memory.forecasts, run);
  const decisions = forecastDecisions(forecasts, due, nowSec, s.incremental, s.refitEverySec, horizon, s.periodSec);
  const backlog = memory.calibrators ? s.backlog : [];
  const ids = [...new Set([...s.demandIds, ...backlog.map((b) => b.seriesId)])].sort();
  const latest = ids.length > 0 ? await metrics.fetch({ seriesIds: ids, startSec: nowSec - 3 * s.slotSec, endSec: nowSec, periodSec: s.slotSec }) : [];
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
