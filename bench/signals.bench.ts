/**
 * Signal readers and the SQLite state store: how long reading the shared real data takes, and the
 * store's put / append / time-window read rates. Medians of a few repetitions; writes its section of
 * docs/benchmarks.md. Run: `npm run bench:signals` (about 15 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readMetricSeriesFile } from '../src/adapters/files/metric-file.js';
import { readWorkflowTraces } from '../src/adapters/files/wfformat-reader.js';
import { readAzureFunctionsInvocations } from '../src/adapters/files/azure-functions.js';
import { SqliteStateStore } from '../src/adapters/sqlite/sqlite-state-store.js';
import { writeBenchSection } from './lib/write-section.js';

const DATA = resolve('../shared/data');
const REPS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function readers(): Promise<string[]> {
  const rows: string[] = [];
  const taxi = `${DATA}/cloudwatch/realKnownCause/nyc_taxi.csv`;
  rows.push(`| nyc_taxi.csv (10,320 rows) → MetricSeries | ${(await timeMs(() => readMetricSeriesFile(taxi))).toFixed(1)} |`);
  const traffic = `${DATA}/cloudwatch/realTraffic/occupancy_6005.csv`;
  rows.push(`| occupancy_6005.csv (2,380 irregular rows) → MetricSeries | ${(await timeMs(() => readMetricSeriesFile(traffic))).toFixed(1)} |`);
  const azure = `${DATA}/serverless/azure_functions_2019_vhive_sample/500fn_minutes480-959_invocations.csv`;
  rows.push(`| Azure 500 functions × 480 min → 7 per-trigger series | ${(await timeMs(() => readAzureFunctionsInvocations(azure, { groupBy: 'trigger' }))).toFixed(1)} |`);
  const workflows = `${DATA}/workflows`;
  rows.push(`| all 36 WfInstances (3,177 tasks, 7.4 MB) → WorkflowTrace[] | ${(await timeMs(() => readWorkflowTraces([workflows]))).toFixed(1)} |`);
  return rows;
}

async function store(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-bench-'));
  const rows: string[] = [];
  try {
    for (const [label, path] of [['file (WAL)', join(dir, 'bench.db')], [':memory:', ':memory:']] as const) {
      const s = new SqliteStateStore(path);
      const N = 5000;
      const chain = { chainId: 'c', steps: Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, status: 'pending' })) };
      let t0 = performance.now();
      for (let i = 0; i < N; i++) await s.put('chains', `c${i}`, chain, { ifVersion: 0 });
      const putPerSec = N / ((performance.now() - t0) / 1000);
      const events = Array.from({ length: 100 }, (_, i) => ({ atSec: i, kind: 'started', taskId: `t${i}` }));
      t0 = performance.now();
      for (let b = 0; b < 200; b++) await s.append('events', events.map((e) => ({ ...e, atSec: e.atSec + b * 100 })));
      const appendPerSec = 20_000 / ((performance.now() - t0) / 1000);
      const windowMs = await timeMs(() => s.readLog('events', { fromSec: 10_000, toSec: 10_600 }));
      await s.close();
      rows.push(`| ${label} | ${Math.round(putPerSec).toLocaleString('en-US')} | ${Math.round(appendPerSec).toLocaleString('en-US')} | ${windowMs.toFixed(2)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const loadAtStart = loadavg()[0]!;
const readerRows = await readers();
const storeRows = await store();
const markdown = [
  `1-minute load average when the run started: ${loadAtStart.toFixed(1)} (the machine is shared; figures scale with it).`,
  '',
  'Reading the shared real data (median of 5 reads, including parsing, validation and regularisation):',
  '',
  '| input | median ms |',
  '|---|---:|',
  ...readerRows,
  '',
  'SqliteStateStore (better-sqlite3): 5,000 conditional puts of a 10-step chain (one transaction each), 20,000 log',
  'entries appended in batches of 100, and a 600-entry time-window read out of 20,000 through the (log, at_sec) index:',
  '',
  '| database | puts / s | appended entries / s | window read, median ms |',
  '|---|---:|---:|---:|',
  ...storeRows,
].join('\n');
process.stdout.write(`${markdown}\n`);
writeBenchSection('signals', 'Signal readers and the SQLite state store', markdown, 'npm run bench:signals');
