/**
 * The ETS forecasting model (registry name "ets"): with a detected season it fits the seasonal
 * variants (A,N,A) and (A,Ad,A) on the series (longer extra seasons, e.g. weekly, are removed first
 * by {@link mstl}); without one, (A,N,N) and (A,Ad,N). The variant with the lower AIC wins.
 */
import { decompositionOf, naiveFallback, type ForecastModel, type ModelContext, type PointForecast } from '../model.js';
import { etsFit, etsForecast, type EtsState } from './ets.js';

/** Options of {@link createEtsModel}. */
export interface EtsModelOptions {
  /** Most recent values fitted. @default 1152 (four days of 5-minute steps) */
  readonly maxInput?: number;
}

/** Label of a fitted state, e.g. "ets(A,Ad,A)". */
export function etsLabel(s: EtsState): string {
  return `ets(A,${s.spec.damped ? 'Ad' : 'N'},${s.spec.season > 0 ? 'A' : 'N'})`;
}

/** Fits the candidate variants on `x` and returns the one with the lowest AIC. */
export function fitBestEts(x: ArrayLike<number>, season: number, seasonInit?: ArrayLike<number>): EtsState {
  const a = etsFit(x, { damped: false, season }, seasonInit);
  if (x.length < 20) return a;
  const b = etsFit(x, { damped: true, season }, seasonInit);
  return b.aic < a.aic ? b : a;
}

/** Creates the ETS model. */
export function createEtsModel(options: EtsModelOptions = {}): ForecastModel {
  const maxInput = options.maxInput ?? 1152;
  return {
    name: 'ets',
    predict(yAll: Float64Array, horizon: number, ctx: ModelContext): PointForecast {
      const from = Math.max(0, yAll.length - maxInput);
      const y = yAll.subarray(from);
      if (y.length < 3) return naiveFallback(y, horizon, `ets: ${y.length} values are too few, used naive`);
      const m = ctx.seasonPeriods[0] ?? 0;
      const seasonal = m > 0 && y.length >= 2 * m;
      // Extra (longer) seasons are removed outside; they are estimated on the full history.
      const extra = ctx.seasonPeriods.slice(1);
      const decAll = seasonal ? decompositionOf(yAll, ctx) : undefined;
      const x = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) {
        let v = y[i];
        if (decAll) for (let k = 1; k < decAll.periods.length; k++) v -= decAll.profiles[k][(from + i) % decAll.periods[k]];
        x[i] = v;
      }
      let init: Float64Array | undefined;
      if (decAll && decAll.periods[0] === m) {
        // Seasonal states are indexed by phase relative to x[0].
        init = new Float64Array(m);
        for (let k = 0; k < m; k++) init[k] = decAll.profiles[0][(from + k) % m];
      }
      const st = fitBestEts(x, seasonal ? m : 0, init);
      const { mean, sigma } = etsForecast(st, horizon);
      if (decAll && extra.length > 0) {
        for (let h = 0; h < horizon; h++) {
          let v = 0;
          for (let k = 1; k < decAll.periods.length; k++) v += decAll.profiles[k][(yAll.length + h) % decAll.periods[k]];
          mean[h] += v;
        }
      }
      const suffix = decAll && extra.length > 0 ? `+mstl(${extra.join(',')})` : '';
      return { name: `${etsLabel(st)}${seasonal ? `[${m}]` : ''}${suffix}`, mean, sigma, notes: [] };
    },
  };
}
