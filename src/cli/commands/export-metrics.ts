/**
 * `prescale export-metrics`: reads a user's CloudWatch history with GetMetricData (the same
 * CloudWatchMetricsSource the Lambda uses) and saves one `timestamp,value` CSV per series, which
 * `prescale backtest --metrics` reads. Everything is fetched before anything is written, and each
 * file is written to a temporary name and renamed, so a failure leaves no half-written file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CloudWatchMetricsSource, parseSeriesDefs, type SeriesDefs } from '../../adapters/aws/cloudwatch-metrics-source.js';
import { cloudWatchApi, type CloudWatchApi } from '../../adapters/aws/sdk.js';
import { InputError, type MetricSeries } from '../../core/model/index.js';

/** Options as commander passes them. */
export interface ExportMetricsOptions {
  readonly series: string;
  readonly start: string;
  readonly end?: string;
  readonly period: string;
  readonly out: string;
  readonly region?: string;
  readonly ids?: string;
}

const DURATION_RE = /^(\d+)([mhd])$/;
const UNIT_SEC: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/**
 * Parses `--start`/`--end`: an ISO 8601 date-time, epoch seconds, or a duration before `nowSec`
 * (`14d`, `6h`, `90m`).
 * @throws InputError naming the option
 */
export function parseWhen(text: string, field: string, nowSec: number): number {
  const d = DURATION_RE.exec(text);
  if (d) return nowSec - Number(d[1]) * UNIT_SEC[d[2]];
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new InputError({ field }, text, 'an ISO 8601 time (2026-11-01T00:00:00Z), epoch seconds or a duration ago (14d, 6h, 90m)');
  return ms / 1000;
}

/** One series as `timestamp,value` CSV (ISO 8601 UTC); gap periods (NaN) are left out. */
export function seriesCsv(s: MetricSeries): string {
  const rows = ['timestamp,value'];
  s.values.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    rows.push(`${new Date((s.startSec + i * s.periodSec) * 1000).toISOString().replace('.000Z', 'Z')},${v}`);
  });
  return `${rows.join('\n')}\n`;
}

/** A file name for a series id. */
export function fileNameOf(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`;
}

/**
 * Fetches the series and writes them under `outDir`.
 * @returns the files written with their row counts
 * @throws InputError for bad options or definitions; AWS errors as the source raises them
 */
export async function exportMetrics(
  api: CloudWatchApi, defs: SeriesDefs, opts: { ids: string[]; startSec: number; endSec: number; periodSec: number; outDir: string },
  progress: (line: string) => void = () => {},
): Promise<Array<{ file: string; rows: number }>> {
  if (!(opts.endSec > opts.startSec)) throw new InputError({ field: '--end' }, new Date(opts.endSec * 1000).toISOString(), `a time after --start (${new Date(opts.startSec * 1000).toISOString()})`);
  const source = new CloudWatchMetricsSource({ api, series: defs });
  progress(`fetching ${opts.ids.length} series at ${opts.periodSec} s from CloudWatch`);
  const series = await source.fetch({ seriesIds: opts.ids, startSec: opts.startSec, endSec: opts.endSec, periodSec: opts.periodSec });
  mkdirSync(opts.outDir, { recursive: true });
  const written: Array<{ file: string; rows: number }> = [];
  for (const s of series) {
    const file = join(opts.outDir, fileNameOf(s.id));
    const text = seriesCsv(s);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    const rows = text.split('\n').length - 2;
    written.push({ file, rows });
    progress(`wrote ${file} (${rows} rows, ${s.values.length - rows} gap periods)`);
  }
  return written;
}

/** Registers `prescale export-metrics`. */
export function registerExportMetrics(program: Command, apiFor: (region: string) => CloudWatchApi = (region) => cloudWatchApi({ region })): void {
  program
    .command('export-metrics')
    .description('Save CloudWatch metric history (GetMetricData) as timestamp,value CSV files for `prescale backtest --metrics`')
    .requiredOption('--series <file>', 'JSON file of series definitions: {"<id>": {"kind":"metric","namespace","metricName","dimensions","stat"} | {"kind":"expression","expression","metrics":{...}}}')
    .option('--start <when>', 'start: ISO time, epoch seconds or a duration ago (14d, 6h)', '14d')
    .option('--end <when>', 'end: ISO time, epoch seconds or a duration ago (default now)')
    .option('--period <sec>', 'period in seconds (60, 300, 3600, ...; 1-minute data is kept 15 days, 5-minute 63 days)', '300')
    .option('--out <dir>', 'directory for the CSV files', 'metrics')
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--ids <list>', 'comma-separated series ids to export (default all in --series)')
    .action(async (o: ExportMetricsOptions) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(o.series, 'utf8'));
      } catch (err) {
        throw new InputError({ file: o.series }, (err as Error).message, 'a readable JSON file of series definitions');
      }
      const defs = parseSeriesDefs(raw, o.series);
      const nowSec = Math.floor(Date.now() / 1000);
      const period = Number(o.period);
      if (!Number.isInteger(period) || period <= 0) throw new InputError({ field: '--period' }, o.period, 'a positive whole number of seconds');
      const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) throw new InputError({ field: '--region' }, undefined, 'a region (--region or AWS_REGION)');
      const ids = o.ids ? o.ids.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(defs);
      await exportMetrics(apiFor(region), defs, {
        ids, startSec: parseWhen(o.start, '--start', nowSec), endSec: o.end ? parseWhen(o.end, '--end', nowSec) : nowSec, periodSec: period, outDir: o.out,
      }, (line) => process.stderr.write(`${line}\n`));
    });
}
