/**
 * The decomposition model (registry name "mstl"): MSTL-style decomposition for every detected
 * season (e.g. 1440 or 288 steps a day for 1- or 5-minute data, and a week), then a damped-trend
 * or simple exponential smoothing on the seasonally adjusted series, with the seasonal profiles
 * carried forward (R's `stlf` / `mstl` + `forecast`, Hyndman & Athanasopoulos, FPP3 §3.6 and §12.1).
 */
import { seasonalAt } from '../decompose.js';
import { decompositionOf, naiveFallback, type ForecastModel, type ModelContext, type PointForecast } from '../model.js';
import { fitBestEts, etsLabel } from './ets-model.js';
import { etsForecast } from './ets.js';

/** Options of {@link createMstlModel}. */
export interface MstlModelOptions {
  /** Most recent adjusted values the ETS part is fitted on. @default 1152 (four days of 5-minute steps) */
  readonly maxInput?: number;
}

/** Creates the decomposition model. */
export function createMstlModel(options: MstlModelOptions = {}): ForecastModel {
  const maxInput = options.maxInput ?? 1152;
  return {
    name: 'mstl',
    predict(y: Float64Array, horizon: number, ctx: ModelContext): PointForecast {
      if (y.length < 3) return naiveFallback(y, horizon, `mstl: ${y.length} values are too few, used naive`);
      const dec = decompositionOf(y, ctx);
      const notes = dec.periods.length === 0 ? ['mstl: no season detected, exponential smoothing on the raw series'] : [];
      const x = dec.adjusted.subarray(Math.max(0, y.length - maxInput));
      const st = fitBestEts(x, 0);
      const { mean, sigma } = etsForecast(st, horizon);
      for (let h = 0; h < horizon; h++) mean[h] += seasonalAt(dec, y.length + h);
      return { name: `mstl(${dec.periods.join(',')})+${etsLabel(st)}`, mean, sigma, notes };
    },
  };
}
