/**
 * Runs one suite case (bench/suite/cases.ts): builds the traces scenario, runs reactive,
 * predictive-hourly, karpenter, prescale and the oracle, solves the lower bound, and returns plain
 * numbers (structured-clone safe, so a Piscina worker can return them). Also the Piscina entry point.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readWorkflowTraces } from '../../src/adapters/files/wfformat-reader.js';
import { runBacktest } from '../../src/sim/backtest.js';
import { belowLowerBound } from '../../src/sim/bounds/lower-bound.js';
import { tracesScenario } from '../../src/sim/scenario/traces.js';
import { caseFiles, type SuiteCase } from './cases.js';

/** One policy's figures on a case. */
export interface CasePolicy {
  readonly policy: string;
  readonly costUsd: number;
  readonly xLowerBound: number;
  readonly xOracle: number;
  readonly p95WaitSec: number;
  readonly unmetUnitSec: number;
  readonly spotInterruptions: number;
  readonly launches: number;
  /** Spot risk signals (sim/cloud/spot-risk.ts) and the variant switches they caused. */
  readonly rebalanceRecommendations?: number;
  readonly insufficientCapacityErrors?: number;
  readonly iceEpisodes?: number;
  readonly variantSwitches?: number;
  /** EC2 (+ Lambda) cost per pool, USD (the gap's decomposition per pool). */
  readonly poolUsd?: Readonly<Record<string, number>>;
  /** Share of minutes each pool left some metric demand unserved (report PoolSummary `metricShortShare`; absent in results saved before session 14). */
  readonly poolShortShare?: Readonly<Record<string, number>>;
}

/** A case's result. */
export interface CaseResult {
  readonly id: string;
  readonly what: string;
  readonly days: number;
  readonly seed: number;
  readonly chains: number;
  readonly tasks: number;
  readonly lowerBoundUsd: number;
  /** The bound per pool, USD (with granularity rows / without). */
  readonly lowerBoundByPool?: ReadonlyArray<{ readonly poolId: string; readonly usd: number; readonly relaxedUsd: number }>;
  /** The dearest price per unit-hour in the bound (the oracle check prices unmet demand at it). */
  readonly maxUsdPerUnitHour?: number;
  /** Every oracle strategy's run (the oracle is the cheapest that serves all demand). */
  readonly oracleStrategies?: ReadonlyArray<{ readonly name: string; readonly costUsd: number; readonly unmetDemandUnitSec: number; readonly allChainsCompleted: boolean; readonly p95WaitSec: number }>;
  readonly policies: readonly CasePolicy[];
  /** Policies under their lower-bound floor (should never happen). */
  readonly belowBound: ReadonlyArray<{ policy: string; costUsd: number; floorUsd: number }>;
  readonly wallSec: number;
}

/** Per-minute invocation counts of the most bursty function (highest coefficient of variation) in an Azure 2019 invocations file. */
export function azureBurstiestCounts(file: string): number[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  let best: number[] = [];
  let bestCv = -1;
  for (const line of lines) {
    const counts = line.split(',').slice(4).map(Number);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    if (mean <= 0) continue;
    const sd = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length);
    if (sd / mean > bestCv) { bestCv = sd / mean; best = counts; }
  }
  return best;
}

/**
 * Writes an arrivals CSV (`timestamp,workflow`): the day of per-minute counts repeated over `days`
 * days, scaled so chains bring about `batchUnits` vCPU of work on average; each crossing of a whole
 * chain of the cumulative scaled count is one arrival, spread inside its minute; workflows alternate
 * over `apps`. Deterministic.
 */
export function writeAzureArrivals(out: string, counts: readonly number[], days: number, apps: readonly string[], meanWorkVcpuSec: number, batchUnits = 16): void {
  const meanPerMin = counts.reduce((a, b) => a + b, 0) / counts.length;
  const scale = ((batchUnits / meanWorkVcpuSec) * 60) / meanPerMin;
  const rows = ['timestamp,workflow'];
  let acc = 0;
  let n = 0;
  for (let d = 0; d < days; d++) {
    counts.forEach((c, m) => {
      const before = Math.floor(acc);
      acc += c * scale;
      const k = Math.floor(acc) - before;
      for (let j = 0; j < k; j++) rows.push(`${d * 86_400 + m * 60 + Math.floor(((j + 0.5) * 60) / k)},${apps[n++ % apps.length]}`);
    });
  }
  writeFileSync(out, `${rows.join('\n')}\n`);
}

/**
 * The traces scenario of suite case `c` at `days` days (the Azure cases' arrivals CSV written under
 * the OS temp dir): the one scenario setup of the suite benchmarks (this file and
 * bench/predict-prefetch-suite.ts).
 */
