/**
 * The forecast stage: refits each demand series on a schedule (not every tick), keeps the latest
 * forecast per series, reads demand units from it at any future time, and scores past forecasts of
 * the scored series (the metric demand signals) against what was then observed (sMAPE of the mean over
 * the first hour after each origin).
 */
import type { Forecast, MetricSeries } from '../../core/model/index.js';
import { fitIncremental, forecastIncremental, updateIncremental, type FittedModel } from '../../core/forecast/index.js';
import type { Forecaster } from '../../core/forecast/types.js';
import type { MetricsSource } from '../../ports/metrics-source.js';

/** Running sMAPE accumulator (Makridakis 1993: |F − A| / ((|F| + |A|) / 2), in percent). */
export interface SmapeAccumulator {
  sum: number;
  points: number;
}

/** Seconds after a forecast's origin scored by the accumulator. */
export const SCORED_HORIZON_SEC = 3600;

/** Latest forecasts by series id, with their fit times. */
export class ForecastCache {
  readonly bySeries = new Map<string, Forecast>();
  private readonly fittedAt = new Map<string, number>();
  private readonly models = new Map<string, FittedModel>();
  private readonly scoredForecast = new Map<string, Forecast>();
  private readonly scoredAt = new Map<string, boolean>();
  readonly error: SmapeAccumulator = { sum: 0, points: 0 };

  /** Series due for a refit at `nowSec`. */
  due(seriesIds: readonly string[], nowSec: number, refitEverySec: number): string[] {
    return seriesIds.filter((id) => {
      const at = this.fittedAt.get(id);
      return at === undefined || nowSec - at >= refitEverySec;
    });
  }

  /**
   * Fetches history for `seriesIds` and refits them.
   * @param horizon steps to forecast
   */
  async refit(
    metrics: MetricsSource, forecaster: Forecaster, seriesIds: readonly string[], nowSec: number,
    historySec: number, periodSec: number, horizon: number, quantiles: readonly number[],
    scored: ReadonlySet<string> = new Set(seriesIds),
  ): Promise<Forecast[]> {
    if (seriesIds.length === 0) return [];
    const startSec = Math.floor((nowSec - historySec) / periodSec) * periodSec;
    const endSec = Math.floor(nowSec / periodSec) * periodSec;
    const series = await metrics.fetch({ seriesIds, startSec, endSec, periodSec });
    const out: Forecast[] = [];
    for (const s of series) {
      if (scored.has(s.id)) this.score(s);
      if (!s.values.some((v) => Number.isFinite(v))) continue;
      const f = forecaster.forecast({ seriesId: s.id, values: s.values, startSec: s.startSec, periodSec: s.periodSec, horizon, quantiles });
      this.bySeries.set(s.id, f);
      this.fittedAt.set(s.id, nowSec);
      out.push(f);
    }
    return out;
  }

  /**
   * Incremental mode (core/forecast's incremental model: MSTL profiles + ETS state + conformal
   * calibration): series without a model (or due for a refit every `refitEverySec`) are fitted on
   * `historySec` of history; the others absorb only the periods completed since their last update
   * and are re-forecast from them, so near-horizon quantiles are conditioned on the latest data
   * instead of on a forecast up to one refit period old. Costs O(new periods) per series per tick
   * between refits. Returns the forecasts made this tick.
   * @param horizon steps to forecast
   */
  async update(
    metrics: MetricsSource, seriesIds: readonly string[], nowSec: number, refitEverySec: number,
    historySec: number, periodSec: number, horizon: number, quantiles: readonly number[],
    scored: ReadonlySet<string> = new Set(seriesIds),
  ): Promise<Forecast[]> {
    if (seriesIds.length === 0) return [];
    const endSec = Math.floor(nowSec / periodSec) * periodSec;
    const out: Forecast[] = [];
    const refit = this.due(seriesIds, nowSec, refitEverySec);
    const refitSet = new Set(refit);
    if (refit.length > 0) {
      const startSec = Math.floor((nowSec - historySec) / periodSec) * periodSec;
      for (const s of await metrics.fetch({ seriesIds: refit, startSec, endSec, periodSec })) {
        if (scored.has(s.id)) this.score(s);
        if (!s.values.some((v) => Number.isFinite(v))) continue;
        const m = fitIncremental({ seriesId: s.id, values: s.values, startSec: s.startSec, periodSec, horizon, quantiles },
          { refitEverySteps: Number.MAX_SAFE_INTEGER, calibrationHorizon: Math.min(horizon, 12) });
        this.models.set(s.id, m);
        this.fittedAt.set(s.id, nowSec);
        this.scoredAt.set(s.id, true);
      }
    }
    const fresh = seriesIds.filter((id) => !refitSet.has(id) && this.models.has(id));
    const byStart = new Map<number, string[]>();
    for (const id of fresh) {
      const m = this.models.get(id)!;
      const from = m.anchorSec + m.nextIndex * periodSec;
      if (from < endSec) byStart.set(from, [...(byStart.get(from) ?? []), id]);
    }
    for (const [startSec, ids] of [...byStart].sort((a, b) => a[0] - b[0])) {
      for (const s of await metrics.fetch({ seriesIds: ids, startSec, endSec, periodSec })) {
        this.models.set(s.id, updateIncremental(this.models.get(s.id)!, s.values));
        this.scoredAt.set(s.id, false);
      }
    }
    for (const id of [...refitSet, ...byStart.values()].flat().filter((id) => this.models.has(id)).sort()) {
      const f = forecastIncremental(this.models.get(id)!, horizon, quantiles);
      this.bySeries.set(id, f);
      // the refit's forecast is the one scored at the next refit (same protocol as refit mode)
      if (this.scoredAt.get(id)) this.scoredForecast.set(id, f);
      out.push(f);
    }
    return out;
  }

  /** Scores the previous forecast of `s` against the newly observed values. */
  private score(s: MetricSeries): void {
    const prev = this.scoredForecast.get(s.id) ?? this.bySeries.get(s.id);
    if (!prev) return;
    for (let h = 0; h < prev.mean.length; h++) {
      const t = prev.originSec + (h + 1) * prev.periodSec;
      if (t - prev.originSec > SCORED_HORIZON_SEC) break;
      const i = Math.round((t - s.startSec) / s.periodSec);
      if (i < 0 || i >= s.values.length) continue;
      const a = s.values[i];
      const f = prev.mean[h];
      if (!Number.isFinite(a)) continue;
      const den = (Math.abs(a) + Math.abs(f)) / 2;
      this.error.sum += den === 0 ? 0 : (100 * Math.abs(f - a)) / den;
      this.error.points++;
    }
  }
}
