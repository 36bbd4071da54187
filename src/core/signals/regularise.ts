/**
 * Regularisation of raw metric points onto a fixed grid (DESIGN.md "metric series").
 *
 * Readers (CSV, CloudWatch JSON, traces) produce raw `(tSec, value)` points in time order; this turns
 * them into a {@link MetricSeries} with one value per `periodSec`, and says what it did in a
 * {@link RegularisationReport}. Pure: no I/O, no clock.
 */
import { InputError } from '../model/errors.js';
import type { MetricSeries, RegularisationReport } from '../model/series.js';

/** One raw observation. */
export interface RawPoint {
  /** Epoch seconds of the observation. */
  readonly tSec: number;
  /** Observed value (finite). */
  readonly value: number;
  /** 1-based line of the source file it came from, for error messages; absent: its 1-based position. */
  readonly line?: number;
  /** The timestamp as written in the source, shown in error messages; absent: `tSec`. */
  readonly timestampText?: string;
}

/** Options of {@link regularise}. */
export interface RegulariseOptions {
  /** Series id (file base name, CloudWatch query id, ...). */
  readonly id: string;
  /**
   * Grid step in seconds.
   * @default the median of the positive raw steps; {@link DEFAULT_SINGLE_POINT_PERIOD_SEC} for a single point
   */
  readonly periodSec?: number;
  /** Source file, named in errors. */
  readonly file?: string;
  /**
   * Gaps of at most this many consecutive missing periods are filled by linear interpolation between
   * their neighbours; longer gaps stay `NaN`.
   * @default {@link DEFAULT_MAX_GAP_FILL_PERIODS}
   */
  readonly maxGapFillPeriods?: number;
  /** Unit as read (informative), copied to the series. */
  readonly unit?: string;
}

/**
 * Short gaps filled by default: 3 periods (15 minutes at CloudWatch's 5-minute basic monitoring).
 * Longer holes are left as `NaN` so forecasters see them rather than invented data.
 */
export const DEFAULT_MAX_GAP_FILL_PERIODS = 3;

/** Step assumed for a one-point series when none is forced: 60 s, CloudWatch's standard resolution. */
export const DEFAULT_SINGLE_POINT_PERIOD_SEC = 60;

/**
 * Upper bound on grid length (periods), to refuse a grid that would not fit in memory, e.g. epoch
 * milliseconds read as seconds with a small forced period. 20 M periods = 38 years of minutes.
 */
export const MAX_GRID_PERIODS = 20_000_000;

/**
 * Puts raw points on a regular grid.
 *
 * - Step: `opts.periodSec` when given, else the median positive raw step.
 * - Grid: starts at the first timestamp rounded down to a multiple of the step (so series read from
 *   different files line up, like CloudWatch's period boundaries); point `t` falls in period
 *   `floor((t - startSec) / periodSec)`.
 * - Duplicates: several points in one period are merged by their mean; each extra point is counted in
 *   `duplicatesMerged`.
 * - Gaps: empty periods are counted in `gapPeriods`; runs of at most `maxGapFillPeriods` are linearly
 *   interpolated between the neighbouring values (`gapsFilled`); longer runs stay `NaN`.
 *
 * @param points raw points, in non-decreasing time order
 * @returns the regular series and what was done
 * @throws InputError on an empty input, a non-finite timestamp or value, a timestamp going backwards
 *   (naming its line), a non-positive `periodSec` or a grid longer than {@link MAX_GRID_PERIODS}
 */
