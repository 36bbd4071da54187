/**
 * Latency and prediction-quality charts: wait for capacity per policy, forecast error over time,
 * next-step hit rate with prefetch saved vs wasted, and events (spot interruptions, variant
 * switches, prefetch outcomes) marked on a timeline. Pure.
 */
import { baseOption, runRange, CHART_WIDTH_PX, dashType, styledLine, styleOf, timeAxes, type ChartOption, type ChartSpec, type ReportData } from './chart-kit.js';
import { reportBucketSec } from './charts-capacity.js';
import { EVENT_KINDS } from './extras.js';
import { EVENT_STYLES, OKABE_ITO } from './palette.js';
import { bucketize, bucketWords, chooseBucketSec, groupBy, tidy } from './series.js';

const WAIT_STATS = [['p50', 'p50Sec'], ['p95', 'p95Sec'], ['p99', 'p99Sec'], ['max', 'maxSec'], ['mean', 'meanSec']] as const;

/** Wait-for-capacity distribution per policy: p50, p95, p99, max and mean of the step waits. */
export function waitChart(data: ReportData): ChartSpec {
  const policies = data.report.policies;
  const series = policies.map((p) => {
    const s = styleOf(data, p.policy);
    return {
      type: 'bar', name: p.policy, color: s.color, barMaxWidth: 26,
      itemStyle: { color: s.color, borderColor: '#222222', borderWidth: 0.6, borderType: dashType(s) },
      label: { show: true, position: 'top', fontSize: 10, color: '#333333' },
      data: WAIT_STATS.map(([, k]) => p.stepWait[k]),
    };
  });
  return {
    id: 'wait', title: 'Wait for capacity per policy', widthPx: CHART_WIDTH_PX, heightPx: 320,
    caption: `Seconds a task waited for capacity after its dependencies finished (report.json stepWait, nearest-rank percentiles over ${policies.map((p) => `${p.stepWait.count} ${p.policy}`).join(', ')} tasks).`,
    option: baseOption({
      grid: { left: 56, right: 44, top: 56, bottom: 32 },
      xAxis: { type: 'category', data: WAIT_STATS.map(([n]) => n) },
      yAxis: { type: 'value', name: 'seconds', splitLine: { lineStyle: { color: '#e5e5e5' } } },
      series,
    }),
    seriesWithData: series.length,
  };
}

/**
 * Forecast error over time: sMAPE (percent) of forecast.csv's p50 against timeline.csv's demand at
 * the same timestamp, per policy and pool, averaged per bucket of at least one hour.
 */
export function forecastErrorChart(data: ReportData): ChartSpec {
  const base = { id: 'forecast-error', title: 'Forecast error over time', widthPx: CHART_WIDTH_PX, heightPx: 320 };
  const overall = data.report.policies.filter((p) => p.forecastError).map((p) => `${p.policy} ${p.forecastError!.metric} ${p.forecastError!.value.toFixed(1)}%`).join(', ');
  if (!data.forecast || data.forecast.length === 0) {
    return { ...base, caption: '', seriesWithData: 0, missing: `forecast.csv is absent, so the error over time cannot be drawn.${overall ? ` Over the whole run (report.json): ${overall}.` : ''}` };
  }
  const demand = new Map<string, number>();
  for (const r of data.timeline) demand.set(`${r.policy}\u0000${r.pool}\u0000${r.timestamp}`, r.demand_units);
  const bucketSec = Math.max(3600, reportBucketSec(data));
  const origin = data.report.scenario.startSec;
  const series: ChartOption[] = [];
  const groups = groupBy(data.forecast, (r) => `${r.policy}\u0000${r.pool}`);
  const pools = new Set(data.forecast.map((r) => r.pool));
  for (const [key, rows] of groups) {
    const [policy, pool] = key.split('\u0000');
    const samples: Array<{ t: number; v: number }> = [];
    for (const r of rows) {
      const a = demand.get(`${key}\u0000${r.timestamp}`);
      if (a === undefined) continue;
      const den = (Math.abs(a) + Math.abs(r.p50_units)) / 2;
      samples.push({ t: r.timestamp, v: den === 0 ? 0 : (100 * Math.abs(r.p50_units - a)) / den });
    }
    if (samples.length === 0) continue;
    series.push(styledLine(pools.size > 1 ? `${policy} · ${pool}` : policy, tidy(bucketize(samples, origin, bucketSec, 'mean'), 2), styleOf(data, policy)));
  }
  if (series.length === 0) return { ...base, caption: '', seriesWithData: 0, missing: 'forecast.csv has no timestamps matching timeline.csv rows of the same policy and pool.' };
  return {
    ...base,
    caption: `sMAPE (symmetric mean absolute percentage error, 0–200%) of the forecast p50 against demand_units at the same tick, ${bucketWords(bucketSec)} means.${overall ? ` Whole run (report.json): ${overall}.` : ''}`,
    option: baseOption({ grid: { left: 56, right: 44, top: 56, bottom: 32 }, ...timeAxes('sMAPE %', 0, undefined, runRange(data)), series }),
    seriesWithData: series.length,
  };
}

