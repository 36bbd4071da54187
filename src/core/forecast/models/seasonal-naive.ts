/**
 * Seasonal naive: each step repeats the value one season earlier (Hyndman & Athanasopoulos,
 * "Forecasting: Principles and Practice", 3rd ed., §5.2). The baseline every model must beat,
 * and the scale of MASE. Without a daily season (or with less than a season of history) it is the
 * naive (random walk) forecast.
 */
import { calendarPeriods } from '../seasonality.js';
import { naiveFallback, type ForecastModel, type ModelContext, type PointForecast } from '../model.js';

/** Seasonal naive forecast with season `m` (steps); sigma_h = sd(seasonal differences) · sqrt(k+1), k = floor((h-1)/m). */
export function seasonalNaive(y: Float64Array, horizon: number, m: number): PointForecast {
  const n = y.length;
  if (m <= 1 || n < m + 1) {
    return { ...naiveFallback(y, horizon, m > 1 ? `seasonal-naive: ${n} values < one season (${m}) + 1, used naive` : 'seasonal-naive: no season, used naive'), name: 'naive' };
  }
  let s = 0;
  let c = 0;
  for (let t = m; t < n; t++) {
    s += (y[t] - y[t - m]) ** 2;
    c++;
  }
  const sd = Math.sqrt(s / c);
  const mean = new Float64Array(horizon);
  const sigma = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++) {
    const k = Math.floor((h - 1) / m);
    mean[h - 1] = y[n - m + ((h - 1) % m)];
    sigma[h - 1] = sd * Math.sqrt(k + 1);
  }
  return { name: `seasonal-naive(${m})`, mean, sigma, notes: [] };
}

/**
 * The seasonal naive model: the shortest detected season, else one day of steps when the step
 * divides a day (as R's `snaive` with the series' frequency), else naive.
 */
export const seasonalNaiveModel: ForecastModel = {
  name: 'seasonal-naive',
  predict(y: Float64Array, horizon: number, ctx: ModelContext): PointForecast {
    return seasonalNaive(y, horizon, ctx.seasonPeriods[0] ?? calendarPeriods(ctx.periodSec).daily ?? 1);
  },
};
