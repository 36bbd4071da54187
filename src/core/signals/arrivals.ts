/**
 * Chain arrivals: when workflows were submitted, as read from an arrivals file or derived from a
 * count series. Pure.
 */
import type { MetricSeries } from '../model/series.js';

/** One submitted chain (seed 002's `POST /chains`), from a trace. */
export interface ChainArrival {
  /** Epoch seconds of the submission. */
  readonly atSec: number;
  /** Workflow name (e.g. a WorkflowTrace's `workflowName`). */
  readonly workflow: string;
  /** Who submitted it, when the file says. */
  readonly principal?: string;
}

/**
 * Turns a count-per-period series into arrivals, deterministically: a period with count `c`
 * (rounded to the nearest integer; `NaN` counts as 0) gets `c` arrivals evenly spaced inside it, at
 * `start + (k + 0.5) · periodSec / c` for k = 0..c-1 (the midpoints of `c` equal slices, so no
 * arrival falls on a period boundary).
 * @param series counts per period (non-negative)
 * @param workflow the workflow every arrival submits
 * @returns arrivals in time order
 */
export function arrivalsFromCounts(series: MetricSeries, workflow: string): ChainArrival[] {
  const out: ChainArrival[] = [];
  series.values.forEach((v, i) => {
    const c = Number.isNaN(v) ? 0 : Math.max(0, Math.round(v));
    const start = series.startSec + i * series.periodSec;
    for (let k = 0; k < c; k++) out.push({ atSec: start + ((k + 0.5) * series.periodSec) / c, workflow });
  });
  return out;
}
