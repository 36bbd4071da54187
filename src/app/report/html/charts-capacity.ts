/**
 * Capacity charts: demand vs ready capacity per pool (every policy, with the forecast band when
 * forecast.csv is there) and the spot share of held capacity over time. Pure.
 */
import { baseOption, runRange, CHART_HEIGHT_PX, CHART_WIDTH_PX, focusPolicy, styledLine, styleOf, timeAxes, type ChartSpec, type ReportData } from './chart-kit.js';
import { BAND_COLOR, DEMAND_COLOR } from './palette.js';
import { bucketize, bucketWords, chooseBucketSec, groupBy, tidy, type TimePoint } from './series.js';

const GRID = { left: 56, right: 44, top: 56, bottom: 32 };

/** Bucket width used by every time chart of a report. */
export function reportBucketSec(data: ReportData): number {
  const s = data.report.scenario;
  return chooseBucketSec(Math.max(s.tickSec, s.endSec - s.startSec), s.tickSec);
}

function forecastBand(data: ReportData, pool: string, bucketSec: number): { policy: string; p10: TimePoint[]; width: TimePoint[]; p50: TimePoint[] } | null {
  if (!data.forecast) return null;
  const origin = data.report.scenario.startSec;
  const byPolicy = groupBy(data.forecast.filter((r) => r.pool === pool), (r) => r.policy);
  const focus = focusPolicy(data);
  const policy = byPolicy.has(focus) ? focus : [...byPolicy.keys()][0];
  if (policy === undefined) return null;
  const rows = byPolicy.get(policy)!;
  const p10 = bucketize(rows.map((r) => ({ t: r.timestamp, v: r.p10_units })), origin, bucketSec, 'mean');
  const p90 = bucketize(rows.map((r) => ({ t: r.timestamp, v: r.p90_units })), origin, bucketSec, 'mean');
  const p50 = bucketize(rows.map((r) => ({ t: r.timestamp, v: r.p50_units })), origin, bucketSec, 'mean');
  return { policy, p10: tidy(p10), width: tidy(p90.map(([t, v], i) => [t, Math.max(0, v - p10[i][1])])), p50: tidy(p50) };
}

/** One "demand vs ready capacity" chart per pool of the scenario. */
export function capacityCharts(data: ReportData): ChartSpec[] {
  const bucketSec = reportBucketSec(data);
  const origin = data.report.scenario.startSec;
  const focus = focusPolicy(data);
  const byPool = groupBy(data.timeline, (r) => r.pool);
  const pools = [...new Set([...data.report.scenario.pools, ...byPool.keys()])];
  return pools.map((pool): ChartSpec => {
    const rows = byPool.get(pool) ?? [];
    const id = `capacity-${pool.replace(/[^A-Za-z0-9-]/g, '-')}`;
    const title = `Demand vs ready capacity: pool ${pool}`;
    if (rows.length === 0) {
      return { id, title, caption: '', widthPx: CHART_WIDTH_PX, heightPx: CHART_HEIGHT_PX, seriesWithData: 0, missing: `timeline.csv has no rows for pool ${pool}.` };
    }
    const byPolicy = groupBy(rows, (r) => r.policy);
    const demandPolicy = byPolicy.has(focus) ? focus : [...byPolicy.keys()][0];
    const series: Record<string, unknown>[] = [];
    const band = forecastBand(data, pool, bucketSec);
    if (band) {
      series.push(
        { type: 'line', name: `forecast p10–p90 (${band.policy})`, stack: 'band', data: band.p10, symbol: 'none', lineStyle: { opacity: 0 }, color: BAND_COLOR, z: 1, legendHoverLink: false },
        { type: 'line', name: `forecast p10–p90 (${band.policy})`, stack: 'band', data: band.width, symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: BAND_COLOR, opacity: 0.35 }, color: BAND_COLOR, z: 1 },
        { type: 'line', name: `forecast p50 (${band.policy})`, data: band.p50, symbol: 'none', color: BAND_COLOR, lineStyle: { color: BAND_COLOR, width: 1.2, type: [4, 3] }, z: 2 },
      );
    }
    const demand = tidy(bucketize(byPolicy.get(demandPolicy)!.map((r) => ({ t: r.timestamp, v: r.demand_units })), origin, bucketSec, 'mean'));
    series.push({
      ...styledLine(`demand (${demandPolicy} run)`, demand, { color: DEMAND_COLOR, dash: 'solid', symbol: 'circle' }, { width: 2.2, markers: 0 }),
      showSymbol: false, data: demand, z: 2, areaStyle: { color: DEMAND_COLOR, opacity: 0.1 },
    });
    for (const [policy, prow] of byPolicy) {
      const ready = tidy(bucketize(prow.map((r) => ({ t: r.timestamp, v: r.ready_units })), origin, bucketSec, 'mean'));
      series.push(styledLine(`ready: ${policy}`, ready, styleOf(data, policy)));
    }
    const bandNote = band ? `The shaded band is ${band.policy}'s forecast p10–p90 of demand from forecast.csv.` : 'No forecast band: forecast.csv is absent or has no rows for this pool.';
    return {
      id, title, widthPx: CHART_WIDTH_PX, heightPx: CHART_HEIGHT_PX + 40,
      caption: `Capacity units (vCPU), ${bucketWords(bucketSec)} means. Demand is metric demand plus the vCPU of running and queued tasks in the ${demandPolicy} run; "ready" is capacity that finished launching. ${bandNote}`,
      option: baseOption({ grid: { ...GRID, top: band ? 84 : GRID.top }, ...timeAxes('vCPU', 0, undefined, runRange(data)), series }),
      seriesWithData: series.length,
    };
  });
}

/** Spot share of held capacity (spot units / all units held, all pools) over time, per policy. */
export function spotShareChart(data: ReportData): ChartSpec {
  const bucketSec = reportBucketSec(data);
  const origin = data.report.scenario.startSec;
  const series: Record<string, unknown>[] = [];
  for (const [policy, rows] of groupBy(data.timeline, (r) => r.policy)) {
    const held = new Map<number, { spot: number; all: number }>();
    for (const r of rows) {
      const h = held.get(r.timestamp) ?? { spot: 0, all: 0 };
      h.spot += r.spot_units;
      h.all += r.spot_units + r.ondemand_units;
      held.set(r.timestamp, h);
    }
    const samples = [...held.entries()].filter(([, h]) => h.all > 0).map(([t, h]) => ({ t, v: (100 * h.spot) / h.all }));
    if (samples.length > 0) series.push(styledLine(policy, tidy(bucketize(samples, origin, bucketSec, 'mean'), 2), styleOf(data, policy)));
  }
  const base = { id: 'spot-share', title: 'Spot share of held capacity', widthPx: CHART_WIDTH_PX, heightPx: CHART_HEIGHT_PX };
  if (series.length === 0) return { ...base, caption: '', seriesWithData: 0, missing: 'No capacity was held in timeline.csv (spot_units and ondemand_units are all 0).' };
  return {
    ...base,
    caption: `Percent of held capacity units (pending or running, all pools) bought in the spot market, ${bucketWords(bucketSec)} means; the rest is on-demand.`,
    option: baseOption({ grid: GRID, ...timeAxes('% spot', 0, 100, runRange(data)), series }),
    seriesWithData: series.length,
  };
}
