/**
 * The forecast stage's memory and logic (pure; app/tick/forecast.ts fetches the series): the latest
 * forecast per series, the forecaster's fitted state per series, when each was refitted, and the
 * running score of past forecasts of the scored series (the metric demand signals) against what was
 * then observed (sMAPE of the mean over the first hour after each origin).
 *
 * Two modes, both through the {@link Forecaster} interface:
 * - refit: every `refitEverySec`, a series is refitted on its history and forecast (`forecast`);
 * - incremental: every `refitEverySec` it is refitted (`fit`); in between it absorbs the periods
 *   completed since (`update`) and is re-forecast (`predict`) every tick, so near-horizon quantiles
 *   are conditioned on the latest data.
 */
import type { Decision, Forecast, MetricSeries } from '../model/index.js';
import type { FittedSeries, Forecaster } from '../forecast/types.js';

/** Running sMAPE accumulator (Makridakis 1993: |F − A| / ((|F| + |A|) / 2), in percent). */
export interface SmapeAccumulator {
  sum: number;
  points: number;
}

/** Seconds after a forecast's origin scored by the accumulator. */
export const SCORED_HORIZON_SEC = 3600;

/** What a forecast call needs besides the series. */
export interface ForecastShape {
  readonly nowSec: number;
  /** Period forecasts are made at, seconds. */
  readonly periodSec: number;
  /** Steps to forecast. */
  readonly horizon: number;
  /** Quantile levels in (0, 1). */
  readonly quantiles: readonly number[];
  /** Series whose past forecasts are scored. */
  readonly scored: ReadonlySet<string>;
}

/** {@link ForecastCache} as data (see {@link ForecastCache.toJSON}). */
export interface ForecastCacheJSON {
  readonly bySeries: ReadonlyMap<string, Forecast>;
  readonly fittedAt: ReadonlyMap<string, number>;
  readonly states: ReadonlyMap<string, FittedSeries>;
  readonly scoredForecast: ReadonlyMap<string, Forecast>;
  readonly scoredAt: ReadonlyMap<string, boolean>;
  readonly error: SmapeAccumulator;
}

/** Latest forecasts by series id, with their fit times and fitted states. */
export class ForecastCache {
  readonly bySeries = new Map<string, Forecast>();
  private readonly fittedAt = new Map<string, number>();
  private readonly states = new Map<string, FittedSeries>();
  private readonly scoredForecast = new Map<string, Forecast>();
  private readonly scoredAt = new Map<string, boolean>();
  readonly error: SmapeAccumulator = { sum: 0, points: 0 };

  /**
   * The cache as data (Maps kept as Maps, numbers raw: core/tick/memory-codec.ts makes it JSON-safe),
   * fitted states included (they are the forecaster's plain data).
   */
  toJSON(): ForecastCacheJSON {
    return {
      bySeries: new Map(this.bySeries), fittedAt: new Map(this.fittedAt), states: new Map(this.states),
      scoredForecast: new Map(this.scoredForecast), scoredAt: new Map(this.scoredAt), error: { ...this.error },
    };
  }

  /** Rebuilds a cache saved by {@link toJSON}. */
  static fromJSON(json: ForecastCacheJSON): ForecastCache {
    const c = new ForecastCache();
    for (const [k, v] of json.bySeries) c.bySeries.set(k, v);
    for (const [k, v] of json.fittedAt) c.fittedAt.set(k, v);
    for (const [k, v] of json.states) c.states.set(k, v);
    for (const [k, v] of json.scoredForecast) c.scoredForecast.set(k, v);
    for (const [k, v] of json.scoredAt) c.scoredAt.set(k, v);
    c.error.sum = json.error.sum;
    c.error.points = json.error.points;
    return c;
  }

  /** Series due for a refit at `nowSec`. */
  due(seriesIds: readonly string[], nowSec: number, refitEverySec: number): string[] {
    return seriesIds.filter((id) => {
      const at = this.fittedAt.get(id);
      return at === undefined || nowSec - at >= refitEverySec;
    });
  }

  /** Refit mode: scores and refits each of `series` (their history) with `forecaster.forecast`. */
  refit(series: readonly MetricSeries[], forecaster: Forecaster, shape: ForecastShape): Forecast[] {
    const out: Forecast[] = [];
    for (const s of series) {
      if (shape.scored.has(s.id)) this.score(s);
      if (!s.values.some((v) => Number.isFinite(v))) continue;
      const f = forecaster.forecast({ seriesId: s.id, values: s.values, startSec: s.startSec, periodSec: s.periodSec, horizon: shape.horizon, quantiles: shape.quantiles });
      this.bySeries.set(s.id, f);
      this.fittedAt.set(s.id, shape.nowSec);
      out.push(f);
    }
    return out;
  }

  /** Incremental mode, refit part: scores each of `series` (their history) and fits it (`forecaster.fit`). */
  fit(series: readonly MetricSeries[], forecaster: Forecaster, shape: ForecastShape): void {
    for (const s of series) {
      if (shape.scored.has(s.id)) this.score(s);
      if (!s.values.some((v) => Number.isFinite(v))) continue;
      this.states.set(s.id, forecaster.fit({ seriesId: s.id, values: s.values, startSec: s.startSec, periodSec: shape.periodSec, horizon: shape.horizon, quantiles: shape.quantiles }));
      this.fittedAt.set(s.id, shape.nowSec);
      this.scoredAt.set(s.id, true);
    }
  }

  /**
   * Incremental mode: the windows to read for the fitted series not refitted this tick, grouped by
   * start (ascending): `[startSec, seriesIds]`, each up to `endSec`.
   */
  updateWindows(seriesIds: readonly string[], refitted: ReadonlySet<string>, endSec: number): Array<[number, string[]]> {
    const byStart = new Map<number, string[]>();
    for (const id of seriesIds) {
      if (refitted.has(id)) continue;
      const st = this.states.get(id);
      if (!st) continue;
      if (st.nextSec < endSec) byStart.set(st.nextSec, [...(byStart.get(st.nextSec) ?? []), id]);
    }
    return [...byStart].sort((a, b) => a[0] - b[0]);
  }

  /** Incremental mode: each of `series` (from its state's `nextSec`) is absorbed (`forecaster.update`). */
  absorb(series: readonly MetricSeries[], forecaster: Forecaster): void {
    for (const s of series) {
      this.states.set(s.id, forecaster.update(this.states.get(s.id)!, s.values));
      this.scoredAt.set(s.id, false);
    }
  }

  /** Incremental mode: forecasts `seriesIds` (those with a state, id order) from their states (`forecaster.predict`). */
  predict(seriesIds: readonly string[], forecaster: Forecaster, shape: ForecastShape): Forecast[] {
    const out: Forecast[] = [];
    for (const id of seriesIds.filter((x) => this.states.has(x)).sort()) {
      const f = forecaster.predict(this.states.get(id)!, shape.horizon, shape.quantiles);
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

/** One `forecast` decision per series refitted this tick (`due`), in forecast order. */
export function forecastDecisions(
  forecasts: readonly Forecast[], due: readonly string[], nowSec: number, incremental: boolean, refitEverySec: number, horizon: number, periodSec: number,
): Decision[] {
  const dueSet = new Set(due);
  return forecasts.filter((f) => dueSet.has(f.seriesId)).map((f) => ({
    atSec: nowSec, kind: 'forecast', subject: f.seriesId, chosen: f.model, reason: `${incremental ? 'incremental, refit' : 'refit'} every ${refitEverySec} s, horizon ${horizon} × ${periodSec} s`,
  }));
}
