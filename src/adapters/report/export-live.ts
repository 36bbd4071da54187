/**
 * Writes a live deployment's report directory (`prescale export-report`): report.json, report.md,
 * timeline.csv (with spot_cost_usd and ondemand_cost_usd), events.csv and attribution.csv, built by
 * {@link buildLiveExport} from a {@link StateStore}; then report.html. Files go to a temporary
 * sibling directory renamed into place at the end, so a failed export leaves nothing half-written.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { reportJson, reportMarkdown, TIMELINE_COLUMNS } from '../../app/report/index.js';
import { buildLiveExport, csvField, csvNumber, readLiveState, TIMELINE_OPTIONAL_COLUMNS, type HtmlTimelineRow, type LiveExportOptions } from '../../app/report/html/index.js';
import type { StateStore } from '../../ports/state-store.js';
import { writeHtmlReport } from './index.js';
import { writeReportExtras } from './report-dir.js';

/** timeline.csv text with the per-market cost columns appended. */
export function timelineWithMarketCostCsv(rows: readonly HtmlTimelineRow[]): string {
  const head = [...TIMELINE_COLUMNS, ...TIMELINE_OPTIONAL_COLUMNS].join(',');
  const lines = rows.map((r) => [
    r.timestamp, csvField(r.policy), csvField(r.pool), csvNumber(r.demand_units, 4), csvNumber(r.ready_units, 4), csvNumber(r.pending_units, 4),
    csvNumber(r.spot_units, 4), csvNumber(r.ondemand_units, 4), csvNumber(r.cost_usd, 6), csvNumber(r.spot_cost_usd ?? 0, 6), csvNumber(r.ondemand_cost_usd ?? 0, 6),
  ].join(','));
  return `${[head, ...lines].join('\n')}\n`;
}

/** Options of {@link exportLiveReport}. */
export interface ExportLiveReportOptions extends LiveExportOptions {
  /** Footer of report.html saying where the data came from. @default "<source>, exported to <outDir>" */
  readonly htmlSource?: string;
}

/**
 * Exports the window of `store` into `outDir` (replacing it) and renders report.html there.
 * @returns the files written
 */
export async function exportLiveReport(store: StateStore, outDir: string, opts: ExportLiveReportOptions): Promise<string[]> {
  const dir = path.resolve(outDir);
  const out = buildLiveExport(await readLiveState(store, opts.fromSec, opts.toSec), opts);
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await writeFile(path.join(tmp, 'report.json'), reportJson(out.report));
    await writeFile(path.join(tmp, 'report.md'), reportMarkdown(out.report));
    await writeFile(path.join(tmp, 'timeline.csv'), timelineWithMarketCostCsv(out.timeline));
    await writeReportExtras(tmp, { events: out.events, attribution: out.attribution });
    await writeHtmlReport(tmp, { sourceLabel: opts.htmlSource ?? `${opts.source}, exported to ${dir}` });
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return ['report.json', 'report.md', 'timeline.csv', 'events.csv', 'attribution.csv', 'report.html'].map((f) => path.join(dir, f));
}
