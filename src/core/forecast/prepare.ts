/**
 * Input checking and cleaning shared by every forecaster: validates a {@link ForecastRequest},
 * fills gaps, and turns a model's mean and spread into the {@link Forecast} the planner reads.
 */
import { InputError } from '../model/errors.js';
import { quantileKey, type Forecast } from '../model/forecast.js';
import { normalQuantile } from './stats.js';
import type { ForecastRequest } from './types.js';

/** A cleaned series: finite values only, and what was done to get there. */
export interface CleanSeries {
  /** Finite values, oldest first. */
  readonly y: Float64Array;
  /** Epoch seconds of `y[0]` (leading gaps are dropped, so this can be later than the request's). */
  readonly startSec: number;
  /** Remarks for `Forecast.notes`. */
  readonly notes: string[];
}

/**
 * Validates a request.
 * @throws InputError when `horizon` is not an integer >= 1, `periodSec` is not > 0, a quantile is
 *   outside (0, 1), or `values` has no finite value
 */
export function validateRequest(req: ForecastRequest): void {
  const file = req.seriesId;
  if (!Number.isInteger(req.horizon) || req.horizon < 1) throw new InputError({ file, field: 'horizon' }, req.horizon, 'an integer >= 1');
  if (!(req.periodSec > 0)) throw new InputError({ file, field: 'periodSec' }, req.periodSec, 'a number of seconds > 0');
  for (const q of req.quantiles) {
    if (!(q > 0 && q < 1)) throw new InputError({ file, field: 'quantiles' }, q, 'a probability in (0, 1)');
  }
  if (!req.values.some((v) => Number.isFinite(v))) throw new InputError({ file, field: 'values' }, `${req.values.length} values, none finite`, 'at least one finite value');
}

/**
 * Drops leading gaps, fills interior gaps by linear interpolation and trailing gaps by carrying the
 * last value forward (non-finite values such as NaN and ±Infinity count as gaps).
 */
export function cleanValues(values: readonly number[], startSec: number, periodSec: number): CleanSeries {
  const notes: string[] = [];
  let first = 0;
  while (first < values.length && !Number.isFinite(values[first])) first++;
  const y = new Float64Array(values.length - first);
  let gaps = 0;
  let lastIdx = -1;
  for (let i = first; i < values.length; i++) {
    const v = values[i];
    const k = i - first;
    if (Number.isFinite(v)) {
      if (lastIdx >= 0 && k - lastIdx > 1) {
        const a = y[lastIdx];
        for (let j = lastIdx + 1; j < k; j++) y[j] = a + ((v - a) * (j - lastIdx)) / (k - lastIdx);
      }
      y[k] = v;
      lastIdx = k;
    } else gaps++;
  }
  for (let j = lastIdx + 1; j < y.length; j++) y[j] = y[lastIdx];
  if (first > 0) notes.push(`dropped ${first} leading gap value(s)`);
  if (gaps > 0) notes.push(`filled ${gaps} gap value(s) by interpolation`);
  return { y, startSec: startSec + first * periodSec, notes };
}

/**
 * Builds a {@link Forecast} from a mean and per-level bounds. Quantiles are `mean + z * scale[h]`
 * where `z` is the normal quantile unless `quantileOffsets` gives an explicit offset per level;
 * values are clamped at 0 when `nonNegative`, and made non-decreasing across levels.
 */
export function buildForecast(
  req: ForecastRequest,
  model: string,
  mean: ArrayLike<number>,
  scale: ArrayLike<number>,
  notes: readonly string[],
  quantileOffsets?: (level: number, h: number) => number,
): Forecast {
  const nonNegative = req.nonNegative !== false;
  const H = req.horizon;
  const clamp = (v: number): number => (nonNegative && v < 0 ? 0 : v);
  const m: number[] = [];
  for (let h = 0; h < H; h++) m.push(clamp(Number.isFinite(mean[h]) ? mean[h] : 0));
  const levels = [...new Set(req.quantiles)].sort((a, b) => a - b);
  const quantiles: Record<string, number[]> = {};
  const rows = levels.map((q) => {
    const row: number[] = [];
    for (let h = 0; h < H; h++) {
      const off = quantileOffsets ? quantileOffsets(q, h) : normalQuantile(q) * scale[h];
      row.push(clamp(mean[h] + (Number.isFinite(off) ? off : 0)));
    }
    return row;
  });
  for (let i = 1; i < rows.length; i++) for (let h = 0; h < H; h++) if (rows[i][h] < rows[i - 1][h]) rows[i][h] = rows[i - 1][h];
  levels.forEach((q, i) => (quantiles[quantileKey(q)] = rows[i]));
  const originSec = req.startSec + (req.values.length - 1) * req.periodSec;
  const out: Forecast = { seriesId: req.seriesId, model, originSec, periodSec: req.periodSec, mean: m, quantiles };
  return notes.length > 0 ? { ...out, notes: [...notes] } : out;
}
