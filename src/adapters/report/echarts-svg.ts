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
    const svg = chart.renderToSVGString();
    return svg.replace(/\bzr\d+-/g, `${idPrefix}-`);
  } finally {
    chart.dispose();
  }
}
