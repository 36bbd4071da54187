/**
 * The backtest: runs every policy on its own world built from the same scenario and seed, then
 * builds the report and the timeline. Deterministic: the same scenario gives the same bytes.
 */
import { buildReport, type BacktestReport, type PolicyRawResult, type TimelineRow } from '../app/report/index.js';
import { percentile } from '../app/report/build.js';
import { metricDemandByPool } from './demand-grid.js';
import { createOraclePolicy, ORACLE_STRATEGIES, type OracleStrategy } from './policies/oracle.js';
import { createPredictiveHourlyPolicy } from './policies/predictive-hourly.js';
import { createPrescalePolicy, type PrescalePolicyOptions } from './policies/prescale.js';
import { createReactivePolicy } from './policies/reactive.js';
import { createKarpenterPolicy } from './policies/karpenter.js';
import { flexibleWorkGroups, lowerBoundInputs, solveLowerBound, type FlexibleWorkGroup } from './bounds/lower-bound.js';
import type { LowerBoundResult } from '../core/plan/lower-bound.js';
import { runPolicy, type BacklogRecorder, type RunExtraRows, type SpotRiskCounts } from './run-policy.js';
import type { Scenario } from './scenario/schema.js';
import type { SimPolicy } from './policies/types.js';
import type { World } from './world.js';

/** Policies in report order. */
export const POLICY_NAMES = ['reactive', 'predictive-hourly', 'karpenter', 'prescale', 'oracle'] as const;
/**
 * Policies run when none are named: the four of the default report (the `karpenter` baseline runs
 * when asked for, as the scenario suite of `npm run bench:backtest` does).
 */
export const DEFAULT_POLICY_NAMES: readonly PolicyName[] = ['reactive', 'predictive-hourly', 'prescale', 'oracle'];
/** A policy name. */
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Options of a backtest. */
export interface BacktestOptions {
  /** Which policies to run (report order is kept). @default {@link DEFAULT_POLICY_NAMES} */
  readonly policies?: readonly PolicyName[];
  /**
   * Also solve the `lower-bound` LP (src/sim/bounds/lower-bound.ts) from the oracle's world (needs
   * `oracle` among the policies). @default false
   */
  readonly lowerBound?: boolean;
  /** Progress per policy: ticks done of the total. */
  readonly onProgress?: (policy: string, done: number, total: number) => void;
  readonly prescale?: PrescalePolicyOptions;
  /** The oracle's strategies, cheapest feasible one reported ({@link runOracle}). @default ORACLE_STRATEGIES */
  readonly oracleStrategies?: readonly OracleStrategy[];
}

/** The outcome of a backtest. */
export interface BacktestOutcome {
  readonly report: BacktestReport;
  readonly timeline: readonly TimelineRow[];
  /** Rows of forecast.csv, events.csv and attribution.csv over every policy (absent: files not written). */
  readonly extras?: RunExtraRows;
  /** The cost floor, when {@link BacktestOptions.lowerBound} asked for it. */
  readonly lowerBound?: LowerBoundResult;
  /** Spot risk events per policy, in report order. */
  readonly spotRisk: ReadonlyArray<SpotRiskCounts & { readonly policy: string }>;
  /**
   * Every oracle strategy's run (when `oracle` ran), in strategy order: EC2 + Lambda cost USD, the
   * metric demand it left unmet (unit-seconds), whether it finished every chain, and its p95 step wait.
   */
  readonly oracleStrategies?: ReadonlyArray<OracleStrategyRun>;
}

/** One oracle strategy's run ({@link BacktestOutcome.oracleStrategies}). */
export interface OracleStrategyRun {
  readonly name: string;
  readonly costUsd: number;
  readonly unmetDemandUnitSec: number;
  readonly allChainsCompleted: boolean;
  readonly p95WaitSec: number;
}

/**
 * The factory of policy `name` as {@link runBacktest} builds it (the oracle's is its first strategy's
 * policy; runBacktest runs every strategy). For diagnostics that run one policy on a world of their own
 * (bench/wait-causes.ts).
 */
export function factoryFor(name: PolicyName, opts: BacktestOptions): (world: World, backlog: BacklogRecorder) => SimPolicy {
  switch (name) {
    case 'reactive': return (w) => createReactivePolicy(w);
    case 'predictive-hourly': return (w) => createPredictiveHourlyPolicy(w);
    case 'prescale': return (w, b) => createPrescalePolicy(w, b.values, () => b.recorded, opts.prescale);
    case 'karpenter': return (w) => createKarpenterPolicy(w);
    case 'oracle': return (w) => createOraclePolicy(w);
  }
}

