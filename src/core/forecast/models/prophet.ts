/**
 * A Prophet-style additive model (Taylor & Letham 2018, "Forecasting at scale"): piecewise-linear
 * trend with changepoints, Fourier series for daily and weekly seasonality, optional holiday
 * indicators and extra regressors, fitted by ridge-regularised least squares on Float64Array
 * normal equations solved with {@link choleskySolve}. The ridge penalty on changepoint slope changes
 * plays the role of Prophet's Laplace prior (`changepoint_prior_scale`); Fourier terms get a light
 * penalty (Prophet's `seasonality_prior_scale`). Forecast sigma is the residual standard deviation
 * inflated by the trend's uncertainty, which Prophet simulates from the changepoint rate
 * (here: sd of the fitted slope changes, growing linearly with the horizon).
 */
import { choleskySolve } from '../cholesky.js';
import { naiveFallback, type ForecastModel, type ModelContext, type PointForecast } from '../model.js';

/** Options of {@link createProphetModel}. */
export interface ProphetOptions {
  /** Changepoints, spread evenly over the first `changepointRange` of the history. @default 12 */
  readonly changepoints?: number;
  /** Share of the history where changepoints may sit. @default 0.9 */
  readonly changepointRange?: number;
  /** Ridge penalty on slope changes (relative to n). @default 0.05 */
  readonly changepointPenalty?: number;
  /** Ridge penalty on Fourier and holiday coefficients (relative to n). @default 0.001 */
  readonly seasonalityPenalty?: number;
  /** Fourier orders for daily and weekly cycles. @default { daily: 6, weekly: 3 } */
  readonly fourierOrder?: { readonly daily: number; readonly weekly: number };
  /**
   * Holidays: [startSec, endSec) windows. Windows sharing a `name` share one indicator column (as in
   * Prophet, where a holiday recurs on several dates), so an effect learned on past dates applies to
   * future ones. @default none
   */
  readonly holidays?: ReadonlyArray<{ readonly name: string; readonly startSec: number; readonly endSec: number }>;
  /**
   * Extra regressors: value at epoch second t, known for history and horizon. @default none
   */
  readonly regressors?: ReadonlyArray<(tSec: number) => number>;
  /** Most recent values fitted. @default 1152 (four days of 5-minute steps) */
  readonly maxInput?: number;
}

const DAY_SEC = 86_400;
const WEEK_SEC = 7 * DAY_SEC;

/** Creates the Prophet-style model (registry name "prophet"). */
export function createProphetModel(options: ProphetOptions = {}): ForecastModel {
  const nCp = options.changepoints ?? 12;
  const cpRange = options.changepointRange ?? 0.9;
  const lamCp = options.changepointPenalty ?? 0.05;
  const lamS = options.seasonalityPenalty ?? 0.001;
  const order = options.fourierOrder ?? { daily: 6, weekly: 3 };
  const holidays = options.holidays ?? [];
  const holidayNames = [...new Set(holidays.map((h) => h.name))].sort();
  const holidayWindows = holidayNames.map((name) => holidays.filter((h) => h.name === name));
  const regressors = options.regressors ?? [];
  const maxInput = options.maxInput ?? 1152;
  return {
    name: 'prophet',
    predict(yAll: Float64Array, horizon: number, ctx: ModelContext): PointForecast {
      const from = Math.max(0, yAll.length - maxInput);
      const y = yAll.subarray(from);
      const n = y.length;
      if (n < 10) return naiveFallback(y, horizon, `prophet: ${n} values are too few, used naive`);
      const t0 = ctx.startSec + from * ctx.periodSec;
      const useDaily = ctx.seasonPeriods.some((m) => m * ctx.periodSec === DAY_SEC) ? order.daily : 0;
      const useWeekly = ctx.seasonPeriods.some((m) => m * ctx.periodSec === WEEK_SEC) ? order.weekly : 0;
      const cps: number[] = [];
      const k = Math.min(nCp, Math.floor(n / 20));
      for (let j = 1; j <= k; j++) cps.push(Math.floor((j * cpRange * n) / (k + 1)));
      const p = 2 + cps.length + 2 * useDaily + 2 * useWeekly + holidayNames.length + regressors.length;
      let ymin = Infinity;
      let ymax = -Infinity;
      for (let i = 0; i < n; i++) {
        ymin = Math.min(ymin, y[i]);
        ymax = Math.max(ymax, y[i]);
      }
      const scale = ymax - ymin || Math.abs(ymax) || 1;
      const row = new Float64Array(p);
      const fill = (i: number): void => {
        const tSec = t0 + i * ctx.periodSec;
        const tn = i / n;
        let c = 0;
        row[c++] = 1;
        row[c++] = tn;
        for (const cp of cps) row[c++] = i > cp ? tn - cp / n : 0;
        for (let f = 1; f <= useDaily; f++) {
          const a = (2 * Math.PI * f * (tSec % DAY_SEC)) / DAY_SEC;
          row[c++] = Math.sin(a);
          row[c++] = Math.cos(a);
        }
        for (let f = 1; f <= useWeekly; f++) {
          const a = (2 * Math.PI * f * (tSec % WEEK_SEC)) / WEEK_SEC;
          row[c++] = Math.sin(a);
          row[c++] = Math.cos(a);
        }
        for (const ws of holidayWindows) row[c++] = ws.some((hd) => tSec >= hd.startSec && tSec < hd.endSec) ? 1 : 0;
        for (const r of regressors) row[c++] = r(tSec);
      };
      const XtX = new Float64Array(p * p);
      const Xty = new Float64Array(p);
      for (let i = 0; i < n; i++) {
        fill(i);
        const yi = (y[i] - ymin) / scale;
        for (let a = 0; a < p; a++) {
          const ra = row[a];
          if (ra === 0) continue;
          Xty[a] += ra * yi;
          for (let b = 0; b <= a; b++) XtX[a * p + b] += ra * row[b];
        }
      }
      for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) XtX[b * p + a] = XtX[a * p + b];
      for (let a = 2; a < p; a++) XtX[a * p + a] += n * (a < 2 + cps.length ? lamCp : lamS);
      XtX[0] += 1e-9 * n;
      XtX[p + 1] += 1e-9 * n;
      let beta: Float64Array;
      try {
        beta = choleskySolve(XtX, Xty, p);
      } catch (err) {
        return naiveFallback(y, horizon, `prophet: ${(err as Error).message}, used naive`);
      }
      const predictAt = (i: number): number => {
        fill(i);
        let v = 0;
        for (let a = 0; a < p; a++) v += row[a] * beta[a];
        return ymin + scale * v;
      };
      let sse = 0;
      for (let i = 0; i < n; i++) sse += (y[i] - predictAt(i)) ** 2;
      const sdRes = Math.sqrt(sse / Math.max(1, n - p));
      let slopeVar = 0;
      for (let j = 0; j < cps.length; j++) slopeVar += beta[2 + j] ** 2;
      const sdSlopePerStep = cps.length > 0 ? (scale * Math.sqrt(slopeVar / cps.length)) / n : 0;
      const mean = new Float64Array(horizon);
      const sigma = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) {
        mean[h - 1] = predictAt(n - 1 + h);
        sigma[h - 1] = Math.sqrt(sdRes ** 2 + (sdSlopePerStep * h) ** 2);
      }
      const parts = [`${cps.length}cp`, useDaily ? `daily${useDaily}` : '', useWeekly ? `weekly${useWeekly}` : ''].filter(Boolean).join(',');
      return { name: `prophet(${parts})`, mean, sigma, notes: [] };
    },
  };
}
