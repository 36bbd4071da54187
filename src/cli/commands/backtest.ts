/**
 * `prescale backtest`: runs the four policies (reactive, predictive-hourly, prescale, oracle) on the
 * embedded default scenario, a scenario file, or real traces, and writes report.md, report.json and
 * timeline.csv. Output is written to a temporary directory and renamed at the end, so a failed run
 * leaves no report that looks complete.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../../core/model/errors.js';
import { comparisonTable } from '../../app/report/index.js';
import type { PolicyName } from '../../sim/backtest.js';
import { defaultScenario } from '../../sim/scenario/default.js';
import { parseScenario, type Scenario } from '../../sim/scenario/schema.js';
import { tracesScenario } from '../../sim/scenario/traces.js';
import { applyFleet, mergeFleet, parseFleetFile, type FleetOptions, type FleetSources } from '../../sim/scenario/fleet.js';
import { importAutoScalingGroup, importScalingPolicies } from '../../sim/scenario/asg-import.js';
import { existingDir, expandFiles, oneFile } from '../paths.js';
import { backtestProgress, isProgressTty } from '../progress.js';
import type { Planner } from '../../core/plan/index.js';
import { abTestFromFlag, abTestText } from './backtest-ab.js';

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
  readonly fleet?: string;
  readonly asgJson?: string;
  readonly asgName?: string;
  readonly policiesJson?: string;
  readonly metricPerVcpu?: string;
  readonly pool?: string;
  readonly vcpuMin?: string;
  readonly vcpuMax?: string;
  readonly instanceFamilies?: string;
  readonly minVcpu?: string;
  readonly maxVcpu?: string;
  readonly onDemandBase?: string;
  readonly onDemandPct?: string;
  readonly reactiveTarget?: string;
  readonly warmup?: string;
  readonly cooldown?: string;
  readonly predictiveMode?: string;
  readonly predictiveBuffer?: string;
  readonly predictiveBufferPct?: string;
  /** `--ab [file]`: A/B test of prefetch configurations (backtest-ab.ts). */
  readonly ab?: string | boolean;
}

function positive(v: string | undefined, field: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new InputError({ field }, v, integer ? 'a positive integer' : 'a positive number');
  return n;
}

function nonNegative(v: string | undefined, field: string, max?: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (max !== undefined && n > max)) throw new InputError({ field }, v, max !== undefined ? `a number from 0 to ${max}` : 'a number, 0 or more');
  return n;
}

async function readJson(file: string, flag: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new InputError({ file, field: flag }, e instanceof SyntaxError ? e.message : 'an unreadable file', 'a readable JSON file');
  }
}

const JSON_FILE = ['.json'];

