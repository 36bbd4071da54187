/**
 * Renders a chart option to an SVG string with Apache ECharts' server-side rendering (SVG renderer,
 * `ssr: true`, no DOM; ECharts handbook, "Server-Side Rendering"). Element ids and class names that
 * ECharts numbers per process (`zr0-…`, `zr1-…`) are renamed after the chart's own id, so several
 * charts can share one page and the same input gives the same bytes in any process.
 */
import * as echarts from 'echarts';
import type { ChartOption } from '../../app/report/html/chart-kit.js';

/**
 * Renders `option` at `widthPx` × `heightPx` and returns the `<svg>` element's text.
 * @param idPrefix prefix for the SVG's ids and classes (letters, digits and '-'; e.g. "c3")
 * @throws Error when ECharts rejects the option
 */
export function renderChartSvg(option: ChartOption, widthPx: number, heightPx: number, idPrefix: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(idPrefix)) throw new Error(`renderChartSvg: idPrefix must be letters, digits and '-', got ${JSON.stringify(idPrefix)}`);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: widthPx, height: heightPx });
  try {
    chart.setOption(option as echarts.EChartsOption);
    return renumberIds(chart.renderToSVGString(), idPrefix);
  } finally {
    chart.dispose();
  }
}

/**
 * Replaces ECharts' process-wide numbering in ids and class names (`zr3-c12`, `zr3-cls-40`) by
 * `<prefix>-c0`, `<prefix>-cls-0`... numbered in order of first appearance within this SVG.
 */
export function renumberIds(svg: string, prefix: string): string {
  const seen = new Map<string, string>();
  const next = new Map<string, number>();
  return svg.replace(/\bzr\d+-([a-z]+(?:-[a-z]+)*?)-?(\d+)\b/g, (whole, kind: string) => {
    let mapped = seen.get(whole);
    if (!mapped) {
      const n = next.get(kind) ?? 0;
      next.set(kind, n + 1);
      mapped = `${prefix}-${kind}${kind.endsWith('cls') ? '-' : ''}${n}`;
      seen.set(whole, mapped);
    }
    return mapped;
  });
}
