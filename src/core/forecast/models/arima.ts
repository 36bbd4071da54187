/**
 * ARIMA through the `arima` package (ctsa), for the non-seasonal part of a series. The package
 * cannot fit long seasonal periods (a day of 5-minute steps is 288) and crashes on long inputs, so:
 * seasonality is removed outside it by {@link mstl} and added back to the forecast (as R's `stlf`
 * does); the input is capped to the last `maxInput` values; values are standardised before the fit
 * (ctsa's optimiser struggles with values near 1e8); and every call goes through an
 * {@link ArimaEngine} so one crash cannot poison later fits. The package returns forecast-error
 * variances, converted here to standard deviations. The package's AutoARIMA (`auto: true`) is not
 * used by default: in arima 0.2.8 its `predict` returned corrupt output here (denormal means such as
 * 2e-309 and negative variances on a random walk), and it is ~10× slower; order choice is a
 * sanity-checked cascade of fixed orders, and the ensemble's cross-validation picks among models.
 */
import { defaultArimaEngine, type ArimaEngine, type ArimaOrder } from '../arima-engine.js';
import { seasonalAt } from '../decompose.js';
import { decompositionOf, naiveFallback, type ForecastModel, type ModelContext, type PointForecast } from '../model.js';

/** Options of {@link createArimaModel}. */
export interface ArimaModelOptions {
  /**
   * Orders to try in turn: the first whose forecast is sane (finite, not explosive: within 3× the
   * input's range of its standardised values, variance below 25·h) is used; ctsa's likelihood
   * optimiser sometimes returns explosive AR roots.
   * @default [(2,1,1), (1,1,1), (0,1,1)]
   */
  readonly orders?: readonly ArimaOrder[];
  /** Most recent values given to the package; longer inputs are cut (the package crashes on ~30k). @default 240 */
  readonly maxInput?: number;
  /** Engine to fit with. @default the package's shared instance ({@link defaultArimaEngine}) */
  readonly engine?: ArimaEngine;
  /** Remove detected seasonality outside ARIMA. @default true */
  readonly deseasonalise?: boolean;
}

/** Minimum values the package accepts for non-seasonal orders (its own guard: d + max(p + q, 10)). */
function minLength(o: ArimaOrder): number {
  return o.auto ? 20 : o.d + Math.max(o.p + o.q, 10) + 1;
}

/** Creates the ARIMA model (registry name "arima"). */
export function createArimaModel(options: ArimaModelOptions = {}): ForecastModel {
  const orders = options.orders ?? [
    { p: 2, d: 1, q: 1 },
    { p: 1, d: 1, q: 1 },
    { p: 0, d: 1, q: 1 },
  ];
  const order = orders[0];
  const maxInput = options.maxInput ?? 240;
  const deseasonalise = options.deseasonalise ?? true;
  const label = order.auto ? 'auto-arima' : `arima(${order.p},${order.d},${order.q})`;
  return {
    name: 'arima',
    predict(y: Float64Array, horizon: number, ctx: ModelContext): PointForecast {
      const n = y.length;
      const dec = deseasonalise ? decompositionOf(y, ctx) : undefined;
      const x = dec ? dec.adjusted : y;
      const seasonal = (h: number): number => (dec ? seasonalAt(dec, n - 1 + h) : 0);
      const suffix = dec && dec.periods.length > 0 ? `+mstl(${dec.periods.join(',')})` : '';
      const from = Math.max(0, n - maxInput);
      const len = n - from;
      if (len < minLength(order)) return addSeason(naiveFallback(x, horizon, `${label}: ${len} values are too few for ARIMA, used naive`), seasonal);
      let mu = 0;
      for (let i = from; i < n; i++) mu += x[i];
      mu /= len;
      let sd = 0;
      for (let i = from; i < n; i++) sd += (x[i] - mu) ** 2;
      sd = Math.sqrt(sd / len);
      if (!(sd > 1e-12 * Math.max(1, Math.abs(mu)))) {
        const mean = new Float64Array(horizon).fill(x[n - 1]);
        return addSeason({ name: `${label}${suffix}`, mean, sigma: new Float64Array(horizon), notes: [`${label}: constant input, forecast flat`] }, seasonal);
      }
      const z: number[] = new Array(len);
      for (let i = 0; i < len; i++) z[i] = (x[from + i] - mu) / sd;
      const engine = options.engine ?? defaultArimaEngine();
      let zmax = 0;
      for (const v of z) zmax = Math.max(zmax, Math.abs(v));
      const notes: string[] = [];
      for (const o of orders) {
        const name = o.auto ? 'auto-arima' : `arima(${o.p},${o.d},${o.q})`;
        if (len < minLength(o)) continue;
        let res;
        try {
          res = engine.fitPredict(z, o, horizon);
        } catch (err) {
          notes.push(`${name} failed (${err instanceof Error ? err.message : String(err)})`);
          continue;
        }
        const mean = new Float64Array(horizon);
        const sigma = new Float64Array(horizon);
        let sane = true;
        for (let h = 0; h < horizon && sane; h++) {
          const m = res.mean[h];
          const v = res.variance[h];
          if (!Number.isFinite(m) || !(v >= 0) || Math.abs(m) > 3 * zmax + 3 || v > 25 * (h + 1)) sane = false;
          mean[h] = mu + sd * m;
          sigma[h] = sd * Math.sqrt(v);
        }
        if (!sane) {
          notes.push(`${name} gave an explosive forecast, rejected`);
          continue;
        }
        return addSeason({ name: `${name}${suffix}`, mean, sigma, notes }, seasonal);
      }
      return addSeason(naiveFallback(x, horizon, `${label}: no sane ARIMA fit (${notes.join('; ')}), used naive`), seasonal);
    },
  };
}

function addSeason(pf: PointForecast, seasonal: (h: number) => number): PointForecast {
  const mean = new Float64Array(pf.mean.length);
  for (let h = 0; h < mean.length; h++) mean[h] = pf.mean[h] + seasonal(h + 1);
  return { ...pf, mean };
}
