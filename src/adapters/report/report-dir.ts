/**
 * Reading a report directory (a backtest's output, or `prescale export-report`'s) into the HTML
 * report's {@link ReportData}, and writing the optional extra files into one.
 *
 * Required: `report.json`, `timeline.csv`. Optional: `forecast.csv`, `events.csv`, `attribution.csv`
 * (formats in src/app/report/html/extras.ts); an absent optional file leaves its charts as notes.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../core/model/errors.js';
import {
  attributionCsvText, eventsCsvText, EXTRA_FILES, forecastCsvText, parseAttributionCsv, parseEventsCsv, parseForecastCsv,
  parseReportJson, parseTimelineCsv, type AttributionRow, type EventRow, type ForecastRow, type ReportData,
} from '../../app/report/html/index.js';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError({ file }, code ?? String(e), `a readable ${what}${code === 'ENOENT' ? ' (run `prescale backtest` or `prescale export-report` to write one)' : ''}`);
  }
}

async function readOptional<T>(dir: string, name: string, parse: (text: string, file: string) => T): Promise<T | undefined> {
  const file = path.join(dir, name);
  if (!existsSync(file)) return undefined;
  return parse(await readText(file, name), file);
}

/**
 * Reads a report directory.
 * @throws InputError when the directory, report.json or timeline.csv is missing or malformed, or an optional file is malformed (file, line, column named)
 */
export async function readReportDir(dir: string): Promise<ReportData> {
  if (!existsSync(dir)) throw new InputError({ file: dir }, 'missing', 'a report directory holding report.json and timeline.csv');
  const reportFile = path.join(dir, 'report.json');
  const timelineFile = path.join(dir, 'timeline.csv');
  const report = parseReportJson(await readText(reportFile, 'report.json'), reportFile);
  const timeline = parseTimelineCsv(await readText(timelineFile, 'timeline.csv'), timelineFile);
  return {
    report,
    timeline,
    forecast: await readOptional(dir, EXTRA_FILES.forecast, parseForecastCsv),
    events: await readOptional(dir, EXTRA_FILES.events, parseEventsCsv),
    attribution: await readOptional(dir, EXTRA_FILES.attribution, parseAttributionCsv),
    source: dir,
  };
}

/** Writes `text` to `file` through a temporary sibling and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The optional extra files' rows (any may be omitted: that file is then not written). */
export interface ReportExtras {
  readonly forecast?: readonly ForecastRow[];
  readonly events?: readonly EventRow[];
  readonly attribution?: readonly AttributionRow[];
}

/**
 * Writes forecast.csv, events.csv and attribution.csv (those given) into `dir`, sorted as the
 * `*CsvText` writers sort them.
 * @returns the paths written
 */
export async function writeReportExtras(dir: string, extras: ReportExtras): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, text: string): Promise<void> => {
    const file = path.join(dir, name);
    await writeFileAtomic(file, text);
    written.push(file);
  };
  if (extras.forecast) await put(EXTRA_FILES.forecast, forecastCsvText(extras.forecast));
  if (extras.events) await put(EXTRA_FILES.events, eventsCsvText(extras.events));
  if (extras.attribution) await put(EXTRA_FILES.attribution, attributionCsvText(extras.attribution));
  return written;
}