/** Assumptions written into the report. */
export function backtestAssumptions(s: Scenario): string[] {
  const [lo, hi] = s.leadTime.defaultRangeSec;
  return [
    'One capacity unit is one vCPU; metric demand units = metric value / metricPerUnit (the target-tracking target per vCPU), held constant over each tick.',
    'EC2 billing is per second with a 60 s minimum per instance, from the launch request to termination or spot reclaim (EC2 User Guide, per-second billing).',
    `Launch lead time (request to ready) is drawn uniformly per instance in ${Math.round(lo * s.leadTime.multiplier)}–${Math.round(hi * s.leadTime.multiplier)} s unless a family range is configured.`,
    `Spot interruptions arrive as a Poisson process at each offering's hazard (from the Spot Advisor bucket, × ${s.hazardMultiplier}) with a 120 s notice; running tasks on a reclaimed instance are re-queued and rerun.`,
    'Tasks need their vCPU and memory on one instance; instances under an interruption notice take no new tasks; metric demand is served by ready capacity the tasks leave free.',
    `A pre-execute command runs the step's setup share (setupShare × runtime) on its vCPU in a prefetch worker outside the pools; the state is ready after that setup time and kept ${s.prefetchTtlSec} s. A step starting in that window skips its setup (saved latency); one starting earlier runs cold and wastes the CPU used so far; an expired or never-used preparation wastes its whole setup CPU and the memory held for the TTL. Waste is valued at ${s.prefetchCost.usdPerVcpuHour} USD per vCPU-hour and ${s.prefetchCost.usdPerGiBHour} USD per GiB-hour.`,
    s.composer.enabled
      ? `Chains that do not name a variant are composed at arrival by the composer (core/compose) for their principal (${s.policies.length > 0 ? `${s.policies.length} scenario policies` : 'no policies: allow all'}), against the world's availability (free ready units plus what the pool may still launch up to maxUnits, cheapest spot and on-demand prices per unit-hour); a running chain is re-scored, at most ${s.composer.maxSwitchesPerChain} time(s), when a step's spot instance gets an interruption notice, a step overruns p95 × ${s.composer.overrunFactor}, or every offering of a pool with queued steps reports insufficient capacity. The composer is part of the chain service, so it works the same under every policy; chain cost is instance time × the task's vCPU share of the instance price.`
      : 'Chains run the variant their arrival names (or the workflow\'s first); the composer is disabled in this scenario.',
    'The oracle has perfect foresight under the same rules as the other policies: capacity is ready the moment it asks (it would have launched one lead time ahead) but each instance is billed for that lead time too; it holds the tick\'s metric demand plus the running tasks, keeping the pool\'s on-demand floor, minimum size and spot diversification, and is the cheapest of five strategies that serves all demand (launch the instant a task would wait and release idle instances after their 60 s billing minimum; let tasks wait for capacity that frees up within 5 or 30 minutes, knowing every running task\'s finish time, with the Lambda tier keeping idle instances 10 or 20 minutes, or on EC2 alone keeping them 20 minutes or releasing them after their billing minimum). The reference for × oracle; prescale also pays for its prefetch state cache (cacheUsd: ElastiCache node-hours, every started hour billed in full), which the oracle does not use.',
    s.spotRisk.enabled
      ? `Spot instances also get rebalance recommendations (every interrupted one, up to ${s.spotRisk.rebalanceLeadMaxSec} s before its notice or with it, EC2 User Guide; false alarms at ${s.spotRisk.falseRebalancesPerInterruption}× the interruption hazard), and each spot offering runs out of capacity (InsufficientInstanceCapacity) in ${s.spotRisk.iceEpisodeSec} s episodes at ${s.spotRisk.iceEpisodesPerInterruption}× its hazard per hour (sim/cloud/spot-risk.ts; AWS publishes neither rate).`
      : 'No rebalance recommendations or insufficient-capacity episodes are simulated.',
    'Every world is seeded identically: the same demand, chain arrivals and task runtimes (per variant) for every policy; the variant a chain runs depends on the capacity its world offers; spot interruptions are drawn per launched instance.',
    currentPolicyAssumption(s),
    ...s.inputNotes,
  ];
}

/** The user's current policy as the reactive and predictive-hourly baselines replay it, in words. */
function currentPolicyAssumption(s: Scenario): string {
  const c = s.currentPolicy;
  return `Your current policy, replayed by reactive (target tracking) and predictive-hourly (predictive scaling with target tracking): target tracking holds demand / ${Number((c.targetUtilization).toFixed(4))} (its target is ${Number((c.targetUtilization * 100).toFixed(2))} % of a vCPU's metric), scales out after 3 breaching minutes and in after 15 minutes below 90 % of target and ${c.scaleInCooldownSec} s after the last scale-out; a new instance counts in the metric ${c.instanceWarmupSec} s after it is ready (no scale-in meanwhile); predictive scaling ${c.predictiveMode === 'ForecastOnly' ? 'only forecasts (ForecastOnly: capacity is never set from it)' : `sets the minimum to each hour's forecast (mean of the same hour a day and a week earlier) / the target, +${c.predictiveBufferPct} %, ${c.schedulingBufferSec} s before the hour`}.`;
}

/**
 * The `oracle` line: every strategy of {@link BacktestOptions.oracleStrategies} runs on its own
 * perfect-timing world and the cheapest (EC2 cost) that served every sample of metric demand and
 * finished every chain is the oracle (perfect foresight includes knowing which strategy is cheapest
 * in hindsight); when none did, the one with the least unmet demand, then the cheapest. Ties keep the
 * earlier strategy, so the choice is deterministic.
 */
