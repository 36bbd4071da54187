/**
 * `prescale signals`: reads the signal files a backtest would read (metric series, workflow traces,
 * arrivals, Azure Functions invocations) and reports what was read and what regularisation repaired,
 * so a user can check their data before running `prescale backtest`. Bad input stops with the one-line
 * InputError (file, line or field, value, expectation) and exit code 2.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SqliteStateStore } from '../../adapters/sqlite/sqlite-state-store.js';
import { readSavedFingerprintBook } from '../../app/history/fingerprint-hooks.js';
import { readArrivalsFile } from '../../adapters/files/arrivals-file.js';
import { readAzureFunctionsInvocations } from '../../adapters/files/azure-functions.js';
import { readMetricSeriesFile, TIMESTAMP_EXPECTATION, type ReadSeries } from '../../adapters/files/metric-file.js';
import { readWorkflowTraces } from '../../adapters/files/wfformat-reader.js';
import { InputError } from '../../core/model/errors.js';
import { parseTimestampSec } from '../../core/signals/timestamps.js';
import { expandFiles, oneFile } from '../paths.js';
import { readExecutionEventsFile } from '../../adapters/files/execution-events-file.js';
import { traceEvents, workflowFingerprint, type WorkflowFingerprint } from '../../core/predict/fingerprint.js';
import type { WorkflowTrace } from '../../core/signals/wfformat.js';

/** Options of `prescale signals` as commander gives them. */
export interface SignalsCliOptions {
  readonly metrics?: string[];
  readonly workflows?: string[];
  readonly arrivals?: string;
  readonly azure?: string[];
  readonly groupBy?: string;
  readonly dayStart?: string;
  readonly period?: string;
  readonly allowNegative?: boolean;
  readonly json?: boolean;
  /** Execution-event files (JSON array or JSON lines). */
  readonly events?: string[];
  /** Workflow whose fingerprint to show (from --events, else from the --workflows traces). */
  readonly fingerprint?: string;
  /** Rolling window of the fingerprint, days. */
  readonly windowDays?: string;
  /** SQLite state store whose persisted fingerprint --fingerprint shows (issue 22). */
  readonly db?: string;
}

/** One metric series read, with its regularisation report. */
export interface SeriesSummary {
  readonly id: string;
  /** ISO 8601 time of the first period. */
  readonly start: string;
  readonly periodSec: number;
  readonly periods: number;
  readonly pointsRead: number;
  readonly duplicatesMerged: number;
  readonly gapPeriods: number;
  readonly gapsFilled: number;
  /** Periods still `NaN` (long gaps). */
  readonly missing: number;
}

/** One workflow trace read. */
export interface TraceSummary {
  readonly id: string;
  readonly workflow: string;
  readonly tasks: number;
  readonly taskTypes: number;
  readonly recordedMakespanSec?: number;
  readonly reconstructedMakespanSec: number;
}

/** Everything `prescale signals` read. */
export interface SignalsSummary {
  readonly series: SeriesSummary[];
  readonly workflows: TraceSummary[];
  readonly arrivals?: { readonly file: string; readonly kind: 'chains' | 'counts'; readonly chains: number };
  /** The workflow's fingerprint, when --fingerprint asked for it (issue 22). */
  readonly fingerprint?: WorkflowFingerprint;
}

/**
 * Reads every file named in `opts` and summarises it.
 * @throws InputError on any bad input (see the readers) or a bad option value
 */
