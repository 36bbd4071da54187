/**
 * Cost charts: cost per hour split into spot and on-demand (one panel per policy) and cumulative
 * cost per policy against the oracle. Pure.
 */
import type { PolicyReport } from '../types.js';
import { baseOption, runRange, CHART_WIDTH_PX, styledLine, styleOf, timeAxes, type ChartOption, type ChartSpec, type ReportData } from './chart-kit.js';
import { reportBucketSec } from './charts-capacity.js';
import type { HtmlTimelineRow } from './inputs.js';
import { MARKET_COLORS } from './palette.js';
import { bucketize, bucketWords, groupBy, tidy } from './series.js';

/**
 * Splits each row's `cost_usd` into spot and on-demand USD. Uses the row's `spot_cost_usd` /
 * `ondemand_cost_usd` when timeline.csv has them; otherwise estimates: the policy's average USD per
 * held unit-tick in each market (report.json's spotUsd and onDemandUsd over the timeline's held
 * units) weighs the row's spot and on-demand units, and the row's cost is shared in that proportion.
 * @returns per row [spotUsd, onDemandUsd] (summing to cost_usd) and whether it was estimated
 */
export function splitCostByMarket(rows: readonly HtmlTimelineRow[], policy: PolicyReport | undefined): { split: Array<[number, number]>; estimated: boolean } {
  if (rows.every((r) => r.spot_cost_usd !== undefined && r.ondemand_cost_usd !== undefined)) {
    return { split: rows.map((r) => [r.spot_cost_usd!, r.ondemand_cost_usd!]), estimated: false };
  }
  let spotUnits = 0;
  let odUnits = 0;
  for (const r of rows) { spotUnits += r.spot_units; odUnits += r.ondemand_units; }
  const spotRate = policy && spotUnits > 0 ? policy.cost.spotUsd / spotUnits : 0;
  const odRate = policy && odUnits > 0 ? (policy.cost.onDemandUsd + policy.cost.cacheUsd) / odUnits : 0;
  const split = rows.map((r): [number, number] => {
    const s = r.spot_units * spotRate;
    const o = r.ondemand_units * odRate;
    if (s + o <= 0) return r.spot_units > 0 && r.ondemand_units === 0 ? [r.cost_usd, 0] : [0, r.cost_usd];
    return [(r.cost_usd * s) / (s + o), (r.cost_usd * o) / (s + o)];
  });
  return { split, estimated: true };
}

