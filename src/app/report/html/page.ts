/**
 * The whole report.html: one self-contained page (inline CSS, inline SVG charts, a few lines of
 * inline script that only sort tables; no fonts, images or scripts fetched), readable from a laptop
 * width down and printable. Charts are drawn by the injected {@link ChartRenderer} (the echarts SVG
 * adapter in production), so this module stays pure.
 */
import type { BacktestReport } from '../types.js';
import { FONT_STACK, focusPolicy, seriesColorsWithData, type ChartOption, type ChartSpec, type ReportData } from './chart-kit.js';
import { capacityCharts, spotShareChart } from './charts-capacity.js';
import { costPerHourChart, cumulativeCostChart } from './charts-cost.js';
import { eventsChart, forecastErrorChart, nextStepChart, waitChart } from './charts-quality.js';
import { calibrationChart } from './charts-calibration.js';
import { bundleCharts } from './charts-bundles.js';
import { abTestCharts } from './charts-ab.js';
import { assumptionsBlock, attributionBlock, esc, sortableTable, summaryCards, swatch, type Cell, type Column } from './page-parts.js';
import { buildSummary, formatUsd } from './summary.js';
import { buildVerdict } from '../verdict.js';
import { recommendationSection, scalingLine, settingsSection, verdictSection } from './verdict-parts.js';
import { PAGE_CSS, SORT_SCRIPT } from './page-assets.js';

/**
 * Draws one chart as an `<svg>` string.
 * @param idPrefix unique per chart on the page (ids and classes inside the SVG start with it)
 */
export type ChartRenderer = (option: ChartOption, widthPx: number, heightPx: number, idPrefix: string) => string;

/** Every chart of the report, in page order (charts without data carry a `missing` note). */
export function buildChartSpecs(data: ReportData): ChartSpec[] {
  return [
    ...capacityCharts(data),
    costPerHourChart(data),
    cumulativeCostChart(data),
    spotShareChart(data),
    waitChart(data),
    forecastErrorChart(data),
    nextStepChart(data),
    calibrationChart(data),
    ...bundleCharts(data),
    ...abTestCharts(data),
    eventsChart(data),
  ];
}

function policyTable(report: BacktestReport, focus: string): string {
  // one cost breakdown everywhere: total = spot + on-demand + cache (ElastiCache), as in report.md
  const all = report.policies.map((p) => p.policy);
  const f = report.policies.find((p) => p.policy === focus);
  const cols: Column[] = [
    { label: 'policy' }, { label: 'cost (USD)', numeric: true }, { label: 'spot (USD)', numeric: true }, { label: 'on-demand (USD)', numeric: true },
    { label: 'cache (USD)', numeric: true, title: 'ElastiCache prefetch state cache node-hours' },
    { label: '× oracle', numeric: true, title: 'total cost / the oracle\'s' }, { label: `${focus} ÷ policy`, numeric: true, title: `${focus}'s cost / this policy's` },
    { label: 'wait p50 (s)', numeric: true }, { label: 'wait p95 (s)', numeric: true }, { label: 'wait p99 (s)', numeric: true },
    { label: 'makespan p95 (s)', numeric: true, title: 'chain arrival to last task finished' }, { label: 'unmet demand (unit-s)', numeric: true },
    { label: 'spot interruptions', numeric: true },
  ];
  const rows = report.policies.map((p): Cell[] => {
    const mine = f && p.cost.totalUsd > 0 ? f.cost.totalUsd / p.cost.totalUsd : null;
    const n = (x: number, d = 0): Cell => ({ text: x.toFixed(d), sort: x });
    return [
      { text: p.policy, prefixHtml: swatch(p.policy, all) }, { text: formatUsd(p.cost.totalUsd), sort: p.cost.totalUsd },
      { text: formatUsd(p.cost.spotUsd), sort: p.cost.spotUsd }, { text: formatUsd(p.cost.onDemandUsd), sort: p.cost.onDemandUsd },
      { text: formatUsd(p.cost.cacheUsd), sort: p.cost.cacheUsd },
      p.costRatioToOracle === null ? { text: 'n/a', sort: -1 } : n(p.costRatioToOracle, 2), mine === null ? { text: 'n/a', sort: -1 } : n(mine, 2),
      n(p.stepWait.p50Sec, 1), n(p.stepWait.p95Sec, 1), n(p.stepWait.p99Sec, 1), n(p.chainMakespan.p95Sec), n(p.unmetDemandUnitSec), n(p.spotInterruptions),
    ];
  });
  return sortableTable('policies', 'Every policy over the same simulated period (click a header to sort)', cols, rows);
}

