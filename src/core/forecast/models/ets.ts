/**
 * Exponential smoothing (ETS) with additive errors: simple (A,N,N), damped trend (A,Ad,N) and the
 * seasonal variants (A,N,A) and (A,Ad,A), as state-space models (Hyndman, Koehler, Ord & Snyder
 * 2008, "Forecasting with Exponential Smoothing", ch. 2 and Table 6.1 for the forecast variances).
 * Parameters are fitted by minimising the one-step squared error on a grid refined locally; the
 * variant is chosen by AIC. Errors larger than 3 robust standard deviations are clipped when they
 * update the states (robust exponential smoothing, Gelper, Fried & Croux 2010) so single spikes
 * do not move the level. The state can be updated with new points in O(new points) (see
 * {@link etsUpdate}) and serialised as JSON.
 */
import { madSigma } from '../stats.js';

/** Which ETS variant. */
export interface EtsSpec {
  /** Damped additive trend (φ < 1) when true; no trend otherwise. */
  readonly damped: boolean;
  /** Additive seasonal period in steps, or 0 for none. */
  readonly season: number;
}

/** Smoothing parameters. */
export interface EtsParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

/** A fitted ETS model: spec, parameters and the states after the last observation (JSON-safe). */
export interface EtsState {
  readonly spec: EtsSpec;
  readonly params: EtsParams;
  /** Level after the last observation. */
  level: number;
  /** Trend after the last observation (0 without trend). */
  trend: number;
  /** Seasonal states, `season[k]` is the component of phase k (index t has phase t % season). */
  season: number[];
  /** Number of observations absorbed so far (phase of the next one = n % season). */
  n: number;
  /** One-step residual standard deviation. */
  sigma: number;
  /** Clip threshold for errors (3 robust standard deviations of first differences). */
  clip: number;
  /** AIC of the fit (lower is better). */
  aic: number;
}

function run(y: ArrayLike<number>, spec: EtsSpec, p: EtsParams, init: { level: number; trend: number; season: Float64Array }, clip: number): { sse: number; level: number; trend: number; season: Float64Array } {
  const n = y.length;
  const m = spec.season;
  const alpha = p.alpha;
  const beta = spec.damped ? p.beta : 0;
  const phi = spec.damped ? p.phi : 0;
  const gamma = p.gamma;
  let l = init.level;
  let b = spec.damped ? init.trend : 0;
  let sse = 0;
  const s = Float64Array.from(init.season);
  if (m === 0) {
    for (let t = 0; t < n; t++) {
      const e = y[t] - (l + phi * b);
      sse += e * e;
      const ec = e > clip ? clip : e < -clip ? -clip : e;
      l = l + phi * b + alpha * ec;
      b = phi * b + beta * ec;
    }
  } else {
    let k = 0;
    for (let t = 0; t < n; t++) {
      const sk = s[k];
      const e = y[t] - (l + phi * b + sk);
      sse += e * e;
      const ec = e > clip ? clip : e < -clip ? -clip : e;
      l = l + phi * b + alpha * ec;
      b = phi * b + beta * ec;
      s[k] = sk + gamma * ec;
      if (++k === m) k = 0;
    }
  }
  return { sse, level: l, trend: b, season: s };
}

function initialStates(y: ArrayLike<number>, spec: EtsSpec, seasonInit?: ArrayLike<number>): { level: number; trend: number; season: Float64Array } {
  const m = spec.season;
  const w = Math.min(y.length, Math.max(m, 10));
  const season = new Float64Array(m);
  if (m > 0 && seasonInit) for (let k = 0; k < m; k++) season[k] = seasonInit[k];
  let a = 0;
  for (let i = 0; i < w; i++) a += y[i] - (m > 0 ? season[i % m] : 0);
  a /= w;
  let trend = 0;
  if (spec.damped && y.length >= 2 * w) {
    let c = 0;
    for (let i = w; i < 2 * w; i++) c += y[i] - (m > 0 ? season[i % m] : 0);
    trend = (c / w - a) / w;
  }
  return { level: a, trend, season };
}

const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99];
const BETAS = [0.0, 0.01, 0.05, 0.15];
const PHIS = [0.8, 0.9, 0.95, 0.98];
const GAMMAS = [0.01, 0.05, 0.15];

/**
 * Fits one ETS variant on `y` (finite values, oldest first).
 * @param seasonInit initial seasonal states by phase (e.g. an MSTL profile); zeros when omitted
 */
