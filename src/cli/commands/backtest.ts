/**
 * `prescale backtest`: runs the four policies (reactive, predictive-hourly, prescale, oracle) on the
 * embedded default scenario, a scenario file, or real traces, and writes report.md, report.json and
 * timeline.csv. Output is written to a temporary directory and renamed at the end, so a failed run
 * leaves no report that looks complete.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { InputError } from '../../core/model/errors.js';
import { comparisonTable } from '../../app/report/index.js';
import { runBacktest, POLICY_NAMES, type PolicyName } from '../../sim/backtest.js';
import { defaultScenario } from '../../sim/scenario/default.js';
import { parseScenario, type Scenario } from '../../sim/scenario/schema.js';
import { tracesScenario } from '../../sim/scenario/traces.js';
import { writeBacktestReportWithHtml } from '../../sim/write-report.js';
import { createGreedyPlanner, createMilpPlanner, DEFAULT_PLANNER_OPTIONS, type Planner } from '../../core/plan/index.js';
import { loadHighsSolver } from '../../adapters/highs/load-highs.js';

/** Options as commander gives them. */
export interface BacktestCliOptions {
  readonly metrics?: string[];
  readonly workflows?: string[];
  readonly arrivals?: string;
  readonly prices?: string;
  readonly scenario?: string;
  readonly days?: string;
  readonly seed?: string;
  readonly out: string;
  readonly policies?: string;
  readonly forecaster?: string;
  readonly planner?: string;
  readonly hazardFactor?: string;
  readonly leadTimeFactor?: string;
  readonly latencyValue?: string;
  readonly progress?: boolean;
}

function positive(v: string | undefined, field: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new InputError({ field }, v, integer ? 'a positive integer' : 'a positive number');
  return n;
}

/** Builds the scenario the options describe. @throws InputError for bad options or files */
export async function scenarioFromOptions(o: BacktestCliOptions): Promise<Scenario> {
  const days = positive(o.days, '--days');
  const seed = o.seed === undefined ? undefined : Number(o.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new InputError({ field: '--seed' }, o.seed, 'an integer');
  let sc: Scenario;
  if (o.scenario) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(o.scenario, 'utf8'));
    } catch (e) {
      throw new InputError({ file: o.scenario }, e instanceof Error ? e.message : String(e), 'a readable JSON scenario file');
    }
    sc = parseScenario(raw, o.scenario);
    if (days !== undefined || seed !== undefined) sc = parseScenario({ ...sc, ...(days !== undefined ? { days } : {}), ...(seed !== undefined ? { seed } : {}) }, o.scenario);
  } else if (o.metrics?.length || o.workflows?.length) {
    if (!o.metrics?.length) throw new InputError({ field: '--metrics' }, 'nothing', 'metric files when --workflows is given');
    if (!o.workflows?.length) throw new InputError({ field: '--workflows' }, 'nothing', 'WfFormat files or directories when --metrics is given');
    sc = await tracesScenario({ metrics: o.metrics, workflows: o.workflows, arrivals: o.arrivals, pricesDir: o.prices, days, seed });
  } else {
    sc = defaultScenario({ seed, days });
  }
  const hazard = positive(o.hazardFactor, '--hazard-factor');
  const lead = positive(o.leadTimeFactor, '--lead-time-factor');
  if (hazard !== undefined || lead !== undefined) {
    sc = parseScenario({ ...sc, hazardMultiplier: hazard ?? sc.hazardMultiplier, leadTime: { ...sc.leadTime, multiplier: lead ?? sc.leadTime.multiplier } });
  }
  if (o.latencyValue !== undefined) {
    const v = Number(o.latencyValue);
    if (!Number.isFinite(v) || v < 0) throw new InputError({ field: '--latency-value' }, o.latencyValue, 'a number of USD per hour, 0 or more');
    sc = parseScenario({ ...sc, prefetchLatencyValueUsdPerHour: v });
  }
  return sc;
}

function policiesFrom(v: string | undefined): PolicyName[] | undefined {
  if (!v) return undefined;
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(POLICY_NAMES as readonly string[]).includes(n)) throw new InputError({ field: '--policies' }, n, `a comma-separated subset of ${POLICY_NAMES.join(',')}`);
  return names as PolicyName[];
}

