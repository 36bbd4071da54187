/**
 * What the page builders share: the report's input data, the chart description handed to a
 * renderer (an echarts option as plain data, or a note when the data is absent), and the common
 * option parts (UTC time axes, fonts, policy lines with dashes and sparse markers). Pure.
 */
import type { BacktestReport } from '../types.js';
import type { AttributionRow, EventRow, ForecastRow } from './extras.js';
import type { HtmlTimelineRow } from './inputs.js';
import { policyStyle, type SeriesStyle } from './palette.js';
import type { TimePoint } from './series.js';

/** Everything the HTML report is built from (the extras are undefined when their file is absent). */
export interface ReportData {
  readonly report: BacktestReport;
  readonly timeline: readonly HtmlTimelineRow[];
  readonly forecast?: readonly ForecastRow[];
  readonly events?: readonly EventRow[];
  readonly attribution?: readonly AttributionRow[];
  /** Where the data came from (a directory), shown in the footer. */
  readonly source?: string;
}

/** echarts option as plain data (no functions), so it can be handed to any renderer. */
export type ChartOption = Record<string, unknown>;

/**
 * One chart of the page: an echarts option to render at `widthPx` × `heightPx`, or, when its data is
 * absent, `missing` (a short sentence saying which file or field would provide it).
 */
export interface ChartSpec {
  /** Stable id, used as the figure's id and `data-chart` attribute (e.g. "capacity-web"). */
  readonly id: string;
  readonly title: string;
  /** One or two sentences under the chart: what is drawn, units, how it was aggregated. */
  readonly caption: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly option?: ChartOption;
  readonly missing?: string;
  /** Number of series that have data points (the browser test checks they were drawn). */
  readonly seriesWithData: number;
}

/** Default chart size in px (the SVG scales to the page width through its viewBox). */
export const CHART_WIDTH_PX = 1040;
export const CHART_HEIGHT_PX = 340;

/** Font stack used in charts and page (system fonts only: no network). */
export const FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** The option parts every chart shares: no animation, UTC times, system fonts, legend on top. */
export function baseOption(extra: ChartOption): ChartOption {
  return {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_STACK, fontSize: 12, color: '#222222' },
    legend: { top: 4, left: 'center', itemWidth: 28, itemHeight: 10, itemGap: 26, textStyle: { fontSize: 12 } },
    ...extra,
  };
}

/** One bar series of panel `panel` (0–2) of {@link threePanelBarOption}. */
export function panelBar(name: string, values: number[], color: string, panel: number, barMaxWidth: number): ChartOption {
  return { type: 'bar', name, xAxisIndex: panel, yAxisIndex: panel, data: values, color, itemStyle: { color }, barMaxWidth };
}

/**
 * Three bar panels side by side over the same categories (the A/B and bundle charts): left a
 * percentage from 0 to 100, middle and right on axes named `middleAxis` and `rightAxis`.
 * @param bottomPx space under the panels for the category labels, px
 */
export function threePanelBarOption(categories: readonly string[], middleAxis: string, rightAxis: string, series: ChartOption[], bottomPx: number): ChartOption {
  const axis = (i: number, name: string) => ({ type: 'value', gridIndex: i, name, splitLine: { lineStyle: { color: '#e5e5e5' } } });
  const cat = (i: number) => ({ type: 'category', gridIndex: i, data: categories, axisLabel: { interval: 0, fontSize: 11 } });
  return baseOption({
    grid: [{ left: 56, width: '24%', top: 56, bottom: bottomPx }, { left: '38%', width: '26%', top: 56, bottom: bottomPx }, { right: 32, width: '24%', top: 56, bottom: bottomPx }],
    xAxis: [cat(0), cat(1), cat(2)],
    yAxis: [{ ...axis(0, '%'), min: 0, max: 100 }, axis(1, middleAxis), axis(2, rightAxis)],
    series,
  });
}