export async function caseScenario(c: SuiteCase, dataDir: string, days: number): Promise<Awaited<ReturnType<typeof tracesScenario>>> {
  const f = caseFiles(c, dataDir);
  let arrivals: string | undefined;
  if (f.azure) {
    const traces = await readWorkflowTraces(f.workflows, { defaultPool: 'batch' });
    const work = traces.map((t) => t.workflow.variants[0].tasks.reduce((s, x) => s + Math.min(16, x.resource_requirements.vcpu) * (x.runtime?.meanSec ?? 60), 0));
    const apps = [...new Set(traces.map((t) => t.workflowName))].sort();
    const dir = path.join(os.tmpdir(), 'prescale-suite');
    mkdirSync(dir, { recursive: true });
    arrivals = path.join(dir, `${c.id}-${days}d.csv`);
    writeAzureArrivals(arrivals, azureBurstiestCounts(f.azure), days + 2, apps, work.reduce((a, b) => a + b, 0) / work.length);
  }
  return tracesScenario({
    metrics: f.metrics, workflows: f.workflows, pricesDir: f.prices, days, seed: c.seed, ...(arrivals ? { arrivals } : {}),
    ...(c.onDemandVariant ? { onDemandVariant: true } : {}), ...(c.hazardMultiplier !== undefined ? { hazardMultiplier: c.hazardMultiplier } : {}),
  });
}

/**
 * A screen's baseline for case `id` at `days` days: the result a full run wrote to
 * `<dir>/<id>.json` (bench/backtest.bench.ts writes out/bench-suite/), or undefined when it is
 * missing, failed or was run at other days.
 */
/**
 * The saved result of case `c` at `days` in `dir` (`<case id>.json`, as the suite writes it), when a
 * finished run of the same days and seed left one; undefined for a missing, unreadable or failed case.
 * Used by a screen's baseline and by the suite's `--resume`.
 */