/** Cost per hour in each market, one small panel per policy sharing the time axis. */
export function costPerHourChart(data: ReportData): ChartSpec {
  const bucketSec = Math.max(3600, reportBucketSec(data));
  const origin = data.report.scenario.startSec;
  const byPolicy = [...groupBy(data.timeline, (r) => r.policy)];
  const base = { id: 'cost-per-hour', title: 'Cost per hour: spot and on-demand' };
  if (byPolicy.length === 0) return { ...base, caption: '', widthPx: CHART_WIDTH_PX, heightPx: 120, seriesWithData: 0, missing: 'timeline.csv has no rows.' };
  const panelPx = 118;
  const top = 40;
  const grids: ChartOption[] = [];
  const xAxes: ChartOption[] = [];
  const yAxes: ChartOption[] = [];
  const series: ChartOption[] = [];
  const titles: ChartOption[] = [];
  let anyEstimated = false;
  // every panel shares one y-axis (the largest stacked USD/h of any policy), so panels compare by eye
  const perPolicy = byPolicy.map(([policy, rows]) => {
    const { split, estimated } = splitCostByMarket(rows, data.report.policies.find((p) => p.policy === policy));
    anyEstimated ||= estimated;
    const perHour = (k: 0 | 1) => tidy(bucketize(rows.map((r, j) => ({ t: r.timestamp, v: split[j][k] })), origin, bucketSec, 'sum').map(([t, v]) => [t, v / (bucketSec / 3600)]));
    return { spot: perHour(0), onDemand: perHour(1) };
  });
  let maxStack = 0;
  for (const p of perPolicy) {
    const od = new Map(p.onDemand.map(([t, v]) => [t, v]));
    for (const [t, v] of p.spot) maxStack = Math.max(maxStack, v + (od.get(t) ?? 0));
    for (const [, v] of p.onDemand) maxStack = Math.max(maxStack, v);
  }
  const yMax = niceCeil(maxStack);
  byPolicy.forEach(([policy], i) => {
    const perHour = (k: 0 | 1) => (k === 0 ? perPolicy[i].spot : perPolicy[i].onDemand);
    const y = top + i * (panelPx + 14);
    grids.push({ left: 56, right: 44, top: y + 16, height: panelPx - 30 });
    titles.push({ text: policy, left: 60, top: y, textStyle: { fontSize: 12, fontWeight: 'bold', color: styleOf(data, policy).color } });
    const ax = timeAxes('USD/h', i, undefined, runRange(data));
    xAxes.push({ ...ax.xAxis, axisLabel: { ...(ax.xAxis.axisLabel as object), show: i === byPolicy.length - 1 } });
    yAxes.push({ ...ax.yAxis, name: '', splitNumber: 2, min: 0, ...(yMax > 0 ? { max: yMax, interval: yMax / 2 } : {}) });
    const area = (name: string, k: 0 | 1, color: string, pattern: number[]) => ({
      type: 'line', name, stack: `cost-${i}`, xAxisIndex: i, yAxisIndex: i, data: perHour(k), symbol: 'none', step: 'end', color,
      lineStyle: { color, width: 1, type: pattern.length ? pattern : 'solid' }, areaStyle: { color, opacity: 0.75 },
    });
    series.push(area('spot', 0, MARKET_COLORS.spot, []), area('on-demand', 1, MARKET_COLORS.onDemand, [4, 2]));
  });
  const how = anyEstimated
    ? 'timeline.csv has no per-market cost columns, so each row\'s cost is split by its held spot and on-demand units weighted by the policy\'s average price per unit in each market (report.json); cost_usd includes the prefetch state cache\'s node-hours, which this estimate prices with the on-demand units (the table above gives the cache on its own).'
    : 'Split from timeline.csv\'s spot_cost_usd and ondemand_cost_usd columns.';
  return {
    ...base, widthPx: CHART_WIDTH_PX, heightPx: top + byPolicy.length * (panelPx + 14) + 16,
    caption: `USD per hour averaged over ${bucketWords(bucketSec)} buckets, stacked: spot (blue) under on-demand (orange, dashed edge); every panel has the same y-axis (0 to ${yMax} USD/h). ${how}`,
    option: baseOption({ title: titles, legend: { top: 4, data: ['spot', 'on-demand'] }, grid: grids, xAxis: xAxes, yAxis: yAxes, series }),
    seriesWithData: series.length,
  };
}

/** The smallest 1, 2 or 5 × 10^k (halved into two intervals) at or above `x`; 0 for 0. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 0;
  const e = 10 ** Math.floor(Math.log10(x));
  const m = [1, 2, 2.5, 5, 10].find((k) => k * e >= x * (1 - 1e-12)) ?? 10;
  return Number((m * e).toPrecision(6));
}

/** Cumulative cost per policy over time (all pools), the oracle drawn as the lower bound. */
export function cumulativeCostChart(data: ReportData): ChartSpec {
  const bucketSec = reportBucketSec(data);
  const origin = data.report.scenario.startSec;
  const series: ChartOption[] = [];
  const endMs = runRange(data).maxMs;
  for (const [policy, rows] of groupBy(data.timeline, (r) => r.policy)) {
    let total = 0;
    const points = bucketize(rows.map((r) => ({ t: r.timestamp, v: r.cost_usd })), origin, bucketSec, 'sum').map(([t, v]): [number, number] => [Math.min(t + bucketSec * 1000, endMs), (total += v)]);
    series.push(styledLine(policy === 'oracle' ? 'oracle (lower bound)' : policy, tidy(points, 2), styleOf(data, policy), { width: policy === 'oracle' ? 2.4 : 1.8 }));
  }
  const base = { id: 'cumulative-cost', title: 'Cumulative cost per policy against the oracle', widthPx: CHART_WIDTH_PX, heightPx: 340 };
  if (series.length === 0) return { ...base, caption: '', seriesWithData: 0, missing: 'timeline.csv has no rows.' };
  return {
    ...base,
    caption: 'USD spent since the start of the run, all pools (sum of timeline.csv\'s cost_usd). The oracle knows demand in advance and launches instantly: the gap to it is what better prediction could still save.',
    option: baseOption({ grid: { left: 64, right: 44, top: 56, bottom: 32 }, ...timeAxes('USD', 0, undefined, runRange(data)), series }),
    seriesWithData: series.length,
  };
}
