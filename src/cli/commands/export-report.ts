/**
 * `prescale export-report`: exports a live deployment's decision log, executions and chains from its
 * SQLite state store into a report directory (the same files a backtest writes) and renders
 * report.html there. Bad options stop with the one-line InputError and exit code 2.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { exportLiveReport } from '../../adapters/report/index.js';
import { SqliteStateStore } from '../../adapters/sqlite/sqlite-state-store.js';
import { InputError } from '../../core/model/errors.js';
import { AbTestConfigSchema } from '../../core/model/learning-config.js';
import { abTestFromFlag } from './backtest-ab.js';

/** Options as commander gives them. */
export interface ExportReportCliOptions {
  readonly db: string;
  readonly start: string;
  readonly end?: string;
  readonly step: string;
  readonly out: string;
  readonly policy: string;
  /** `--ab <file>`: the deployment's A/B arms (backtest-ab.ts `abTestFromFlag`). */
  readonly ab?: string;
}

/**
 * Parses a time option: ISO 8601, epoch seconds, or a duration before `nowSec` ("7d", "12h", "30m").
 * @throws InputError naming the option and value
 */
export function parseWhen(v: string, field: string, nowSec: number): number {
  const ago = /^(\d+(?:\.\d+)?)([smhd])$/.exec(v.trim());
  if (ago) return Math.round(nowSec - Number(ago[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[ago[2] as 's' | 'm' | 'h' | 'd']);
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new InputError({ field }, v, 'an ISO 8601 time, epoch seconds, or a duration ago such as 7d, 12h, 30m');
  return Math.round(ms / 1000);
}

/** Registers `prescale export-report`. */
export function registerExportReport(program: Command): void {
  program
    .command('export-report')
    .description('Export a live deployment\'s decision log, executions and costs from its SQLite state store into a report directory (report.json, report.md, timeline.csv, events.csv, attribution.csv) and write report.html there.')
    .option('--db <file>', 'SQLite state store of the deployment (`prescale serve --db`)', '.prescale/chains.db')
    .option('--start <when>', 'window start: ISO time, epoch seconds or a duration ago (7d, 12h)', '7d')
    .option('--end <when>', 'window end (default now)')
    .option('--step <sec>', 'timeline step in seconds', '300')
    .option('--policy <name>', 'policy name written in the report', 'prescale')
    .option('--ab <file>', 'the deployment\'s A/B test of prefetch configurations (its controller config, or its `prefetch.abTest` section, as JSON): adds per-arm hit rate, setup seconds saved, wasted CPU and USD and latency, with the z-test (hit rate) and Welch t-test (latency) against the control and the winner, to report.json, report.md and report.html')
    .option('--out <dir>', 'output directory', 'out/live-report')
    .action(async (o: ExportReportCliOptions) => {
      const nowSec = Math.floor(Date.now() / 1000);
      const fromSec = parseWhen(o.start, '--start', nowSec);
      const toSec = o.end === undefined ? nowSec : parseWhen(o.end, '--end', nowSec);
      if (!(toSec > fromSec)) throw new InputError({ field: '--end' }, o.end ?? 'now', `a time after --start (${new Date(fromSec * 1000).toISOString()})`);
      const step = Number(o.step);
      if (!Number.isInteger(step) || step <= 0) throw new InputError({ field: '--step' }, o.step, 'a positive whole number of seconds');
      const abInput = o.ab === undefined ? undefined : await abTestFromFlag(o.ab);
      const abTest = abInput ? AbTestConfigSchema.parse(abInput) : undefined;
      if (!existsSync(o.db)) throw new InputError({ file: o.db, field: '--db' }, o.db, 'an existing SQLite state store (see `prescale serve --db`)');
      const store = new SqliteStateStore(o.db);
      try {
        const files = await exportLiveReport(store, o.out, { fromSec, toSec, bucketSec: step, policy: o.policy, source: `state store ${o.db}`, ...(abTest ? { abTest } : {}) });
        process.stdout.write(`wrote ${files.join(', ')}\n`);
      } finally {
        await store.close();
      }
    });
}