export function savedCase(dir: string, c: SuiteCase, days: number): CaseResult | undefined {
  try {
    const r = JSON.parse(readFileSync(path.join(dir, `${c.id}.json`), 'utf8')) as Partial<CaseResult> & { failed?: boolean };
    return !r.failed && r.id === c.id && r.days === days && r.seed === c.seed && Array.isArray(r.policies) ? (r as CaseResult) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one case. */
export async function runCase(c: SuiteCase, dataDir: string, daysOverride?: number): Promise<CaseResult> {
  const t0 = performance.now();
  const days = daysOverride ?? c.days;
  const sc = await caseScenario(c, dataDir, days);
  // BACKTEST_SCREEN=DIR: a screen of a prescale change. Only prescale runs; the other policies, the
  // oracle and the lower bound come from DIR/<id>.json written by a full run of the same days on the
  // commit screened against (valid only while the change leaves them alone: every figure is
  // byte-deterministic per seed). A case without a baseline runs in full. A screen does not check
  // prescale against the bound's floor (the full run does).
  const screenDir = process.env.BACKTEST_SCREEN;
  const baseline = screenDir ? savedCase(screenDir, c, days) : undefined;
  // screening knobs (defaults: the product's): BACKTEST_LAMBDA_BURST=0 turns the Lambda tier off,
  // BACKTEST_DRAIN_TOLERANCE_SEC=off|N, BACKTEST_LOWER_KNOWN_STEPS=0|1 and BACKTEST_RESIDUAL_REGIMES=0|1 set the tick's known-step options,
  // BACKTEST_BURST_WAIT_SEC=N prescale's burst wait budget, BACKTEST_BURST_WAIT_VALUE=USD per step-hour of wait, BACKTEST_PROGRESS=0|1|earlier the tick's use of step progress,
  // BACKTEST_ARRIVAL_HEADROOM=0|1 its arrival headroom (issue 19 item 6), BACKTEST_BURST_ROUTING=planned|dispatch who decides a burst,
  // BACKTEST_COVERAGE_GAMMA=γ the metric pools' adaptive conformal coverage step (session 14; 0 = off),
  // BACKTEST_SCREEN=DIR prescale alone against a full run's results (above)
  const env = process.env;
  const tol = env.BACKTEST_DRAIN_TOLERANCE_SEC;
  const knownSteps = {
    ...(tol !== undefined ? { drainToleranceSec: tol === 'off' ? null : Number(tol) } : {}),
    ...(env.BACKTEST_LOWER_KNOWN_STEPS !== undefined ? { lowerKnownSteps: env.BACKTEST_LOWER_KNOWN_STEPS === '1' } : {}),
    ...(env.BACKTEST_RESIDUAL_REGIMES !== undefined ? { residualRegimes: env.BACKTEST_RESIDUAL_REGIMES === '1' } : {}), // session 13: the task residual per idle/active regime
    ...(env.BACKTEST_PROGRESS !== undefined ? { useProgress: env.BACKTEST_PROGRESS === 'earlier' ? 'earlier' as const : env.BACKTEST_PROGRESS === '1' } : {}), // issue 22: running steps end when their progress says
  };
  const burstScenario = env.BACKTEST_LAMBDA_BURST === '0' ? { ...sc, lambdaBurst: false } : sc;
  // BACKTEST_WARM_POOLS=1|0 turns EC2 warm pools on or off for prescale (issue 19; the scenario's default otherwise)
  const warmScenario = env.BACKTEST_WARM_POOLS === undefined ? burstScenario : { ...burstScenario, warmPools: env.BACKTEST_WARM_POOLS === '1' };
  // BACKTEST_TASK_SERVICE_LEVEL=q sets the task pools' service level (the `batch*` pools; a screen's knob: it changes the scenario for every policy that runs)
  const taskLevel = env.BACKTEST_TASK_SERVICE_LEVEL;
  const scenario = taskLevel === undefined ? warmScenario : { ...warmScenario, pools: warmScenario.pools.map((p) => (p.id.startsWith('batch') ? { ...p, serviceLevel: Number(taskLevel) } : p)) };
  const { report, lowerBound, spotRisk, oracleStrategies } = await runBacktest(scenario, { policies: baseline ? ['prescale'] : ['reactive', 'predictive-hourly', 'karpenter', 'prescale', 'oracle'], lowerBound: !baseline, prescale: { knownSteps, ...(env.BACKTEST_COVERAGE_GAMMA !== undefined ? { coverageGamma: Number(env.BACKTEST_COVERAGE_GAMMA) } : {}), ...(env.BACKTEST_BURST_ROUTING ? { burstRouting: env.BACKTEST_BURST_ROUTING === 'planned' ? 'planned' as const : 'dispatch' as const } : {}), ...(env.BACKTEST_ARRIVAL_HEADROOM !== undefined ? { arrivalHeadroom: env.BACKTEST_ARRIVAL_HEADROOM === '1' } : {}), ...(env.BACKTEST_BURST_WAIT_SEC ? { burstWaitBudgetSec: Number(env.BACKTEST_BURST_WAIT_SEC) } : {}), ...(env.BACKTEST_BURST_WAIT_VALUE ? { burstWaitValueUsdPerHour: Number(env.BACKTEST_BURST_WAIT_VALUE) } : {}) } });
  if (baseline) {
    const p = report.policies[0];
    const oracleCost = baseline.policies.find((x) => x.policy === 'oracle')!.costUsd;
    const fresh: CasePolicy = {
      policy: 'prescale', costUsd: p.cost.totalUsd, xLowerBound: p.cost.totalUsd / baseline.lowerBoundUsd, xOracle: p.cost.totalUsd / oracleCost,
      p95WaitSec: p.stepWait.p95Sec, unmetUnitSec: p.unmetDemandUnitSec, spotInterruptions: p.spotInterruptions, launches: p.launches ?? 0,
      rebalanceRecommendations: spotRisk[0].rebalanceRecommendations, insufficientCapacityErrors: spotRisk[0].insufficientCapacityErrors,
      iceEpisodes: spotRisk[0].iceEpisodes, variantSwitches: spotRisk[0].variantSwitches,
      ...(p.pools ? { poolUsd: Object.fromEntries(p.pools.map((x) => [x.poolId, x.ec2CostUsd])), poolShortShare: Object.fromEntries(p.pools.map((x) => [x.poolId, x.metricShortShare])) } : {}),
    };
    return {
      ...baseline,
      policies: baseline.policies.map((x) => (x.policy === 'prescale' ? fresh : x)),
      belowBound: baseline.belowBound.filter((x) => x.policy !== 'prescale'),
      wallSec: (performance.now() - t0) / 1000,
    };
  }
  const lb = lowerBound!;
  const oracleUsd = report.policies.find((p) => p.policy === 'oracle')!.cost.totalUsd;
  const maxTaskVcpu = Math.max(1, ...sc.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => t.resource_requirements.vcpu))));
  return {
    id: c.id, what: c.what, days, seed: c.seed, chains: report.policies[0].chainsSubmitted, tasks: report.policies[0].tasksSubmitted,
    lowerBoundUsd: lb.totalUsd,
    lowerBoundByPool: lb.byPool,
    maxUsdPerUnitHour: lb.maxUsdPerUnitHour,
    ...(oracleStrategies ? { oracleStrategies } : {}),
    policies: report.policies.map((p, i) => ({
      policy: p.policy, costUsd: p.cost.totalUsd, xLowerBound: p.cost.totalUsd / lb.totalUsd, xOracle: p.cost.totalUsd / oracleUsd,
      p95WaitSec: p.stepWait.p95Sec, unmetUnitSec: p.unmetDemandUnitSec, spotInterruptions: p.spotInterruptions, launches: p.launches ?? 0,
      rebalanceRecommendations: spotRisk[i].rebalanceRecommendations, insufficientCapacityErrors: spotRisk[i].insufficientCapacityErrors,
      iceEpisodes: spotRisk[i].iceEpisodes, variantSwitches: spotRisk[i].variantSwitches,
      ...(p.pools ? { poolUsd: Object.fromEntries(p.pools.map((x) => [x.poolId, x.ec2CostUsd])), poolShortShare: Object.fromEntries(p.pools.map((x) => [x.poolId, x.metricShortShare])) } : {}),
    })),
    belowBound: belowLowerBound(report, lb, maxTaskVcpu),
    wallSec: (performance.now() - t0) / 1000,
  };
}

/** Piscina entry point: `{ case, dataDir, days? }` → {@link CaseResult}. */
export default async function run(task: { c: SuiteCase; dataDir: string; days?: number }): Promise<CaseResult> {
  return runCase(task.c, task.dataDir, task.days);
}