async function runOracle(scenario: Scenario, grid: ReturnType<typeof metricDemandByPool>, opts: BacktestOptions, onWorldEnd?: (w: World) => void, runs: OracleStrategyRun[] = []): ReturnType<typeof runPolicy> {
  const strategies = opts.oracleStrategies ?? ORACLE_STRATEGIES;
  let best: Awaited<ReturnType<typeof runPolicy>> | undefined;
  let bestWorld: World | undefined;
  const feasible = (r: Awaited<ReturnType<typeof runPolicy>>): boolean => r.raw.unmetDemandUnitSec <= 1e-9 && r.raw.chainsCompleted === r.raw.chainsSubmitted;
  const better = (a: Awaited<ReturnType<typeof runPolicy>>, b: Awaited<ReturnType<typeof runPolicy>>): boolean => {
    if (feasible(a) !== feasible(b)) return feasible(a);
    if (!feasible(a) && a.raw.unmetDemandUnitSec !== b.raw.unmetDemandUnitSec) return a.raw.unmetDemandUnitSec < b.raw.unmetDemandUnitSec;
    return a.raw.spotUsd + a.raw.onDemandUsd < b.raw.spotUsd + b.raw.onDemandUsd - 1e-9;
  };
  for (const [i, strategy] of strategies.entries()) {
    let world: World | undefined;
    const run = await runPolicy(scenario, grid, 'oracle', (w) => createOraclePolicy(w, 'oracle', strategy), true,
      (d, t) => opts.onProgress?.('oracle', Math.round((i * t + d) / strategies.length), t), (w) => { world = w; });
    const waits = run.raw.waitSec.slice().sort((a, b) => a - b);
    runs.push({ name: strategy.name, costUsd: run.raw.spotUsd + run.raw.onDemandUsd, unmetDemandUnitSec: run.raw.unmetDemandUnitSec, allChainsCompleted: run.raw.chainsCompleted === run.raw.chainsSubmitted, p95WaitSec: percentile(waits, 95) });
    if (!best || better(run, best)) { best = run; bestWorld = world; }
  }
  if (onWorldEnd && bestWorld) onWorldEnd(bestWorld);
  return best!;
}

/** Runs the backtest. */
export async function runBacktest(scenario: Scenario, opts: BacktestOptions = {}): Promise<BacktestOutcome> {
  const names = POLICY_NAMES.filter((n) => (opts.policies ?? DEFAULT_POLICY_NAMES).includes(n));
  const runTicks = Math.round((scenario.days * 86_400) / scenario.tickSec);
  const grid = metricDemandByPool(scenario, runTicks + 1);
  const raws: PolicyRawResult[] = [];
  const spotRisk: Array<SpotRiskCounts & { policy: string }> = [];
  const timeline: TimelineRow[] = [];
  const extras: RunExtraRows = { forecast: [], events: [], attribution: [] };
  let endSec = scenario.startSec;
  let boundInputs: ReturnType<typeof lowerBoundInputs> | undefined;
  let boundGroups: FlexibleWorkGroup[] = [];
  const oracleRuns: OracleStrategyRun[] = [];
  for (const name of names) {
    const keep = opts.lowerBound && name === 'oracle' ? (w: World): void => { boundInputs = lowerBoundInputs(scenario, grid, w); boundGroups = flexibleWorkGroups(scenario, w); } : undefined;
    const run = name === 'oracle'
      ? await runOracle(scenario, grid, opts, keep, oracleRuns)
      : await runPolicy(scenario, grid, name, factoryFor(name, opts), false, (d, t) => opts.onProgress?.(name, d, t), keep);
    raws.push(run.raw);
    spotRisk.push({ policy: name, ...run.spotRisk });
    for (const r of run.rows) timeline.push(r);
    for (const r of run.extraRows.forecast) extras.forecast.push(r);
    for (const r of run.extraRows.events) extras.events.push(r);
    for (const r of run.extraRows.attribution) extras.attribution.push(r);
    endSec = Math.max(endSec, run.raw.endSec);
  }
  const report = buildReport({
    name: scenario.name, seed: scenario.seed, startSec: scenario.startSec, endSec, days: scenario.days, tickSec: scenario.tickSec,
    pools: scenario.pools.map((p) => p.id), series: scenario.series.map((s) => s.id), workflows: scenario.workflows.map((w) => w.name), sources: scenario.sources,
    ...(scenario.settings.length > 0 ? { settings: scenario.settings } : {}),
    baseline: scenario.baselinePolicy,
    config: { pools: scenario.pools.map((p) => ({ ...p })), demandSignals: scenario.demandSignals.map((d) => ({ seriesId: d.seriesId, poolId: d.poolId, metricPerUnit: d.metricPerUnit })) },
  }, raws, backtestAssumptions(scenario));
  const lowerBound = boundInputs ? await solveLowerBound(boundInputs, scenario.tickSec, undefined, boundGroups) : undefined;
  return { report, timeline, extras, spotRisk, ...(lowerBound ? { lowerBound } : {}), ...(oracleRuns.length > 0 ? { oracleStrategies: oracleRuns } : {}) };
}