/** Progress: a cli-progress bar on a TTY, plain lines under CI or when piped. */
function progressReporter(enabled: boolean): { update: (policy: string, done: number, total: number) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const tty = process.stderr.isTTY && !process.env.CI;
  if (tty) {
    const bar = new cliProgress.SingleBar({ format: '{policy} [{bar}] {percentage}% | {value}/{total} ticks', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    let current = '';
    return {
      update: (policy, done, total) => {
        if (policy !== current) {
          if (current) bar.stop();
          current = policy;
          bar.start(total, done, { policy: policy.padEnd(17) });
        } else bar.update(done, { policy: policy.padEnd(17) });
      },
      stop: () => { if (current) bar.stop(); },
    };
  }
  const lastPct = new Map<string, number>();
  return {
    update: (policy, done, total) => {
      const pct = Math.floor((100 * done) / Math.max(1, total) / 25) * 25;
      if (lastPct.get(policy) === pct) return;
      lastPct.set(policy, pct);
      process.stderr.write(`backtest: ${policy} ${pct}% (${done}/${total} ticks)\n`);
    },
    stop: () => {},
  };
}

/** The planner named by `--planner`. @throws InputError for an unknown name */
async function plannerFrom(name: string | undefined, tickSec: number): Promise<Planner | undefined> {
  if (name === undefined || name === 'greedy') return createGreedyPlanner({ ...DEFAULT_PLANNER_OPTIONS, tickSec });
  if (name === 'milp') return createMilpPlanner(await loadHighsSolver(), { ...DEFAULT_PLANNER_OPTIONS, tickSec });
  throw new InputError({ field: '--planner' }, name, 'greedy or milp');
}

/** Registers `prescale backtest`. */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('Compare reactive, predictive-hourly, prescale and oracle policies on a simulated cloud; writes report.md, report.json and timeline.csv. With no options: the embedded 7-day default scenario.')
    .option('--metrics <files...>', 'metric series files (CSV timestamp,value or `aws cloudwatch get-metric-data` JSON) driving the web pool')
    .option('--workflows <paths...>', 'WfFormat workflow execution files or directories, run as chains on the batch pool')
    .option('--arrivals <file>', 'chain arrivals CSV (timestamp,workflow[,principal] or timestamp,value counts); default: generated from the first metric\'s shape')
    .option('--prices <dir>', 'directory with EC2 price files (see ../shared/data/ec2); default: the embedded price table')
    .option('--scenario <file>', 'a scenario JSON file (src/sim/scenario/schema.ts) instead of the default or traces')
    .option('--days <n>', 'simulated days (default: 7 for the default scenario)')
    .option('--seed <n>', 'random seed (default 42)')
    .option('--policies <list>', `comma-separated subset of ${POLICY_NAMES.join(',')}`)
    .option('--forecaster <name>', 'forecasting of the prescale policy: incremental (MSTL + ETS refitted hourly, updated every 5 minutes), or a model refitted hourly (seasonal-naive, arima, ets, mstl, prophet, robust, select, ensemble)', 'incremental')
    .option('--planner <name>', 'capacity planner of the prescale policy: greedy, or milp (HiGHS, slower)', 'greedy')
    .option('--hazard-factor <x>', 'multiply every spot interruption hazard (sensitivity)')
    .option('--latency-value <usd>', "prescale's value of one hour of step latency saved, USD: the prefetch state cache grows only when the states it keeps are worth its node-hours (default: the scenario's, 0)")
    .option('--lead-time-factor <x>', 'multiply every launch lead time (sensitivity)')
    .option('--no-progress', 'do not print progress')
    .option('--out <dir>', 'output directory', 'out/backtest')
    .action(async (o: BacktestCliOptions) => {
      const sc = await scenarioFromOptions(o);
      const policies = policiesFrom(o.policies);
      const planner = await plannerFrom(o.planner, sc.tickSec);
      const progress = progressReporter(o.progress !== false);
      const t0 = performance.now();
      let outcome;
      try {
        outcome = await runBacktest(sc, { policies, onProgress: progress.update, prescale: { forecasterName: o.forecaster, planner } });
      } finally {
        progress.stop();
      }
      const written = await writeBacktestReportWithHtml(outcome, o.out);
      process.stdout.write(`${comparisonTable(outcome.report)}\n\n${sc.name}: ${sc.days} day(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s; wrote ${written.files.join(', ')}\n`);
    });
}