/** The fleet settings of the flags (each sourced to its flag). @throws InputError naming the flag */
export function fleetFromFlags(o: BacktestCliOptions): { options: FleetOptions; sources: FleetSources } {
  const target = o.reactiveTarget;
  if (target !== undefined && !/^\d+(\.\d+)?%$/.test(target) && !(Number(target) > 0 && Number.isFinite(Number(target)))) throw new InputError({ field: '--reactive-target' }, target, 'a metric value per vCPU or a CPU target such as 50%');
  if (target !== undefined && target.endsWith('%') && !(Number(target.slice(0, -1)) > 0 && Number(target.slice(0, -1)) <= 100)) throw new InputError({ field: '--reactive-target' }, target, 'a CPU target from 1% to 100%');
  const mode = o.predictiveMode;
  if (mode !== undefined && mode !== 'ForecastAndScale' && mode !== 'ForecastOnly') throw new InputError({ field: '--predictive-mode' }, mode, 'ForecastAndScale or ForecastOnly');
  const bufferSec = nonNegative(o.predictiveBuffer, '--predictive-buffer', 3600);
  const families = o.instanceFamilies?.split(',').map((x) => x.trim()).filter(Boolean);
  if (families !== undefined && families.length === 0) throw new InputError({ field: '--instance-families' }, o.instanceFamilies, 'a comma-separated list such as m6i,c6i');
  const options: FleetOptions = {
    ...(o.metricPerVcpu !== undefined ? { metricPerVcpu: positive(o.metricPerVcpu, '--metric-per-vcpu') } : {}),
    ...(o.pool !== undefined ? { pool: o.pool } : {}),
    ...(o.vcpuMin !== undefined ? { vcpuMin: positive(o.vcpuMin, '--vcpu-min') } : {}),
    ...(o.vcpuMax !== undefined ? { vcpuMax: positive(o.vcpuMax, '--vcpu-max') } : {}),
    ...(families ? { instanceFamilies: families } : {}),
    ...(o.minVcpu !== undefined ? { minVcpu: nonNegative(o.minVcpu, '--min-vcpu') } : {}),
    ...(o.maxVcpu !== undefined ? { maxVcpu: positive(o.maxVcpu, '--max-vcpu') } : {}),
    ...(o.onDemandBase !== undefined ? { onDemandBaseVcpu: nonNegative(o.onDemandBase, '--on-demand-base') } : {}),
    ...(o.onDemandPct !== undefined ? { onDemandPct: nonNegative(o.onDemandPct, '--on-demand-pct', 100) } : {}),
    ...(target !== undefined ? { reactiveTarget: target.endsWith('%') ? target : Number(target) } : {}),
    ...(o.warmup !== undefined ? { warmupSec: nonNegative(o.warmup, '--warmup') } : {}),
    ...(o.cooldown !== undefined ? { cooldownSec: nonNegative(o.cooldown, '--cooldown') } : {}),
    ...(mode !== undefined ? { predictiveMode: mode } : {}),
    ...(bufferSec !== undefined ? { predictiveBufferSec: Math.round(bufferSec) } : {}),
    ...(o.predictiveBufferPct !== undefined ? { predictiveBufferPct: nonNegative(o.predictiveBufferPct, '--predictive-buffer-pct', 100) } : {}),
  };
  return { options, sources: {} };
}

/** The fleet settings of the imported ASG description and policies, the --fleet file and the flags (later wins). */
async function fleetSettings(o: BacktestCliOptions, sc: Scenario): Promise<{ options: FleetOptions; sources: FleetSources }> {
  const layers: Array<{ options: FleetOptions; sources: FleetSources }> = [];
  const metricPool = sc.pools.find((p) => p.id === (o.pool ?? sc.demandSignals[0]?.poolId)) ?? sc.pools[0];
  let vcpuPerInstance = metricPool.instanceRequirements.vcpuMin;
  if (o.asgName !== undefined && o.asgJson === undefined) throw new InputError({ field: '--asg-name' }, o.asgName, 'an --asg-json file to pick the group from');
  if (o.asgJson) {
    const file = oneFile(o.asgJson, '--asg-json', JSON_FILE, 'describe-auto-scaling-groups JSON file');
    const imp = importAutoScalingGroup(await readJson(file, '--asg-json'), file, sc.prices, vcpuPerInstance, o.asgName);
    if (imp.vcpuPerInstance) vcpuPerInstance = imp.vcpuPerInstance.value;
    layers.push(imp);
  }
  if (o.policiesJson) {
    const file = oneFile(o.policiesJson, '--policies-json', JSON_FILE, 'describe-policies JSON file');
    layers.push(importScalingPolicies(await readJson(file, '--policies-json'), file, vcpuPerInstance));
  }
  if (o.fleet) {
    const file = oneFile(o.fleet, '--fleet', JSON_FILE, 'fleet JSON file');
    layers.push(parseFleetFile(await readJson(file, '--fleet'), file));
  }
  layers.push(fleetFromFlags(o));
  return mergeFleet(...layers);
}

const METRIC_EXT = ['.csv', '.json'];