export function regularise(
  points: ReadonlyArray<RawPoint>,
  opts: RegulariseOptions,
): { series: MetricSeries; report: RegularisationReport } {
  const file = opts.file ?? opts.id;
  if (points.length === 0) {
    throw new InputError({ file }, 'no data points', 'at least one timestamp,value data point (empty series)');
  }
  checkOrder(points, file);
  const periodSec = opts.periodSec ?? medianStepSec(points);
  if (!(Number.isFinite(periodSec) && periodSec > 0)) {
    throw new InputError({ file, field: 'periodSec' }, periodSec, 'a period in seconds > 0');
  }
  const maxFill = opts.maxGapFillPeriods ?? DEFAULT_MAX_GAP_FILL_PERIODS;
  if (!(Number.isInteger(maxFill) && maxFill >= 0)) {
    throw new InputError({ file, field: 'maxGapFillPeriods' }, maxFill, 'an integer >= 0');
  }
  const first = points[0]!.tSec;
  const last = points[points.length - 1]!.tSec;
  const startSec = Math.floor(first / periodSec) * periodSec;
  const length = Math.floor((last - startSec) / periodSec) + 1;
  if (length > MAX_GRID_PERIODS) {
    throw new InputError(
      { file, field: 'timestamp' },
      `${length} periods of ${periodSec} s`,
      `at most ${MAX_GRID_PERIODS} periods (are the timestamps epoch seconds?)`,
    );
  }
  const sums = new Float64Array(length);
  const counts = new Uint32Array(length);
  for (const p of points) {
    const i = Math.floor((p.tSec - startSec) / periodSec);
    sums[i] += p.value;
    counts[i] += 1;
  }
  const values: number[] = new Array<number>(length);
  let duplicatesMerged = 0;
  let gapPeriods = 0;
  for (let i = 0; i < length; i++) {
    const c = counts[i]!;
    if (c === 0) {
      values[i] = Number.NaN;
      gapPeriods++;
    } else {
      values[i] = c === 1 ? sums[i]! : sums[i]! / c;
      duplicatesMerged += c - 1;
    }
  }
  const gapsFilled = fillShortGaps(values, maxFill);
  const series: MetricSeries = {
    id: opts.id,
    startSec,
    periodSec,
    values,
    ...(opts.unit !== undefined ? { unit: opts.unit } : {}),
  };
  return { series, report: { pointsRead: points.length, duplicatesMerged, gapPeriods, gapsFilled, periodSec } };
}

/** Throws on non-finite numbers and on a timestamp earlier than its predecessor. */
function checkOrder(points: ReadonlyArray<RawPoint>, file: string): void {
  let prev = Number.NEGATIVE_INFINITY;
  let prevShown = '';
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const line = p.line ?? i + 1;
    if (!Number.isFinite(p.tSec)) {
      throw new InputError({ file, line, field: 'timestamp' }, p.tSec, 'a finite epoch-seconds timestamp');
    }
    if (!Number.isFinite(p.value)) {
      throw new InputError({ file, line, field: 'value' }, p.value, 'a finite number');
    }
    if (p.tSec < prev) {
      throw new InputError(
        { file, line, field: 'timestamp' },
        p.timestampText ?? p.tSec,
        `a timestamp >= the previous row's ${prevShown} (timestamps must not go backwards)`,
      );
    }
    prev = p.tSec;
    prevShown = p.timestampText ?? String(p.tSec);
  }
}

/**
 * Median of the strictly positive steps between consecutive points (the lower median on an even
 * count, so the result is an observed step). {@link DEFAULT_SINGLE_POINT_PERIOD_SEC} when there is none.
 */
export function medianStepSec(points: ReadonlyArray<{ readonly tSec: number }>): number {
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const d = points[i]!.tSec - points[i - 1]!.tSec;
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return DEFAULT_SINGLE_POINT_PERIOD_SEC;
  steps.sort((a, b) => a - b);
  return steps[Math.floor((steps.length - 1) / 2)]!;
}

/**
 * Fills runs of `NaN` of length <= `maxFill` that have a value on both sides, by linear interpolation,
 * in place. @returns the number of periods filled
 */
function fillShortGaps(values: number[], maxFill: number): number {
  let filled = 0;
  let i = 0;
  while (i < values.length) {
    if (!Number.isNaN(values[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < values.length && Number.isNaN(values[j]!)) j++;
    const run = j - i;
    if (i > 0 && j < values.length && run <= maxFill) {
      const a = values[i - 1]!;
      const b = values[j]!;
      for (let k = i; k < j; k++) values[k] = a + ((b - a) * (k - i + 1)) / (run + 1);
      filled += run;
    }
    i = j;
  }
  return filled;
}