function figure(spec: ChartSpec, index: number, render: ChartRenderer): string {
  const colors = spec.option ? seriesColorsWithData(spec.option).join(' ') : '';
  const head = `<figure class="chart" id="${esc(spec.id)}" data-chart="${esc(spec.id)}" data-series="${spec.seriesWithData}" data-colors="${esc(colors)}">
<figcaption><h3>${esc(spec.title)}</h3></figcaption>`;
  if (!spec.option) return `${head}\n<p class="note missing" data-missing="${esc(spec.id)}">${esc(spec.missing ?? 'No data.')}</p>\n</figure>`;
  const svg = render(spec.option, spec.widthPx, spec.heightPx, `c${index}`)
    .replace(/^<svg /, `<svg role="img" aria-label="${esc(spec.title)}" `);
  return `${head}\n<div class="svg-wrap">${svg}</div>\n<p class="caption">${esc(spec.caption)}</p>\n</figure>`;
}

/** Options of {@link renderReportHtml}. */
export interface HtmlReportOptions {
  /** Policy compared with the others in the summary. @default "prescale" (else the first policy) */
  readonly focusPolicy?: string;
}

/** The report page's HTML text (UTF-8, starting with `<!doctype html>`). */
export function renderReportHtml(data: ReportData, render: ChartRenderer, opts: HtmlReportOptions = {}): string {
  const report = data.report;
  const s = report.scenario;
  const focus = opts.focusPolicy ?? focusPolicy(data);
  const verdict = buildVerdict(report, focus);
  const iso = (sec: number): string => new Date(sec * 1000).toISOString().replace('T', ' ').replace(/:00\.000Z$/, ' UTC');
  const charts = buildChartSpecs(data).map((c, i) => figure(c, i, render)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>prescale report: ${esc(s.name)}</title>
<style>
body { font-family: ${FONT_STACK}; }
${PAGE_CSS}
</style>
</head>
<body>
<header>
<h1>prescale cost and latency report</h1>
<p class="meta">${scalingLine(report)}</p>
<p class="meta"><strong>${esc(s.name)}</strong> · seed ${s.seed} · ${esc(iso(s.startSec))} → ${esc(iso(s.endSec))} (${s.days} day${s.days === 1 ? '' : 's'} + drain) · tick ${s.tickSec} s · pools ${esc(s.pools.join(', '))} · workflows ${esc(s.workflows.length > 4 ? `${s.workflows.length} (${s.workflows.slice(0, 3).join(', ')}, ...)` : s.workflows.join(', ') || 'none')}</p>
</header>
<main>
${verdictSection(verdict)}
${recommendationSection(verdict)}
${settingsSection(report)}
<section id="summary" aria-labelledby="summary-h">
<h2 id="summary-h">Every policy</h2>
${summaryCards(buildSummary(report, focus), report)}
${policyTable(report, focus)}
</section>
<section id="assumptions" aria-labelledby="assumptions-h">
<h2 id="assumptions-h">Assumptions</h2>
${assumptionsBlock(report)}
</section>
<section id="charts" aria-labelledby="charts-h">
<h2 id="charts-h">Charts</h2>
${charts}
</section>
<section id="attribution-section" aria-labelledby="attribution-h">
<h2 id="attribution-h">Cost attribution</h2>
${attributionBlock(data.attribution, report.policies.map((p) => p.policy))}
</section>
</main>
<footer><p>Generated by prescale from ${esc(data.source ?? 'report.json and timeline.csv')}. Self-contained: no network access needed to view or print. Colours: Okabe–Ito palette; each policy also has its own dash and marker.</p></footer>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}