export function etsFit(y: ArrayLike<number>, spec: EtsSpec, seasonInit?: ArrayLike<number>): EtsState {
  const n = y.length;
  const init = initialStates(y, spec, seasonInit);
  const diffs = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) diffs[i - 1] = y[i] - y[i - 1];
  const rs = madSigma(diffs);
  const clip = rs > 0 ? 3 * rs : Infinity;
  let best: EtsParams = { alpha: 0.5, beta: 0, gamma: 0, phi: 1 };
  let bestSse = Infinity;
  const tryP = (p: EtsParams): void => {
    const r = run(y, spec, p, init, clip);
    if (r.sse < bestSse) {
      bestSse = r.sse;
      best = p;
    }
  };
  // Coordinate search: alpha on a grid (with a mild trend and seasonal update), then the trend
  // pair (beta, phi) and gamma at that alpha, then alpha again, then a local refinement of alpha.
  const g0 = spec.season > 0 ? 0.05 : 0;
  const b0 = spec.damped ? 0.01 : 0;
  const f0 = spec.damped ? 0.95 : 0;
  for (const alpha of ALPHAS) tryP({ alpha, beta: Math.min(b0, alpha), gamma: Math.min(g0, 1 - alpha), phi: f0 });
  if (spec.damped) {
    const a = best.alpha;
    for (const beta of BETAS) for (const phi of PHIS) if (beta <= a) tryP({ ...best, alpha: a, beta, phi });
  }
  if (spec.season > 0) {
    const base = best;
    for (const gamma of GAMMAS) tryP({ ...base, gamma: Math.min(gamma, 1 - base.alpha) });
  }
  if (spec.damped || spec.season > 0) {
    const base = best;
    for (const alpha of ALPHAS) if (alpha >= base.beta) tryP({ ...base, alpha, gamma: Math.min(base.gamma, 1 - alpha) });
  }
  const r = run(y, spec, best, init, clip);
  const k = 2 + (spec.damped ? 3 : 0) + (spec.season > 0 ? 1 : 0);
  const sigma = Math.sqrt(bestSse / Math.max(1, n - k));
  const aic = n * Math.log(Math.max(bestSse, 1e-300) / n) + 2 * k;
  return { spec, params: best, level: r.level, trend: r.trend, season: Array.from(r.season), n, sigma, clip, aic };
}

/** Absorbs new observations into a fitted state (parameters unchanged), O(values.length). */
export function etsUpdate(state: EtsState, values: ArrayLike<number>): EtsState {
  const m = state.spec.season;
  const p = state.params;
  let l = state.level;
  let b = state.trend;
  const s = [...state.season];
  let n = state.n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const k = m > 0 ? n % m : 0;
    const sk = m > 0 ? s[k] : 0;
    const e = v - (l + p.phi * b + sk);
    const ec = e > state.clip ? state.clip : e < -state.clip ? -state.clip : e;
    l = l + p.phi * b + p.alpha * ec;
    b = state.spec.damped ? p.phi * b + p.beta * ec : 0;
    if (m > 0) s[k] = sk + p.gamma * ec;
    n++;
  }
  return { ...state, level: l, trend: b, season: s, n };
}

/** Mean and standard deviation per step for `horizon` steps after the state's last observation. */
export function etsForecast(state: EtsState, horizon: number): { mean: Float64Array; sigma: Float64Array } {
  const { spec, params: p } = state;
  const m = spec.season;
  const mean = new Float64Array(horizon);
  const sigma = new Float64Array(horizon);
  let phiSum = 0;
  let varSum = 0;
  let phiPow = 1;
  for (let h = 1; h <= horizon; h++) {
    phiPow *= spec.damped ? p.phi : 0;
    phiSum += phiPow;
    const sk = m > 0 ? state.season[(state.n + h - 1) % m] : 0;
    mean[h - 1] = state.level + phiSum * state.trend + sk;
    sigma[h - 1] = state.sigma * Math.sqrt(1 + varSum);
    // c_h for the next step's variance: alpha + beta * phi_h + gamma * [h is a multiple of m]
    const c = p.alpha + (spec.damped ? p.beta * phiSum : 0) + (m > 0 && h % m === 0 ? p.gamma : 0);
    varSum += c * c;
  }
  return { mean, sigma };
}