export async function summariseSignals(opts: SignalsCliOptions): Promise<SignalsSummary> {
  const periodSec = opts.period !== undefined ? Number(opts.period) : undefined;
  if (periodSec !== undefined && !(Number.isFinite(periodSec) && periodSec > 0)) {
    throw new InputError({ field: '--period' }, opts.period, 'a period in seconds > 0');
  }
  const groupBy = opts.groupBy ?? 'total';
  if (groupBy !== 'total' && groupBy !== 'trigger' && groupBy !== 'function') {
    throw new InputError({ field: '--group-by' }, groupBy, 'total, trigger or function');
  }
  const dayStartSec = opts.dayStart !== undefined ? parseTimestampSec(opts.dayStart) : 0;
  if (dayStartSec === undefined) throw new InputError({ field: '--day-start' }, opts.dayStart, TIMESTAMP_EXPECTATION);
  const read: ReadSeries[] = [];
  const metrics = opts.metrics?.length ? expandFiles(opts.metrics, '--metrics', ['.csv', '.json'], 'metric file (CSV or get-metric-data JSON)') : [];
  const azure = opts.azure?.length ? expandFiles(opts.azure, '--azure', ['_invocations.csv'], 'Azure Functions *_invocations.csv file') : [];
  const workflows = opts.workflows?.length ? expandFiles(opts.workflows, '--workflows', ['.json'], 'WfFormat JSON file') : [];
  const arrivalsFile = opts.arrivals ? oneFile(opts.arrivals, '--arrivals', ['.csv'], 'arrivals CSV file') : undefined;
  for (const f of metrics) {
    read.push(...(await readMetricSeriesFile(f, { ...(periodSec !== undefined ? { periodSec } : {}), allowNegative: opts.allowNegative ?? false, negativeHint: 'signed metrics need --allow-negative' })));
  }
  for (const f of azure) read.push(...(await readAzureFunctionsInvocations(f, { groupBy, dayStartSec })));
  const traces = workflows.length ? await readWorkflowTraces(workflows) : [];
  const known = traces.length > 0 ? [...new Set(traces.map((t) => t.workflowName))] : undefined;
  const arrivals = arrivalsFile ? await readArrivalsFile(arrivalsFile, known ? { knownWorkflows: known } : {}) : undefined;
  const fingerprint = opts.fingerprint === undefined ? undefined : opts.db !== undefined ? await persistedFingerprintOf(opts.fingerprint, opts.db) : fingerprintOf(opts, traces);
  return {
    ...(fingerprint ? { fingerprint } : {}),
    series: read.map(({ series, report }) => ({
      id: series.id,
      start: new Date(series.startSec * 1000).toISOString(),
      periodSec: series.periodSec,
      periods: series.values.length,
      pointsRead: report.pointsRead,
      duplicatesMerged: report.duplicatesMerged,
      gapPeriods: report.gapPeriods,
      gapsFilled: report.gapsFilled,
      missing: series.values.filter(Number.isNaN).length,
    })),
    workflows: traces.map((t) => ({
      id: t.id,
      workflow: t.workflowName,
      tasks: t.tasks.length,
      taskTypes: Object.keys(t.runtimeByType).length,
      ...(t.recordedMakespanSec !== undefined ? { recordedMakespanSec: t.recordedMakespanSec } : {}),
      reconstructedMakespanSec: t.reconstructedMakespanSec,
    })),
    ...(arrivals
      ? { arrivals: { file: arrivals.file, kind: arrivals.kind, chains: arrivals.kind === 'chains' ? arrivals.arrivals.length : arrivals.series.values.reduce((s, v) => s + (Number.isNaN(v) ? 0 : Math.round(v)), 0) } }
      : {}),
  };
}

/**
 * The --fingerprint workflow's fingerprint as the controller persisted it in the --db state store
 * (app/history/fingerprint-hooks.ts; its own rolling window, up to its last tick).
 * @throws InputError when the store is missing, holds no fingerprint, or none of the workflow
 */
async function persistedFingerprintOf(workflow: string, db: string): Promise<WorkflowFingerprint> {
  if (!existsSync(db)) throw new InputError({ file: db, field: '--db' }, db, 'an existing SQLite state store (the controller\'s `--db`)');
  const store = new SqliteStateStore(db);
  try {
    const book = await readSavedFingerprintBook(store);
    if (!book || book.throughSec === null) throw new InputError({ file: db, field: '--db' }, db, 'a state store with a persisted fingerprint (the controller tick saves it every tick)');
    if (!book.workflows().includes(workflow)) throw new InputError({ field: '--fingerprint' }, workflow, `a workflow of the persisted fingerprint: ${book.workflows().join(', ') || '(none in its window)'}`);
    return book.fingerprint(workflow, book.throughSec);
  } finally {
    await store.close();
  }
}

/**
 * The --fingerprint workflow's fingerprint over the last --window-days (default 7) before the newest
 * event, from the --events files, or else from the --workflows traces (one chain per trace).
 * @throws InputError for a bad window, no events, or a workflow with no chain in the window
 */
function fingerprintOf(opts: SignalsCliOptions, traces: readonly WorkflowTrace[]): WorkflowFingerprint {
  const days = opts.windowDays !== undefined ? Number(opts.windowDays) : 7;
  if (!(Number.isFinite(days) && days > 0)) throw new InputError({ field: '--window-days' }, opts.windowDays, 'a number of days > 0 (e.g. 7 or 30)');
  const files = opts.events?.length ? expandFiles(opts.events, '--events', ['.json', '.jsonl'], 'execution-events file (JSON array or JSON lines)') : [];
  const events = files.length > 0 ? files.flatMap((f) => readExecutionEventsFile(f)) : traceEvents(traces);
  if (events.length === 0) throw new InputError({ field: '--fingerprint' }, opts.fingerprint, 'execution events to build it from: pass --events or --workflows');
  const nowSec = Math.max(...events.map((e) => e.atSec)) + 1;
  const fp = workflowFingerprint(events, opts.fingerprint!, nowSec, days * 86_400);
  if (fp.chains === 0) {
    const known = [...new Set(events.map((e) => e.workflow))].sort();
    throw new InputError({ field: '--fingerprint' }, opts.fingerprint, `a workflow with chains in the last ${days} day(s): ${known.join(', ')}`);
  }
  return fp;
}

