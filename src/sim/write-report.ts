/**
 * Writes report.md, report.json and timeline.csv into an output directory atomically: everything is
 * written to a temporary sibling directory first and renamed into place at the end, so a failed run
 * never leaves a partial report that looks complete.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { reportJson, reportMarkdown, timelineHeader, timelineLine } from '../app/report/index.js';
import type { BacktestOutcome } from './backtest.js';

/** Paths written. */
export interface WrittenReport {
  readonly dir: string;
  readonly files: readonly string[];
}

/** Writes the outcome to `outDir` (replacing a previous report there). */
export function writeBacktestReport(outcome: BacktestOutcome, outDir: string): WrittenReport {
  const dir = path.resolve(outDir);
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(path.join(tmp, 'report.json'), reportJson(outcome.report));
    writeFileSync(path.join(tmp, 'report.md'), reportMarkdown(outcome.report));
    const fd = openSync(path.join(tmp, 'timeline.csv'), 'w');
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
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: ['report.md', 'report.json', 'timeline.csv'].map((f) => path.join(dir, f)) };
}
