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

interface LevelIndex {
  readonly levels: number[];
  readonly arrays: ReadonlyArray<readonly number[]>;
}
/** Sorted levels and their arrays per forecast (a memo: forecasts are immutable values). */
const levelIndex = new WeakMap<Forecast, LevelIndex>();

function indexOf(f: Forecast): LevelIndex {
  let ix = levelIndex.get(f);
  if (!ix) {
    const keys = Object.keys(f.quantiles).sort((a, b) => Number(a) - Number(b));
    ix = { levels: keys.map(Number), arrays: keys.map((k) => f.quantiles[k]) };
    levelIndex.set(f, ix);
  }
  return ix;
}

/** Quantile `level` at step `h`, interpolating linearly between stored levels and clamping to the outermost ones. */
function quantileAtStep(ix: LevelIndex, level: QuantileLevel, h: number): number {
  const { levels, arrays } = ix;
  const n = levels.length;
  if (level <= levels[0]) return arrays[0][h];
  if (level >= levels[n - 1]) return arrays[n - 1][h];
  for (let i = 1; i < n; i++) {
    if (level <= levels[i]) {
      const w = (level - levels[i - 1]) / (levels[i] - levels[i - 1]);
      return arrays[i - 1][h] * (1 - w) + arrays[i][h] * w;
    }
  }
  return arrays[n - 1][h];
}

/**
 * The one quantile reader of a forecast, by step: quantile `level` at step `h` (0-based),
 * interpolating linearly between the nearest stored levels, and clamping to the outermost ones.
 * {@link forecastAt} reads the same values by time.
 * @throws Error when the forecast has no quantiles at all
 */
export function forecastQuantile(f: Forecast, level: QuantileLevel, h: number): number {
  const ix = indexOf(f);
  if (ix.levels.length === 0) throw new Error(`forecast ${f.seriesId} has no quantiles`);
  return quantileAtStep(ix, level, h);
}

/**
 * The same reader by time: quantile `level` of forecast `f` at epoch second `tSec`, interpolating
 * between steps and clamping to the forecast's span, never below 0 (demand units); 0 when `f` is
 * absent or has no quantiles.
 */
export function forecastAt(f: Forecast | undefined, level: QuantileLevel, tSec: number): number {
  if (!f || f.mean.length === 0) return 0;
  const ix = indexOf(f);
  if (ix.levels.length === 0) return 0;
  const x = (tSec - f.originSec) / f.periodSec - 1;
  const last = f.mean.length - 1;
  if (x <= 0) return Math.max(0, quantileAtStep(ix, level, 0));
  if (x >= last) return Math.max(0, quantileAtStep(ix, level, last));
  const i = Math.floor(x);
  const w = x - i;
  return Math.max(0, quantileAtStep(ix, level, i) * (1 - w) + quantileAtStep(ix, level, i + 1) * w);
}
