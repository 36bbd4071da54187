/**
 * The behaviour model's arrival part (seed 003, component 1; issue 19 item 6): per principal and
 * workflow, how many chains will be requested in the next 5–15 minutes, as a forecast with
 * quantiles, learned online from the arrivals seen so far.
 *
 * Rate model, per key (principal × workflow):
 * - seasonal: the arrivals per second observed in the same hour of the day, × a day-of-week factor
 *   (that weekday's rate ÷ the key's overall rate, shrunk toward 1 with a prior of
 *   {@link ArrivalRateOptions.dayOfWeekPriorArrivals} arrivals, the usual empirical-Bayes shrinkage);
 * - recent activity: an exponentially weighted rate of the last arrivals (half-life
 *   {@link ArrivalRateOptions.recentHalfLifeSec});
 * - the forecast rate is their mean weighted by how much history each has (`w = days observed ÷
 *   (days observed + 1)` for the seasonal part), integrated over the horizon's hours.
 * Quantiles are Poisson quantiles of the forecast mean (arrivals of independent callers; a
 * documented simplification that under-covers bursty callers, measured by {@link arrivalForecastError}).
 * Pure: time comes from the arrivals and the caller's `nowSec`.
 */

/** A key of the model. */
export interface ArrivalKey {
  readonly principal: string;
  readonly workflow: string;
}

/** Options of {@link ArrivalRateModel}. */
export interface ArrivalRateOptions {
  /** Half-life of the recent-activity rate, seconds. @default 900 */
  readonly recentHalfLifeSec?: number;
  /** Prior weight of the day-of-week factor, in arrivals. @default 20 */
  readonly dayOfWeekPriorArrivals?: number;
  /** UTC offset of the callers' day, seconds (hour of day and weekday are local). @default 0 */
  readonly utcOffsetSec?: number;
}

/** A forecast of arrivals of one key over `[fromSec, fromSec + horizonSec)`. */
export interface ArrivalForecast extends ArrivalKey {
  readonly fromSec: number;
  readonly horizonSec: number;
  /** Expected arrivals. */
  readonly mean: number;
  /** Poisson quantiles of the count: `p10`, `p50`, `p90`. */
  readonly quantiles: Readonly<Record<'p10' | 'p50' | 'p90', number>>;
}

/** One key's counts (plain data: JSON-serialisable, part of {@link ArrivalRateState}). */
export interface ArrivalKeyState {
  readonly key: ArrivalKey;
  /** Arrivals per hour of day (24 entries) and per weekday (7 entries). */
  readonly byHour: number[];
  readonly byDow: number[];
  total: number;
  /** Decayed recent count and the time it refers to, epoch seconds. */
  recent: number;
  recentAtSec: number;
}

/**
 * Everything an {@link ArrivalRateModel} has learned, as plain data (JSON-serialisable; the tick
 * keeps it in its memory): the keys' counts by `principal\u0000workflow` and the first and last
 * arrival times, epoch seconds.
 */
export interface ArrivalRateState {
  readonly keys: Record<string, ArrivalKeyState>;
  firstSec?: number;
  lastSec?: number;
}

/** An empty {@link ArrivalRateState}. */
export function emptyArrivalRateState(): ArrivalRateState {
  return { keys: {} };
}

type KeyState = ArrivalKeyState;

const HOUR = 3600;
const DAY = 86_400;

/**
 * Smallest k with P(N ≤ k) ≥ q for N ~ Poisson(mean) (inversion of the CDF; normal approximation
 * above a mean of 500).
 */
