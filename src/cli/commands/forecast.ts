/**
 * `prescale forecast --input FILE... --horizon H [--level 80] [--format csv|json]`: forecasts each
 * file's series H steps past its last timestamp, at the series' own step, and prints
 * `series,step,timestamp,mean,lo_80,hi_80,model` (CSV) or the same fields as a JSON array.
 * Files are forecast across cores with worker threads; rows come out in input order. Nothing is
 * written to stdout before every file has been read and checked: when no file is good, stdout stays
 * empty (no lone CSV header). Bad files are reported on stderr (one line each) after the good files'
 * rows, and the exit code is 2.
 */
import type { Command } from 'commander';
import { forecastFiles } from '../../adapters/forecast/pool.js';
import type { ForecastRow } from '../../adapters/forecast/forecast-file.js';
import { DEFAULT_FORECASTER, FORECASTER_NAMES } from '../../core/forecast/index.js';
import { InputError } from '../../core/model/errors.js';
import { expandFiles } from '../paths.js';

/**
 * Largest `--horizon`: 20,160 steps (two weeks of 1-minute steps; use a coarser step beyond).
 * Rows are held in memory until every file is checked; without a bound, 10^9 steps took 14 GB.
 */
export const MAX_HORIZON = 20_160;

/** Parsed options of the forecast command. */
interface ForecastCliOptions {
  readonly input: string[];
  readonly horizon: string;
  readonly level: string;
  readonly format: string;
  readonly model: string;
  readonly threads?: string;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(10))) : 'NaN';
}

function isoSec(tSec: number): string {
  return new Date(tSec * 1000).toISOString().replace('.000Z', 'Z');
}

/** Checks and converts the command's options. @throws InputError naming the option */
export function parseForecastOptions(o: ForecastCliOptions): { horizon: number; levelPct: number; format: 'csv' | 'json'; model: string; threads?: number } {
  const horizon = Number(o.horizon);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) throw new InputError({ field: '--horizon' }, o.horizon, `an integer >= 1 and <= ${MAX_HORIZON} (steps to forecast)`);
  const levelPct = Number(o.level);
  if (!(levelPct > 0 && levelPct < 100)) throw new InputError({ field: '--level' }, o.level, 'a percentage between 0 and 100, e.g. 80');
  if (o.format !== 'csv' && o.format !== 'json') throw new InputError({ field: '--format' }, o.format, 'csv or json');
  if (!(FORECASTER_NAMES as readonly string[]).includes(o.model)) throw new InputError({ field: '--model' }, o.model, `one of ${FORECASTER_NAMES.join(', ')}`);
  let threads: number | undefined;
  if (o.threads !== undefined) {
    threads = Number(o.threads);
    if (!Number.isInteger(threads) || threads < 1) throw new InputError({ field: '--threads' }, o.threads, 'an integer >= 1');
  }
  return { horizon, levelPct, format: o.format, model: o.model, threads };
}

/** Registers `prescale forecast`. */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('Forecast metric series from timestamp,value files (one series per file) and print mean and interval per step')
    .requiredOption('--input <files...>', 'input files or directories of them: CSV timestamp,value (epoch seconds or ISO 8601) or get-metric-data JSON')
    .requiredOption('--horizon <steps>', `steps to forecast after the last timestamp, at the series' own step (1..${MAX_HORIZON})`)
    .option('--level <percent>', 'central prediction interval level in percent (columns lo_<level>, hi_<level>)', '80')
    .option('--format <format>', 'output format: csv or json', 'csv')
    .option('--model <name>', `forecasting model: ${FORECASTER_NAMES.join(', ')}`, DEFAULT_FORECASTER)
    .option('--threads <n>', 'worker threads (default: available cores)')
    .action(async (raw: ForecastCliOptions) => {
      const o = parseForecastOptions(raw);
      const inputs = expandFiles(raw.input, '--input', ['.csv', '.json'], 'metric file (CSV or get-metric-data JSON)');
      const lvl = String(o.levelPct);
      const cols = ['series', 'step', 'timestamp', 'mean', `lo_${lvl}`, `hi_${lvl}`, 'model'];
      const json: Array<Record<string, string | number>> = [];
      const errors: string[] = [];
      let inputErrorsOnly = true;
      const csv: string[] = [];
      const toRecord = (r: ForecastRow): Record<string, string | number> => ({
        series: r.series,
        step: r.step,
        timestamp: isoSec(r.timestampSec),
        mean: Number(num(r.mean)),
        [`lo_${lvl}`]: Number(num(r.lo)),
        [`hi_${lvl}`]: Number(num(r.hi)),
        model: r.model,
      });
      await forecastFiles(inputs, o, (res) => {
        if (!res.ok) {
          errors.push(res.message.startsWith(res.file) ? res.message : `${res.file}: ${res.message}`);
          if (!res.inputError) inputErrorsOnly = false;
          return;
        }
        if (o.format === 'json') {
          for (const r of res.rows) json.push(toRecord(r));
          return;
        }
        const lines = res.rows.map((r) => [csvField(r.series), String(r.step), isoSec(r.timestampSec), num(r.mean), num(r.lo), num(r.hi), csvField(r.model)].join(','));
        csv.push(...lines);
      });
      const anyGood = errors.length < inputs.length;
      if (anyGood && o.format === 'json') process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      if (anyGood && o.format === 'csv') process.stdout.write(`${[cols.join(','), ...csv].join('\n')}\n`);
      for (const e of errors) process.stderr.write(`prescale: ${e}\n`);
      if (errors.length > 0) process.exitCode = inputErrorsOnly ? 2 : 1;
    });
}