/** Time axis labels per zoom level (ECharts time formatter templates, UTC): "Mon 5 Jan", "14:00". */
export const TIME_LABELS = { year: '{yyyy}', month: '{MMM} {yyyy}', day: '{ee} {d} {MMM}', hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}', millisecond: '{HH}:{mm}:{ss}' } as const;

/** A time x axis (UTC, over `range` when given) and a value y axis named with its unit. */
export function timeAxes(yName: string, gridIndex = 0, yMax?: number, range?: TimeRange): { xAxis: ChartOption; yAxis: ChartOption } {
  return {
    xAxis: { type: 'time', gridIndex, min: range?.minMs, max: range?.maxMs, axisLabel: { hideOverlap: true, color: '#444444', formatter: TIME_LABELS }, splitLine: { show: false } },
    yAxis: { type: 'value', gridIndex, name: yName, nameGap: 8, nameTextStyle: { align: 'left', color: '#444444' }, max: yMax, splitLine: { lineStyle: { color: '#e5e5e5' } }, axisLabel: { color: '#444444' } },
  };
}

/** A time axis' extent, epoch milliseconds. */
export interface TimeRange {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The run's extent (scenario start to end), so every time chart of a report shares one x range. */
export function runRange(data: ReportData): TimeRange {
  const s = data.report.scenario;
  return { minMs: s.startSec * 1000, maxMs: Math.max(s.endSec, s.startSec + s.tickSec) * 1000 };
}

/** Echarts `lineStyle.type` for a style's dash. */
export function dashType(s: SeriesStyle): string | number[] {
  return typeof s.dash === 'string' ? s.dash : [...s.dash];
}

/**
 * A line series in a policy's style: its colour, dash, and its marker drawn on about `markers`
 * evenly spaced points (all points keep the line; markers only tell lines apart in print).
 */
export function styledLine(name: string, points: readonly TimePoint[], style: SeriesStyle, opts: { markers?: number; width?: number; gridIndex?: number; z?: number } = {}): ChartOption {
  const every = Math.max(1, Math.floor(points.length / (opts.markers ?? 8)));
  const offset = Math.floor(every / 2);
  return {
    type: 'line',
    name,
    xAxisIndex: opts.gridIndex ?? 0,
    yAxisIndex: opts.gridIndex ?? 0,
    z: opts.z ?? 3,
    showSymbol: true,
    symbol: style.symbol,
    symbolSize: 7,
    color: style.color,
    lineStyle: { color: style.color, width: opts.width ?? 1.8, type: dashType(style) },
    itemStyle: { color: style.color },
    data: points.map((p, i) => (i % every === offset ? { value: p } : { value: p, symbol: 'none' })),
  };
}

/** The policy's style given the report's policies. */
export function styleOf(data: ReportData, policy: string): SeriesStyle {
  return policyStyle(policy, data.report.policies.map((p) => p.policy));
}

/** The policy whose demand and forecast the page shows first: "prescale" when present, else the first. */
export function focusPolicy(data: ReportData): string {
  const names = data.report.policies.map((p) => p.policy);
  return names.includes('prescale') ? 'prescale' : names[0];
}

function pointValue(item: unknown): number {
  const v = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as { value?: unknown }).value : item;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof v[1] === 'number' ? v[1] : typeof last === 'number' ? last : 0;
  }
  return 0;
}

/**
 * Colours of the option's series that have at least one non-zero, finite point (for a line on a
 * time axis the value after the time; for a scatter mark its count), in series order, deduplicated.
 * The browser test checks each of them was drawn.
 */
export function seriesColorsWithData(option: ChartOption): string[] {
  const series = Array.isArray(option.series) ? (option.series as Array<Record<string, unknown>>) : [];
  const out: string[] = [];
  for (const s of series) {
    const data = Array.isArray(s.data) ? s.data : [];
    const color = typeof s.color === 'string' ? s.color : undefined;
    if (color && !out.includes(color) && data.some((d) => { const v = pointValue(d); return Number.isFinite(v) && v !== 0; })) out.push(color);
  }
  return out;
}