function formatFingerprint(fp: WorkflowFingerprint): string {
  const n = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const head = `fingerprint of ${fp.workflow}: ${fp.chains} chain(s) from ${new Date(fp.fromSec * 1000).toISOString()} to ${new Date(fp.toSec * 1000).toISOString()} (${n(fp.windowSec / 86_400, 0)}-day window${fp.persisted ? ', persisted' : ''})`;
  const nodes = table(
    ['task_type', 'runs', 'failures', 'runtime_p50_s', 'runtime_p95_s', 'runtime_mean_s', 'vcpu_p50', 'memory_gib_p50'],
    fp.nodes.map((x) => [x.taskType, x.runs, x.failures, n(x.runtimeSec.p50), n(x.runtimeSec.p95), n(x.runtimeSec.mean), n(x.vcpu.p50), n(x.memoryGiB.p50)]),
  );
  const edges = table(
    ['from', 'to', 'transitions', 'probability', 'delay_p50_s', 'delay_p95_s', 'data_bytes_p50'],
    fp.edges.map((e) => [e.from, e.to, e.transitions, n(e.probability, 3), n(e.delaySec.p50), n(e.delaySec.p95), n(e.dataBytes.p50, 0)]),
  );
  const bundles = fp.persisted ? 'persisted by the controller: bundles and frequent paths are not kept in it (the bundle book mines them each hour), nor vCPU and memory' : fp.bundles.length > 0 ? fp.bundles.map((b) => `bundle: ${b.root} → ${b.members.join(', ')} (confidence ${b.confidence.toFixed(2)}, ${b.rootChains} chains)`).join('\n') : 'bundles: none (no task types follow a root in ≥ 90 % of ≥ 3 chains)';
  const paths = fp.paths.slice(0, 10).map((p) => `path: ${p.path.join(' → ')} (support ${p.support.toFixed(2)})`).join('\n');
  return [head, nodes, edges, bundles, ...(paths ? [paths] : [])].join('\n\n');
}

/** Renders a summary as aligned plain-text tables. */
export function formatSignalsSummary(s: SignalsSummary): string {
  const parts: string[] = [];
  if (s.series.length > 0) {
    parts.push(table(
      ['series', 'start', 'period_s', 'periods', 'points', 'duplicates_merged', 'gap_periods', 'gaps_filled', 'missing'],
      s.series.map((x) => [x.id, x.start, x.periodSec, x.periods, x.pointsRead, x.duplicatesMerged, x.gapPeriods, x.gapsFilled, x.missing]),
    ));
  }
  if (s.workflows.length > 0) {
    parts.push(table(
      ['trace', 'workflow', 'tasks', 'task_types', 'recorded_makespan_s', 'reconstructed_makespan_s'],
      s.workflows.map((w) => [w.id, w.workflow, w.tasks, w.taskTypes, w.recordedMakespanSec?.toFixed(1) ?? '-', w.reconstructedMakespanSec.toFixed(1)]),
    ));
  }
  if (s.arrivals) parts.push(`arrivals: ${s.arrivals.file} (${s.arrivals.kind}): ${s.arrivals.chains} chains`);
  if (s.fingerprint) parts.push(formatFingerprint(s.fingerprint));
  return parts.length > 0 ? `${parts.join('\n\n')}\n` : 'nothing to read: pass --metrics, --workflows, --arrivals or --azure\n';
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => r[j]!.length)));
  return cells.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd()).join('\n');
}

/** Adds `prescale signals` to `program`. */
export function registerSignals(program: Command): void {
  program
    .command('signals')
    .description('Read metric series, workflow traces and arrivals and report what was read and repaired (gaps, duplicates), without running anything')
    .option('--metrics <paths...>', 'timestamp,value CSV files or aws cloudwatch get-metric-data / get-metric-statistics JSON files, or directories of them')
    .option('--workflows <paths...>', 'WfCommons WfFormat JSON files or directories (walked for *.json)')
    .option('--arrivals <file>', 'chain arrivals CSV: timestamp,workflow[,principal] or timestamp,value counts')
    .option('--azure <paths...>', 'Azure Functions 2019 *_invocations.csv files (per-minute counts), or directories of them')
    .option('--group-by <how>', 'for --azure: total, trigger or function', 'total')
    .option('--day-start <timestamp>', 'for --azure: 00:00 of the trace day (the trace has no dates)', '1970-01-01T00:00:00Z')
    .option('--period <seconds>', 'regularise metric series to this step (default: the median raw step)')
    .option('--allow-negative', 'accept negative metric values (default: a negative value is an error)')
    .option('--events <paths...>', 'execution-event files (JSON array or JSON lines of started/finished/progress events), or directories of them')
    .option('--fingerprint <workflow>', "show the workflow's fingerprint: execution graph, runtime distributions, edge data sizes, frequent paths and bundles (from --events, else --workflows)")
    .option('--window-days <days>', 'rolling window of the fingerprint, days before the newest event', '7')
    .option('--db <file>', "with --fingerprint: show the fingerprint the controller persisted in this SQLite state store (its own window, fingerprint.windowDays, up to its last tick) instead of building one from --events")
    .option('--json', 'print the summary as JSON')
    .action(async (opts: SignalsCliOptions) => {
      const summary = await summariseSignals(opts);
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSignalsSummary(summary));
    });
}
