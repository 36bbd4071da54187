/**
 * Metric-driven demand per pool per tick: units = metric value / `metricPerUnit` (the target-tracking
 * target per vCPU), summed over the pool's demand signals. The metric is linearly interpolated
 * between its periods and held constant over each tick interval.
 */
import type { MetricSeries } from '../core/model/index.js';
import type { Scenario } from './scenario/schema.js';

/** Demand units per pool, one value per tick from `startSec`. */
export interface DemandGrid {
  readonly startSec: number;
  readonly tickSec: number;
  readonly ticks: number;
  readonly units: ReadonlyMap<string, Float64Array>;
}

/** Value of `s` at `tSec` by linear interpolation (NaN gaps are skipped; 0 outside the series). */
export function seriesValueAt(s: Pick<MetricSeries, 'startSec' | 'periodSec' | 'values'>, tSec: number): number {
  const x = (tSec - s.startSec) / s.periodSec;
  if (x < 0 || x > s.values.length - 1) return 0;
  const i = Math.floor(x);
  const a = s.values[i];
  const b = s.values[Math.min(i + 1, s.values.length - 1)];
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : b;
  if (Number.isNaN(b)) return a;
  return a + (b - a) * (x - i);
}

/** Builds the grid for `ticks` ticks of the scenario. */
export function metricDemandByPool(s: Scenario, ticks: number): DemandGrid {
  const units = new Map<string, Float64Array>();
  for (const p of s.pools) units.set(p.id, new Float64Array(ticks));
  const series = new Map(s.series.map((x) => [x.id, x]));
  const endSec = s.startSec + Math.round(s.days * 86_400);
  for (const d of s.demandSignals) {
    const arr = units.get(d.poolId)!;
    const ser = series.get(d.seriesId)!;
    for (let k = 0; k < ticks; k++) {
      const t = s.startSec + k * s.tickSec;
      if (t >= endSec) break;
      arr[k] += seriesValueAt(ser, t) / d.metricPerUnit;
    }
  }
  return { startSec: s.startSec, tickSec: s.tickSec, ticks, units };
}
