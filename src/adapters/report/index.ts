/**
 * The HTML report's I/O side: ECharts server-side SVG rendering, reading report directories, and
 * {@link writeHtmlReport}, which the backtest and `prescale report` call.
 */
import path from 'node:path';
import { renderReportHtml, type HtmlReportOptions } from '../../app/report/html/index.js';
import { renderChartSvg } from './echarts-svg.js';
import { readReportDir, writeFileAtomic } from './report-dir.js';

export { renderChartSvg } from './echarts-svg.js';
export { readReportDir, writeReportExtras, writeFileAtomic, type ReportExtras } from './report-dir.js';

/** Options of {@link writeHtmlReport}. */
export interface WriteHtmlReportOptions extends HtmlReportOptions {
  /** Where to write the page. @default `<dir>/report.html` */
  readonly outFile?: string;
  /** Where the data came from, as shown in the page's footer. @default `dir` */
  readonly sourceLabel?: string;
}

/**
 * Reads the report directory `dir` and writes its self-contained `report.html` (atomically).
 * @returns the path written
 * @throws InputError when `dir` lacks report.json or timeline.csv or a file is malformed
 */
export async function writeHtmlReport(dir: string, opts: WriteHtmlReportOptions = {}): Promise<string> {
  const data = { ...(await readReportDir(dir)), ...(opts.sourceLabel ? { source: opts.sourceLabel } : {}) };
  const html = renderReportHtml(data, renderChartSvg, opts);
  const out = path.resolve(opts.outFile ?? path.join(dir, 'report.html'));
  await writeFileAtomic(out, html);
  return out;
}
export { exportLiveReport, timelineWithMarketCostCsv, type ExportLiveReportOptions } from './export-live.js';