/** Builds the scenario the options describe. @throws InputError for bad options or files */
export async function scenarioFromOptions(o: BacktestCliOptions): Promise<Scenario> {
  const days = positive(o.days, '--days');
  const seed = o.seed === undefined ? undefined : Number(o.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new InputError({ field: '--seed' }, o.seed, 'an integer');
  fleetFromFlags(o); // bad flags stop before any file is read
  let sc: Scenario;
  if (o.scenario) {
    const file = oneFile(o.scenario, '--scenario', JSON_FILE, 'scenario JSON file');
    const raw = await readJson(file, '--scenario');
    sc = parseScenario(raw, file);
    if (days !== undefined || seed !== undefined) sc = parseScenario({ ...sc, ...(days !== undefined ? { days } : {}), ...(seed !== undefined ? { seed } : {}) }, file);
  } else if (o.metrics?.length || o.workflows?.length || o.arrivals || o.prices) {
    const prices = o.prices ? existingDir(o.prices, '--prices', 'directory of price files (like ../shared/data/ec2)') : undefined;
    const metrics = o.metrics?.length ? expandFiles(o.metrics, '--metrics', METRIC_EXT, 'metric file (CSV or get-metric-data JSON)') : [];
    const workflows = o.workflows?.length ? expandFiles(o.workflows, '--workflows', ['.json'], 'WfFormat JSON file') : [];
    if (metrics.length === 0) throw new InputError({ field: '--metrics' }, 'nothing', `metric files or a directory of them (they drive the web pool${workflows.length ? '; --workflows alone has no metric to scale' : ''})`);
    const arrivals = o.arrivals ? oneFile(o.arrivals, '--arrivals', ['.csv'], 'arrivals CSV or Azure Functions *_invocations.csv') : undefined;
    sc = await tracesScenario({ metrics, workflows, arrivals, pricesDir: prices, days, seed });
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
  return applyFleet(sc, await fleetSettings(o, sc));
}

function policiesFrom(v: string | undefined, POLICY_NAMES: readonly PolicyName[]): PolicyName[] | undefined {
  if (!v) return undefined;
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(POLICY_NAMES as readonly string[]).includes(n)) throw new InputError({ field: '--policies' }, n, `a comma-separated subset of ${POLICY_NAMES.join(',')}`);
  return names as PolicyName[];
}

/** The planner named by `--planner`. @throws InputError for an unknown name */
async function plannerFrom(name: string | undefined, tickSec: number): Promise<Planner | undefined> {
  const { createGreedyPlanner, createMilpPlanner, DEFAULT_PLANNER_OPTIONS } = await import('../../core/plan/index.js');
  if (name === undefined || name === 'greedy') return createGreedyPlanner({ ...DEFAULT_PLANNER_OPTIONS, tickSec });
  if (name === 'milp') return createMilpPlanner(await (await import('../../adapters/highs/load-highs.js')).loadHighsSolver(), { ...DEFAULT_PLANNER_OPTIONS, tickSec });
  throw new InputError({ field: '--planner' }, name, 'greedy or milp');
}

/** Registers `prescale backtest`. */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('Compare the scaling policies (your current one replayed as reactive or predictive-hourly, prescale, the oracle) on a simulated cloud at your fleet\'s scale; writes report.html (verdict first), report.md, report.json and timeline.csv. With no options: the embedded 7-day default scenario.')
    .option('--metrics <paths...>', 'metric series files or directories (CSV timestamp,value or `aws cloudwatch get-metric-data` JSON) driving the web pool')
    .option('--workflows <paths...>', 'WfFormat workflow execution files or directories, run as chains on the batch pool (optional)')
    .option('--arrivals <file>', 'chain arrivals CSV (timestamp,workflow[,principal] or timestamp,value counts), or an Azure Functions *_invocations.csv whose shape chains follow; default: generated from the first metric\'s shape')
    .option('--prices <dir>', 'directory with EC2 price files (see ../shared/data/ec2); default: the embedded price table')
    .option('--scenario <file>', 'a scenario JSON file (src/sim/scenario/schema.ts) instead of the default or traces')
    .option('--metric-per-vcpu <x>', "how your metric maps to capacity: the metric value one vCPU serves (your target-tracking target per vCPU); default for --metrics: each series' p95 needs 8 vCPU")
    .option('--asg-json <file>', 'your group: `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names NAME` output (sizes, instance types, on-demand base and %, warm-up, cooldown)')
    .option('--asg-name <name>', 'the group to use when --asg-json holds several')
    .option('--policies-json <file>', 'your scaling policies: `aws autoscaling describe-policies --auto-scaling-group-name NAME` output (target tracking target and warm-up; predictive scaling mode and buffers)')
    .option('--fleet <file>', 'a JSON file of the settings below (keys metricPerVcpu, pool, vcpuMin, vcpuMax, instanceFamilies, minVcpu, maxVcpu, onDemandBaseVcpu, onDemandPct, reactiveTarget, warmupSec, cooldownSec, predictiveMode, predictiveBufferSec, predictiveBufferPct); flags win over it, it wins over --asg-json')
    .option('--pool <id>', 'the pool the shape flags apply to (default: the pool your metric drives)')
    .option('--vcpu-min <n>', 'smallest instance size, vCPU')
    .option('--vcpu-max <n>', 'largest instance size, vCPU')
    .option('--instance-families <list>', 'allowed instance families, e.g. m6i,c6i')
    .option('--min-vcpu <n>', 'pool minimum, vCPU (the group\'s MinSize)')
    .option('--max-vcpu <n>', 'pool maximum, vCPU (the group\'s MaxSize)')
    .option('--on-demand-base <n>', 'on-demand base capacity, vCPU')
    .option('--on-demand-pct <p>', 'on-demand percentage above base, 0-100')
    .option('--reactive-target <x>', 'your target-tracking target: a metric value per vCPU (as --metric-per-vcpu; default: the same, i.e. no headroom) or a CPU target such as 50%')
    .option('--warmup <sec>', 'your instance warm-up, seconds (default 0)')
    .option('--cooldown <sec>', 'your scale-in cooldown, seconds (default 300)')
    .option('--predictive-mode <mode>', 'your predictive scaling mode: ForecastAndScale (default) or ForecastOnly')
    .option('--predictive-buffer <sec>', 'your predictive scaling SchedulingBufferTime, seconds (default 300)')
    .option('--predictive-buffer-pct <p>', 'percent added to the predictive capacity forecast (default 0)')
    .option('--days <n>', 'simulated days (default: 7 for the default scenario)')
    .option('--seed <n>', 'random seed (default 42)')
    .option('--policies <list>', 'comma-separated subset of the policies (default: all; an unknown name lists them)')
    .option('--forecaster <name>', 'forecasting of the prescale policy: incremental (MSTL + ETS refitted hourly, updated every 5 minutes), or a model refitted hourly (seasonal-naive, arima, ets, mstl, prophet, robust, select, ensemble)', 'incremental')
    .option('--planner <name>', 'capacity planner of the prescale policy: greedy, or milp (HiGHS, slower)', 'greedy')
    .option('--hazard-factor <x>', 'multiply every spot interruption hazard (sensitivity)')
    .option('--latency-value <usd>', "prescale's value of one hour of step latency saved, USD: the prefetch state cache grows only when the states it keeps are worth its node-hours (default: the scenario's, 0)")
    .option('--lead-time-factor <x>', 'multiply every launch lead time (sensitivity)')
    .option('--ab [file]', 'A/B test of prefetch configurations inside the prescale policy: chains assigned to arms by the hash of their principal (else chain id); prints per-arm hit rate, setup seconds saved, wasted CPU and USD, latency, the z-test (hit rate) and Welch t-test (latency) against the control, and the winner with its confidence. FILE: JSON of the arms (`prefetch.abTest` of the controller config, or a config holding it); none: the defaults against a wider arm')
    .option('--no-progress', 'do not print progress')
    .option('--out <dir>', 'output directory', 'out/backtest')
    .action(async (o: BacktestCliOptions) => {
      // the simulator and the report renderer load only once the options are known to be good
      const sc = await scenarioFromOptions(o);
      const abTest = await abTestFromFlag(o.ab);
      const { runBacktest, POLICY_NAMES } = await import('../../sim/backtest.js');
      const { writeBacktestReportWithHtml } = await import('../../sim/write-report.js');
      const policies = policiesFrom(o.policies, POLICY_NAMES);
      const planner = await plannerFrom(o.planner, sc.tickSec);
      const names = POLICY_NAMES.filter((n) => (policies ?? POLICY_NAMES).includes(n));
      const progress = o.progress === false ? { update: () => {}, stop: () => {} } : backtestProgress({ policies: names, tty: isProgressTty() });
      const t0 = performance.now();
      let outcome;
      try {
        outcome = await runBacktest(sc, { policies, onProgress: progress.update, prescale: { forecasterName: o.forecaster, planner, ...(abTest ? { abTest } : {}) } });
      } finally {
        progress.stop();
      }
      const written = await writeBacktestReportWithHtml(outcome, o.out);
      const ab = abTest ? `${abTestText(outcome.report)}\n\n` : '';
      process.stdout.write(`${comparisonTable(outcome.report)}\n\n${ab}${sc.name}: ${sc.days} day(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s; wrote ${written.files.join(', ')}\n`);
    });
}
