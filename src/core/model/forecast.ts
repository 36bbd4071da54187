/**
 * Forecast output shared by every model (Nixtla statsforecast's convention: a `mean` plus quantiles).
 */

/** Quantile levels the planner may ask for, as probabilities in (0, 1). */
export type QuantileLevel = number;

/**
 * A probabilistic forecast of one series over `horizon` steps after `originSec`.
 * `mean[h]` and every `quantiles[q][h]` describe the period starting at
 * `originSec + (h + 1) * periodSec`... i.e. step h+1 after the last observed period.
 */
export interface Forecast {
  /** Series id this forecast belongs to. */
  readonly seriesId: string;
  /** Name of the model (or ensemble) that produced it, e.g. "arima(2,1,1)" or "ensemble". */
  readonly model: string;
  /** Epoch seconds of the start of the last observed period. */
  readonly originSec: number;
  /** Step of the forecast, equal to the series' `periodSec`. */
  readonly periodSec: number;
  /** Point forecast per step (length = horizon). */
  readonly mean: readonly number[];
  /**
   * Quantile forecasts keyed by level as a string with two decimals at most, e.g. "0.1", "0.5", "0.9", "0.95".
   * Each array has the horizon's length and is non-decreasing across levels at every step.
   */
  readonly quantiles: Readonly<Record<string, readonly number[]>>;
  /** Notes worth surfacing (fallbacks taken, short history...). */
  readonly notes?: readonly string[];
}

/** Key used in {@link Forecast.quantiles} for a level (0.9 → "0.9", 0.95 → "0.95"). */
export function quantileKey(level: QuantileLevel): string {
  return String(Math.round(level * 1000) / 1000);
}

/**
 * Reads quantile `level` at step `h` (0-based) from a forecast, interpolating linearly between the
 * nearest stored levels, and clamping to the outermost ones.
 * @throws Error when the forecast has no quantiles at all
 */
export function forecastQuantile(f: Forecast, level: QuantileLevel, h: number): number {
  const levels = Object.keys(f.quantiles).map(Number).sort((a, b) => a - b);
  if (levels.length === 0) throw new Error(`forecast ${f.seriesId} has no quantiles`);
  const at = (l: number): number => f.quantiles[quantileKey(l)][h];
  if (level <= levels[0]) return at(levels[0]);
  if (level >= levels[levels.length - 1]) return at(levels[levels.length - 1]);
  for (let i = 1; i < levels.length; i++) {
    if (level <= levels[i]) {
      const lo = levels[i - 1];
      const hi = levels[i];
      const w = (level - lo) / (hi - lo);
      return at(lo) * (1 - w) + at(hi) * w;
    }
  }
  return at(levels[levels.length - 1]);
}
