/**
 * Writes a backtest's report directory atomically: report.md, report.json, timeline.csv and, when the
 * outcome has them, the optional extra files forecast.csv, events.csv and attribution.csv (formats in
 * src/app/report/html/extras.ts). Everything is written to a temporary sibling directory first and
 * renamed into place at the end, so a failed run never leaves a partial report that looks complete.
 * {@link writeBacktestReportWithHtml} also renders report.html inside the temporary directory before
 * the rename.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { writeHtmlReport } from '../adapters/report/index.js';
import { reportJson, reportMarkdown, timelineHeader, timelineLine } from '../app/report/index.js';
import { attributionCsvText, eventsCsvText, EXTRA_FILES, forecastCsvText } from '../app/report/html/extras.js';
import type { BacktestOutcome } from './backtest.js';

/** Paths written. */
export interface WrittenReport {
  readonly dir: string;
  readonly files: readonly string[];
}

/** Writes every file of the outcome into `dir` (an existing, empty directory); returns the file names. */
function writeFiles(outcome: BacktestOutcome, dir: string): string[] {
  const names = ['report.md', 'report.json', 'timeline.csv'];
  writeFileSync(path.join(dir, 'report.json'), reportJson(outcome.report));
  writeFileSync(path.join(dir, 'report.md'), reportMarkdown(outcome.report));
  const fd = openSync(path.join(dir, 'timeline.csv'), 'w');
  try {
    let buf = timelineHeader();
    for (const r of outcome.timeline) {
      buf += timelineLine(r);
      if (buf.length > 1 << 20) { writeSync(fd, buf); buf = ''; }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  const x = outcome.extras;
  if (x) {
    writeFileSync(path.join(dir, EXTRA_FILES.forecast), forecastCsvText(x.forecast));
    writeFileSync(path.join(dir, EXTRA_FILES.events), eventsCsvText(x.events));
    writeFileSync(path.join(dir, EXTRA_FILES.attribution), attributionCsvText(x.attribution));
    names.push(EXTRA_FILES.forecast, EXTRA_FILES.events, EXTRA_FILES.attribution);
  }
  return names;
}

function tempDirFor(outDir: string): { dir: string; tmp: string } {
  const dir = path.resolve(outDir);
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return { dir, tmp };
}

function commit(dir: string, tmp: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** Writes the outcome to `outDir` (replacing a previous report there), without report.html. */
export function writeBacktestReport(outcome: BacktestOutcome, outDir: string): WrittenReport {
  const { dir, tmp } = tempDirFor(outDir);
  let names: string[];
  try {
    names = writeFiles(outcome, tmp);
    commit(dir, tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: names.map((f) => path.join(dir, f)) };
}

/**
 * Writes the outcome to `outDir` like {@link writeBacktestReport} and renders `report.html` with
 * `writeHtmlReport` (src/adapters/report) before the rename, so the directory appears complete or not
 * at all.
 * @throws InputError from the HTML renderer when a written file does not parse (nothing is left behind)
 */
export async function writeBacktestReportWithHtml(outcome: BacktestOutcome, outDir: string): Promise<WrittenReport> {
  const { dir, tmp } = tempDirFor(outDir);
  let names: string[];
  try {
    names = writeFiles(outcome, tmp);
    await writeHtmlReport(tmp, { sourceLabel: 'report.json, timeline.csv, forecast.csv, events.csv and attribution.csv beside this page' });
    names.push('report.html');
    commit(dir, tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: names.map((f) => path.join(dir, f)) };
}
