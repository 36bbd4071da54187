/**
 * Robust local level (registry name "robust"): the median of the last `window` seasonally adjusted
 * values, plus the seasonal profiles carried forward. Under absolute-error loss (MASE) the median is
 * the optimal point forecast, and spiky count series (request counts, tweet volumes) are where
 * mean-based smoothers overshoot after every spike. Sigma per step is the robust (MAD-based)
 * spread of in-sample h-step changes of the adjusted series.
 */
import { seasonalAt } from '../decompose.js';
import { decompositionOf, naiveFallback, type ForecastModel, type ModelContext, type PointForecast } from '../model.js';
import { madSigma, median } from '../stats.js';

/** Options of {@link createRobustLevelModel}. */
export interface RobustLevelOptions {
  /** Values in the median. @default 12 */
  readonly window?: number;
  /** Recent adjusted values used to estimate the spread. @default 1008 */
  readonly spreadInput?: number;
}

/** Creates the robust local-level model. */
export function createRobustLevelModel(options: RobustLevelOptions = {}): ForecastModel {
  const window = options.window ?? 12;
  const spreadInput = options.spreadInput ?? 1008;
  return {
    name: 'robust',
    predict(y: Float64Array, horizon: number, ctx: ModelContext): PointForecast {
      const n = y.length;
      if (n < 3) return naiveFallback(y, horizon, `robust: ${n} values are too few, used naive`);
      const dec = decompositionOf(y, ctx);
      const x = dec.adjusted;
      const w = Math.min(window, n);
      const level = median(x.subarray(n - w));
      const from = Math.max(0, n - spreadInput);
      const mean = new Float64Array(horizon);
      const sigma = new Float64Array(horizon);
      // Spread of "value h steps ahead minus the median of the window before it", at ~150 origins.
      const stride = Math.max(1, Math.floor((n - from) / 150));
      const origins: number[] = [];
      const meds: number[] = [];
      for (let t = Math.max(from, w); t < n; t += stride) {
        origins.push(t);
        meds.push(median(x.subarray(t - w, t)));
      }
      const diffs = new Float64Array(origins.length);
      for (let h = 1; h <= horizon; h++) {
        let c = 0;
        for (let j = 0; j < origins.length; j++) if (origins[j] + h - 1 < n) diffs[c++] = x[origins[j] + h - 1] - meds[j];
        sigma[h - 1] = c > 2 ? madSigma(diffs.subarray(0, c)) : 0;
        mean[h - 1] = level + seasonalAt(dec, n - 1 + h);
      }
      const suffix = dec.periods.length > 0 ? `+mstl(${dec.periods.join(',')})` : '';
      return { name: `robust-median(${w})${suffix}`, mean, sigma, notes: [] };
    },
  };
}
