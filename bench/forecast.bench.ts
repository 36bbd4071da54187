/**
 * Forecast benchmark (issue 3 protocol): for each named series in ../shared/data/cloudwatch,
 * regularise to the median step, take 6 rolling origins at the end spaced by H = 12 steps, train on
 * at most the last 14 days before each origin, forecast 12 steps. Scores: MASE (scale = in-sample
 * seasonal-naive MAE, season = one day of steps) averaged over origins then series; share of
 * held-out values inside the 80% interval; milliseconds per series forecast (one core, median of
 * the per-series means). Writes its section of docs/benchmarks.md.
 *
 * Run: npm run bench:forecast   (set FORECAST_BENCH_MODELS=arima,ensemble to run a subset)
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { readMetricSeriesFile } from '../src/adapters/files/metric-file.js';
import { createIsolatedArimaEngine } from '../src/adapters/forecast/isolated-arima.js';
import { rollingOriginEvaluate, type RollingOriginProtocol } from '../src/core/forecast/evaluate.js';
import { createForecaster, FORECASTER_NAMES } from '../src/core/forecast/index.js';
import type { Forecaster } from '../src/core/forecast/types.js';
import { writeBenchSection } from './lib/write-section.js';

const DATA = resolve(process.cwd(), '../shared/data/cloudwatch');
const SERIES = [
  'realKnownCause/nyc_taxi.csv',
  'realKnownCause/cpu_utilization_asg_misconfiguration.csv',
  'realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv',
  'realAWSCloudwatch/rds_cpu_utilization_e47b3b.csv',
  'realAWSCloudwatch/grok_asg_anomaly.csv',
  'realAWSCloudwatch/ec2_cpu_utilization_53ea38.csv',
  'realAWSCloudwatch/elb_request_count_8c0756.csv',
  'realAWSCloudwatch/ec2_network_in_257a54.csv',
  'realTweets/Twitter_volume_AMZN.csv',
];
const H = 12;
const REFERENCE = [
  ['R auto.arima (non-seasonal)', '0.499', '0.90', '~680'],
  ['R auto.arima + Fourier terms', '0.589', '', ''],
  ['R stlf', '0.745', '', ''],
  ['R seasonal naive', '1.339', '', ''],
];

interface Row {
  readonly model: string;
  readonly perSeries: Array<{ id: string; mase: number; coverage: number; coverage95: number; ms: number; chosen: string }>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function mostCommon(xs: readonly string[]): string {
  const c = new Map<string, number>();
  for (const x of xs) c.set(x.replace(/\(.*$/, ''), (c.get(x.replace(/\(.*$/, '')) ?? 0) + 1);
  return [...c.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

async function main(): Promise<void> {
  const wanted = (process.env.FORECAST_BENCH_MODELS ?? FORECASTER_NAMES.join(',')).split(',').filter(Boolean);
  const engine = createIsolatedArimaEngine();
  const series = [];
  for (const rel of SERIES) {
    const [first] = await readMetricSeriesFile(resolve(DATA, rel));
    series.push(first.series);
  }
  const rows: Row[] = [];
  for (const name of wanted) {
    const f: Forecaster = createForecaster(name, { arimaEngine: engine });
    const row: Row = { model: name, perSeries: [] };
    for (const s of series) {
      const daySteps = Math.round(86_400 / s.periodSec);
      const protocol: RollingOriginProtocol = { horizon: H, origins: 6, maxTrainSteps: 14 * daySteps, seasonSteps: daySteps, level: 0.8, extraLevels: [0.95] };
      const c0 = process.cpuUsage();
      const score = rollingOriginEvaluate(f, s, protocol);
      const c1 = process.cpuUsage(c0);
      // CPU time of this (single-threaded) process: robust to other work sharing the machine.
      const ms = (c1.user + c1.system) / 1000 / protocol.origins;
      row.perSeries.push({ id: s.id, mase: score.mase, coverage: score.coverage, coverage95: score.coverageByLevel['0.95'], ms, chosen: mostCommon(score.models) });
    }
    rows.push(row);
    const avg = row.perSeries.reduce((a, r) => a + r.mase, 0) / row.perSeries.length;
    const cov = row.perSeries.reduce((a, r) => a + r.coverage, 0) / row.perSeries.length;
    const cov95 = row.perSeries.reduce((a, r) => a + r.coverage95, 0) / row.perSeries.length;
    process.stdout.write(`${name.padEnd(16)} MASE ${avg.toFixed(3)}  cov80 ${cov.toFixed(3)}  cov95 ${cov95.toFixed(3)}  ms/series ${median(row.perSeries.map((r) => r.ms)).toFixed(1)}\n`);
    for (const r of row.perSeries) process.stdout.write(`   ${r.id.padEnd(40)} ${r.mase.toFixed(3)} ${r.coverage.toFixed(2)} ${r.ms.toFixed(1)}ms ${r.chosen}\n`);
  }
  writeBenchSection('forecast', 'Forecast accuracy, coverage and speed (issue 3 protocol)', render(rows), 'npm run bench:forecast');
}

function render(rows: Row[]): string {
  const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines: string[] = [];
  lines.push('Protocol: 9 series under `../shared/data/cloudwatch`, regularised to the median step; 6 rolling origins spaced H = 12 steps at the end of each series; training on at most the last 14 days before each origin; 12-step forecasts. MASE uses the in-sample seasonal-naive MAE (season = one day of steps) as scale, averaged over origins then series. Coverage is the share of held-out values inside the 80% (and 95%) central interval. Time is CPU milliseconds per series forecast on one core (process CPU time, so other load on the machine inflates it less than wall time; median over series of the mean over origins; it includes the ensemble cross-validation and calibration).', '');
  lines.push('| model | MASE | 80% coverage | 95% coverage | ms per series (median) | ms per series (max) |', '|---|---|---|---|---|---|');
  for (const r of rows) {
    const m = r.perSeries.reduce((a, x) => a + x.mase, 0) / r.perSeries.length;
    const c = r.perSeries.reduce((a, x) => a + x.coverage, 0) / r.perSeries.length;
    const c95 = r.perSeries.reduce((a, x) => a + x.coverage95, 0) / r.perSeries.length;
    lines.push(`| ${r.model} | ${fmt(m)} | ${fmt(c, 2)} | ${fmt(c95, 2)} | ${fmt(median(r.perSeries.map((x) => x.ms)), 1)} | ${fmt(Math.max(...r.perSeries.map((x) => x.ms)), 1)} |`);
  }
  for (const [name, m, c, ms] of REFERENCE) lines.push(`| ${name} (reference, R 4.2 forecast 8.20) | ${m} | ${c || 'n/a'} | n/a | ${ms || 'n/a'} | |`);
  lines.push('', `Goal: MASE <= 0.47, 80% coverage in 0.77-0.85, < 70 ms per series. Load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min; the machine is shared, so CPU times are upper bounds).`, '', '### MASE per series', '');
  lines.push(`| series | ${rows.map((r) => r.model).join(' | ')} |`, `|---|${rows.map(() => '---').join('|')}|`);
  const ids = rows[0]?.perSeries.map((p) => p.id) ?? [];
  ids.forEach((id, i) => lines.push(`| ${id} | ${rows.map((r) => `${fmt(r.perSeries[i].mase)} (${fmt(r.perSeries[i].coverage, 2)})`).join(' | ')} |`));
  lines.push('', 'Cells: MASE (80% coverage).');
  const ens = rows.find((r) => r.model === 'ensemble');
  if (ens) {
    lines.push('', '### Ensemble: model with the largest weight per series (most frequent over origins)', '');
    lines.push('| series | leading model |', '|---|---|');
    for (const p of ens.perSeries) lines.push(`| ${p.id} | ${p.chosen} |`);
  }
  return lines.join('\n');
}

await main();