/** Next-step hit rate (left) and prefetch setup time saved vs CPU time wasted (right) per policy. */
export function nextStepChart(data: ReportData): ChartSpec {
  const base = { id: 'next-step', title: 'Next-step hit rate and prefetch saved vs wasted', widthPx: CHART_WIDTH_PX, heightPx: 300 };
  const ns = data.report.policies.filter((p) => p.nextStep);
  const pf = data.report.policies.filter((p) => p.prefetch);
  if (ns.length === 0 && pf.length === 0) return { ...base, caption: '', seriesWithData: 0, missing: 'No policy in report.json predicts next steps or pre-executes them (nextStep and prefetch are null).' };
  const bar = (name: string, color: string, xi: number, values: number[], fmt: string, decal?: boolean) => ({
    type: 'bar', name, xAxisIndex: xi, yAxisIndex: xi, color, barMaxWidth: 38, data: values,
    itemStyle: { color, borderColor: '#222222', borderWidth: 0.6, ...(decal ? { decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4, color: 'rgba(0,0,0,0.35)' } } : {}) },
    label: { show: true, position: 'top', fontSize: 10, formatter: fmt },
  });
  const series: ChartOption[] = [];
  if (ns.length) series.push(bar('next-step hit rate (%)', OKABE_ITO.blue, 0, ns.map((p) => Math.round(p.nextStep!.hitRate * 1000) / 10), '{c}%'));
  if (pf.length) {
    series.push(
      bar('setup time saved (s)', OKABE_ITO.bluishGreen, 1, pf.map((p) => p.prefetch!.setupSecSaved), '{c} s'),
      bar('CPU time wasted (s)', OKABE_ITO.vermillion, 1, pf.map((p) => p.prefetch!.wastedCpuSec), '{c} s', true),
    );
  }
  const words = [
    ...ns.map((p) => `${p.policy}: ${p.nextStep!.hits} of ${p.nextStep!.predictions} next-step predictions right`),
    ...pf.map((p) => `${p.policy}: ${p.prefetch!.hits} of ${p.prefetch!.preparations} preparations used, waste worth $${p.prefetch!.wastedUsd.toFixed(4)}`),
  ];
  return {
    ...base,
    caption: `Left: share of top-1 next-step predictions that named the step that started. Right: setup seconds skipped thanks to pre-executed steps vs CPU-seconds of preparations never used (hatched). ${words.join('; ')}.`,
    option: baseOption({
      grid: [{ left: 56, width: '36%', top: 56, bottom: 32 }, { right: 44, width: '46%', top: 56, bottom: 32 }],
      xAxis: [{ type: 'category', gridIndex: 0, data: ns.map((p) => p.policy) }, { type: 'category', gridIndex: 1, data: pf.map((p) => p.policy) }],
      yAxis: [
        { type: 'value', gridIndex: 0, name: '% hit', max: 100, splitLine: { lineStyle: { color: '#e5e5e5' } } },
        { type: 'value', gridIndex: 1, name: 'seconds', splitLine: { lineStyle: { color: '#e5e5e5' } } },
      ],
      series,
    }),
    seriesWithData: series.length,
  };
}

/** Events from events.csv as marks on a timeline: one row per policy × kind, marker size by count. */
export function eventsChart(data: ReportData): ChartSpec {
  const base = { id: 'events', title: 'Spot interruptions, variant switches and prefetch outcomes on the timeline', widthPx: CHART_WIDTH_PX };
  const counts = data.report.policies.map((p) => `${p.policy} ${p.spotInterruptions}`).join(', ');
  const shown = (data.events ?? []).filter((e) => e.kind in EVENT_STYLES);
  if (!data.events || shown.length === 0) {
    return { ...base, heightPx: 120, caption: '', seriesWithData: 0, missing: `${data.events ? 'events.csv has no spot-interruption, variant-switch, prefetch or launch/termination events.' : 'events.csv is absent, so events cannot be placed on the timeline.'} Spot interruptions over the run (report.json): ${counts}.` };
  }
  const s = data.report.scenario;
  const bucketSec = chooseBucketSec(Math.max(s.tickSec, s.endSec - s.startSec), s.tickSec, 200);
  const policies = data.report.policies.map((p) => p.policy).filter((p) => shown.some((e) => e.policy === p));
  const kinds = EVENT_KINDS.filter((k) => shown.some((e) => e.kind === k));
  const rows = policies.flatMap((p) => kinds.filter((k) => shown.some((e) => e.policy === p && e.kind === k)).map((k) => `${p} · ${EVENT_STYLES[k].label}`));
  const series = kinds.map((k) => {
    const st = EVENT_STYLES[k];
    const data2: Array<[number, string, number]> = [];
    for (const p of policies) {
      const pts = bucketize(shown.filter((e) => e.policy === p && e.kind === k).map((e) => ({ t: e.timestamp, v: 1 })), s.startSec, bucketSec, 'sum');
      for (const [t, n] of pts) data2.push([t + (bucketSec * 1000) / 2, `${p} · ${st.label}`, n]);
    }
    const max = Math.max(1, ...data2.map((d) => d[2]));
    return {
      type: 'scatter', name: st.label, symbol: st.symbol, color: st.color,
      itemStyle: { color: st.color, opacity: 0.85, borderColor: '#222222', borderWidth: 0.5 },
      data: data2.map(([t, row, n]) => ({ value: [t, row, n], symbolSize: Math.round(5 + 11 * Math.sqrt(n / max)) })),
    };
  });
  return {
    ...base, heightPx: 90 + rows.length * 30,
    caption: `Each mark counts the events of one ${bucketWords(bucketSec)} bucket (bigger = more, largest = busiest bucket of that kind). From events.csv; spot interruptions over the run (report.json): ${counts}.`,
    option: baseOption({
      grid: { left: 230, right: 44, top: 44, bottom: 32 },
      xAxis: timeAxes('', 0, undefined, runRange(data)).xAxis,
      yAxis: { type: 'category', data: rows, inverse: true, axisLabel: { fontSize: 11 }, splitLine: { show: true, lineStyle: { color: '#eeeeee' } } },
      series,
    }),
    seriesWithData: series.length,
  };
}