export function poissonQuantile(mean: number, q: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normalQuantile(q)));
  let p = Math.exp(-mean);
  let cdf = p;
  let k = 0;
  while (cdf < q && k < 10_000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628274631];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) { const q = Math.sqrt(-2 * Math.log(p)); return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  if (p > 1 - pl) { const q = Math.sqrt(-2 * Math.log(1 - p)); return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** See module doc. */
export class ArrivalRateModel {
  private readonly halfLifeSec: number;
  private readonly dowPrior: number;
  private readonly offsetSec: number;

  /**
   * @param state the learned counts, updated in place by {@link observe} (a fresh one by default)
   */
  constructor(opts: ArrivalRateOptions = {}, readonly state: ArrivalRateState = emptyArrivalRateState()) {
    this.halfLifeSec = opts.recentHalfLifeSec ?? 900;
    this.dowPrior = opts.dayOfWeekPriorArrivals ?? 20;
    this.offsetSec = opts.utcOffsetSec ?? 0;
  }

  /** Epoch seconds of the last arrival observed (undefined before any). */
  get lastSec(): number | undefined {
    return this.state.lastSec;
  }

  /**
   * Records one arrival. Arrivals must come in time order.
   * @throws Error when `atSec` is earlier than the previous arrival
   */
  observe(key: ArrivalKey, atSec: number): void {
    const st = this.state;
    if (st.lastSec !== undefined && atSec < st.lastSec) throw new Error(`arrival at ${atSec} s is before the previous one (${st.lastSec} s): expected time order`);
    st.firstSec ??= atSec;
    st.lastSec = atSec;
    const s = this.keyState(key, atSec);
    const local = atSec + this.offsetSec;
    s.byHour[Math.floor((((local % DAY) + DAY) % DAY) / HOUR)]++;
    s.byDow[dayOfWeek(local)]++;
    s.total++;
    s.recent = s.recent * this.decay(atSec - s.recentAtSec) + 1;
    s.recentAtSec = atSec;
  }

  /** Keys seen so far, in first-seen order. */
  knownKeys(): ArrivalKey[] {
    return Object.values(this.state.keys).map((s) => s.key);
  }

  /**
   * Forecast of every known key's arrivals over `[nowSec, nowSec + horizonSec)`.
   * @param horizonSec 300–900 in use (5–15 minutes); any positive value works
   */
  forecast(nowSec: number, horizonSec: number): ArrivalForecast[] {
    return Object.values(this.state.keys).map((s) => this.forecastOf(s, nowSec, horizonSec));
  }

  /** Forecast of one key (zero when never seen). */
  forecastKey(key: ArrivalKey, nowSec: number, horizonSec: number): ArrivalForecast {
    const s = Object.hasOwn(this.state.keys, keyId(key)) ? this.state.keys[keyId(key)] : undefined;
    if (!s) return { ...key, fromSec: nowSec, horizonSec, mean: 0, quantiles: { p10: 0, p50: 0, p90: 0 } };
    return this.forecastOf(s, nowSec, horizonSec);
  }

  private forecastOf(s: KeyState, nowSec: number, horizonSec: number): ArrivalForecast {
    const observedSec = Math.max(1, nowSec - (this.state.firstSec ?? nowSec));
    const days = observedSec / DAY;
    // recent rate: the decayed count over the decay's time constant (τ = half-life / ln 2)
    const tau = this.halfLifeSec / Math.LN2;
    const recentRate = (s.recent * this.decay(nowSec - s.recentAtSec)) / Math.min(tau, observedSec);
    let seasonalArrivals = 0;
    const overallRate = s.total / observedSec;
    for (let t = nowSec; t < nowSec + horizonSec; t += HOUR) {
      const span = Math.min(HOUR - (((t + this.offsetSec) % HOUR) + HOUR) % HOUR, nowSec + horizonSec - t);
      const local = t + this.offsetSec;
      const hourRate = s.byHour[Math.floor((((local % DAY) + DAY) % DAY) / HOUR)] / (Math.max(1, days) * HOUR);
      const dow = dayOfWeek(local);
      const weeks = Math.max(1, days / 7);
      const dowRate = s.byDow[dow] / (weeks * DAY);
      const factor = overallRate > 0 ? (dowRate / overallRate * s.byDow[dow] + this.dowPrior) / (s.byDow[dow] + this.dowPrior) : 1;
      seasonalArrivals += hourRate * (days >= 7 ? factor : 1) * span;
      if (span <= 0) break;
    }
    const w = days / (days + 1);
    const mean = Math.max(0, w * seasonalArrivals + (1 - w) * recentRate * horizonSec);
    return {
      ...s.key, fromSec: nowSec, horizonSec, mean,
      quantiles: { p10: poissonQuantile(mean, 0.1), p50: poissonQuantile(mean, 0.5), p90: poissonQuantile(mean, 0.9) },
    };
  }

  private decay(dtSec: number): number {
    return Math.pow(0.5, Math.max(0, dtSec) / this.halfLifeSec);
  }

  private keyState(key: ArrivalKey, atSec: number): KeyState {
    const id = keyId(key);
    let s = Object.hasOwn(this.state.keys, id) ? this.state.keys[id] : undefined;
    if (!s) this.state.keys[id] = s = { key: { principal: key.principal, workflow: key.workflow }, byHour: new Array<number>(24).fill(0), byDow: new Array<number>(7).fill(0), total: 0, recent: 0, recentAtSec: atSec };
    return s;
  }
}

function keyId(k: ArrivalKey): string {
  return `${k.principal}\u0000${k.workflow}`;
}

/** Weekday 0..6 of epoch seconds (0 = Thursday 1970-01-01; only differences matter). */
function dayOfWeek(sec: number): number {
  return ((Math.floor(sec / DAY) % 7) + 7) % 7;
}

/**
 * Probability of each workflow a principal will request next, from the arrival forecasts: each
 * workflow's expected arrivals ÷ the principal's total (uniform over the forecasts given when the
 * total is 0).
 * @returns workflow → probability, summing to 1 (empty when the principal has no forecast)
 */
export function workflowProbabilities(forecasts: readonly ArrivalForecast[], principal: string): Record<string, number> {
  const mine = forecasts.filter((f) => f.principal === principal);
  const total = mine.reduce((a, f) => a + f.mean, 0);
  return Object.fromEntries(mine.map((f) => [f.workflow, total > 0 ? f.mean / total : 1 / mine.length]));
}

/** Arrival forecast error of one workflow over a replayed history. */
export interface ArrivalForecastError {
  readonly workflow: string;
  /** Forecast origins evaluated. */
  readonly origins: number;
  /** MASE (Hyndman & Koehler 2006): MAE of the forecast ÷ MAE of the naive forecast (the previous window's count), same origins. */
  readonly mase: number;
  /** MAE of the forecast ÷ MAE of the seasonal-naive forecast (the count of the same window one day earlier), same origins. */
  readonly maseSeasonal: number;
  /** Mean pinball (quantile) loss over p10, p50 and p90, arrivals per window (Koenker & Bassett 1978). */
  readonly pinball: number;
  /** The same loss of the seasonal-naive quantiles: Poisson quantiles of the count one day earlier. */
  readonly pinballSeasonalNaive: number;
  /** Share of windows whose count fell in [p10, p90]. */
  readonly coverage80: number;
}

/** Pinball loss of quantile `q` at level `tau` for outcome `y`. */
export function pinballLoss(y: number, q: number, tau: number): number {
  return y >= q ? tau * (y - q) : (1 - tau) * (q - y);
}

const LEVELS = [['p10', 0.1], ['p50', 0.5], ['p90', 0.9]] as const;

/**
 * Replays `arrivals` (time order) through a fresh {@link ArrivalRateModel} and, every `horizonSec`
 * from `warmupSec` after the first arrival, compares each workflow's forecast of the next window
 * (summed over principals) with the count that arrived. Two baselines at the same origins: the naive
 * forecast (the count of the window before: the MASE scale) and the seasonal-naive one (the count of
 * the same window a day before, with Poisson quantiles; `warmupSec` should be at least a day).
 */
export function arrivalForecastError(arrivals: ReadonlyArray<ArrivalKey & { readonly atSec: number }>, horizonSec: number, warmupSec: number, opts: ArrivalRateOptions = {}): ArrivalForecastError[] {
  if (arrivals.length === 0) return [];
  const model = new ArrivalRateModel(opts);
  const workflows = [...new Set(arrivals.map((a) => a.workflow))].sort();
  const acc = new Map(workflows.map((w) => [w, { n: 0, err: 0, naive: 0, seasonal: 0, pin: 0, pinSeasonal: 0, inside: 0 }]));
  const timesOf = new Map(workflows.map((w) => [w, arrivals.filter((a) => a.workflow === w).map((a) => a.atSec)]));
  const countIn = (w: string, from: number, to: number): number => { const t = timesOf.get(w)!; return lowerBound(t, to) - lowerBound(t, from); };
  const start = arrivals[0].atSec;
  const end = arrivals[arrivals.length - 1].atSec;
  let i = 0;
  for (let t = start + warmupSec; t + horizonSec <= end; t += horizonSec) {
    while (i < arrivals.length && arrivals[i].atSec < t) { model.observe(arrivals[i], arrivals[i].atSec); i++; }
    const fc = model.forecast(t, horizonSec);
    for (const w of workflows) {
      const mine = fc.filter((f) => f.workflow === w);
      const mean = mine.reduce((a, f) => a + f.mean, 0);
      const quantiles = Object.fromEntries(LEVELS.map(([k]) => [k, mine.reduce((a, f) => a + f.quantiles[k], 0)])) as Record<'p10' | 'p50' | 'p90', number>;
      const y = countIn(w, t, t + horizonSec);
      const lastDay = countIn(w, t - DAY, t - DAY + horizonSec);
      const e = acc.get(w)!;
      e.n++;
      e.err += Math.abs(y - mean);
      e.naive += Math.abs(y - countIn(w, t - horizonSec, t));
      e.seasonal += Math.abs(y - lastDay);
      e.pin += LEVELS.reduce((a, [k, tau]) => a + pinballLoss(y, quantiles[k], tau), 0) / LEVELS.length;
      e.pinSeasonal += LEVELS.reduce((a, [, tau]) => a + pinballLoss(y, poissonQuantile(lastDay, tau), tau), 0) / LEVELS.length;
      if (y >= quantiles.p10 && y <= quantiles.p90) e.inside++;
    }
  }
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : a === 0 ? 0 : Infinity);
  return workflows.map((w) => {
    const e = acc.get(w)!;
    if (e.n === 0) return { workflow: w, origins: 0, mase: NaN, maseSeasonal: NaN, pinball: NaN, pinballSeasonalNaive: NaN, coverage80: NaN };
    return { workflow: w, origins: e.n, mase: ratio(e.err, e.naive), maseSeasonal: ratio(e.err, e.seasonal), pinball: e.pin / e.n, pinballSeasonalNaive: e.pinSeasonal / e.n, coverage80: e.inside / e.n };
  });
}

/** Index of the first element of sorted `xs` that is ≥ `x`. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}
