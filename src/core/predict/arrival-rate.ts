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

interface KeyState {
  readonly key: ArrivalKey;
  /** Arrivals per hour of day and per weekday. */
  readonly byHour: Float64Array;
  readonly byDow: Float64Array;
  total: number;
  /** Decayed recent count and the time it refers to. */
  recent: number;
  recentAtSec: number;
}

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
  private readonly keys = new Map<string, KeyState>();
  private firstSec: number | undefined;
  private lastSec: number | undefined;
  private readonly halfLifeSec: number;
  private readonly dowPrior: number;
  private readonly offsetSec: number;

  constructor(opts: ArrivalRateOptions = {}) {
    this.halfLifeSec = opts.recentHalfLifeSec ?? 900;
    this.dowPrior = opts.dayOfWeekPriorArrivals ?? 20;
    this.offsetSec = opts.utcOffsetSec ?? 0;
  }

  /**
   * Records one arrival. Arrivals must come in time order.
   * @throws Error when `atSec` is earlier than the previous arrival
   */
  observe(key: ArrivalKey, atSec: number): void {
    if (this.lastSec !== undefined && atSec < this.lastSec) throw new Error(`arrival at ${atSec} s is before the previous one (${this.lastSec} s): expected time order`);
    this.firstSec ??= atSec;
    this.lastSec = atSec;
    const s = this.state(key, atSec);
    const local = atSec + this.offsetSec;
    s.byHour[Math.floor((((local % DAY) + DAY) % DAY) / HOUR)]++;
    s.byDow[dayOfWeek(local)]++;
    s.total++;
    s.recent = s.recent * this.decay(atSec - s.recentAtSec) + 1;
    s.recentAtSec = atSec;
  }

  /** Keys seen so far, in first-seen order. */
  knownKeys(): ArrivalKey[] {
    return [...this.keys.values()].map((s) => s.key);
  }

  /**
   * Forecast of every known key's arrivals over `[nowSec, nowSec + horizonSec)`.
   * @param horizonSec 300–900 in use (5–15 minutes); any positive value works
   */
  forecast(nowSec: number, horizonSec: number): ArrivalForecast[] {
    return [...this.keys.values()].map((s) => this.forecastOf(s, nowSec, horizonSec));
  }

  /** Forecast of one key (zero when never seen). */
  forecastKey(key: ArrivalKey, nowSec: number, horizonSec: number): ArrivalForecast {
    const s = this.keys.get(keyId(key));
    if (!s) return { ...key, fromSec: nowSec, horizonSec, mean: 0, quantiles: { p10: 0, p50: 0, p90: 0 } };
    return this.forecastOf(s, nowSec, horizonSec);
  }

  private forecastOf(s: KeyState, nowSec: number, horizonSec: number): ArrivalForecast {
    const observedSec = Math.max(1, nowSec - (this.firstSec ?? nowSec));
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

  private state(key: ArrivalKey, atSec: number): KeyState {
    const id = keyId(key);
    let s = this.keys.get(id);
    if (!s) this.keys.set(id, (s = { key: { principal: key.principal, workflow: key.workflow }, byHour: new Float64Array(24), byDow: new Float64Array(7), total: 0, recent: 0, recentAtSec: atSec }));
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
  /** Share of windows whose count fell in [p10, p90]. */
  readonly coverage80: number;
}

/**
 * Replays `arrivals` (time order) through a fresh {@link ArrivalRateModel} and, every `horizonSec`
 * from `warmupSec` after the first arrival, compares each workflow's forecast of the next window
 * (summed over principals) with the count that arrived. The naive forecast for the MASE scale is the
 * count of the window before.
 */
export function arrivalForecastError(arrivals: ReadonlyArray<ArrivalKey & { readonly atSec: number }>, horizonSec: number, warmupSec: number, opts: ArrivalRateOptions = {}): ArrivalForecastError[] {
  if (arrivals.length === 0) return [];
  const model = new ArrivalRateModel(opts);
  const workflows = [...new Set(arrivals.map((a) => a.workflow))].sort();
  const acc = new Map(workflows.map((w) => [w, { n: 0, err: 0, naive: 0, inside: 0 }]));
  const start = arrivals[0].atSec;
  const end = arrivals[arrivals.length - 1].atSec;
  let i = 0;
  for (let t = start + warmupSec; t + horizonSec <= end; t += horizonSec) {
    while (i < arrivals.length && arrivals[i].atSec < t) { model.observe(arrivals[i], arrivals[i].atSec); i++; }
    const fc = model.forecast(t, horizonSec);
    const actual = new Map<string, number>();
    for (let j = i; j < arrivals.length && arrivals[j].atSec < t + horizonSec; j++) actual.set(arrivals[j].workflow, (actual.get(arrivals[j].workflow) ?? 0) + 1);
    const last = new Map<string, number>();
    for (let j = i - 1; j >= 0 && arrivals[j].atSec >= t - horizonSec; j--) last.set(arrivals[j].workflow, (last.get(arrivals[j].workflow) ?? 0) + 1);
    for (const w of workflows) {
      const mine = fc.filter((f) => f.workflow === w);
      const mean = mine.reduce((a, f) => a + f.mean, 0);
      const lo = mine.reduce((a, f) => a + f.quantiles.p10, 0);
      const hi = mine.reduce((a, f) => a + f.quantiles.p90, 0);
      const y = actual.get(w) ?? 0;
      const e = acc.get(w)!;
      e.n++;
      e.err += Math.abs(y - mean);
      e.naive += Math.abs(y - (last.get(w) ?? 0));
      if (y >= lo && y <= hi) e.inside++;
    }
  }
  return workflows.map((w) => {
    const e = acc.get(w)!;
    return { workflow: w, origins: e.n, mase: e.n === 0 ? NaN : e.naive > 0 ? e.err / e.naive : e.err === 0 ? 0 : Infinity, coverage80: e.n === 0 ? NaN : e.inside / e.n };
  });
}
