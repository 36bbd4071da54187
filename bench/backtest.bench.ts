/**
 * Backtest benchmark: runs the four policies on (1) the embedded default scenario (7 days) and
 * (2) real traces: NYC taxi demand plus the AWS CloudWatch series of NAB driving the web pool, with
 * the Pegasus WfFormat workflows as batch chains. Writes the comparison table (cost, p95 wait, unmet
 * demand, cost ratio to the oracle) and wall/CPU time into docs/benchmarks.md.
 *
 * Then the task pools' service-level frontier (cost over the oracle's and p95 wait per level) on both,
 * and on the default scenario the price of the prefetch state cache per value of latency saved.
 *
 * Then the scenario suite (bench/backtest-suite.ts): 13 cases of real series × workflow families,
 * five policies each (with `karpenter`) and the lower bound, written to its own section.
 *
 * Run: npm run bench:backtest   (BACKTEST_BENCH_DAYS=N shortens the trace run; default 7;
 * BACKTEST_BENCH_FRONTIER=0 skips the frontier and the latency-value table; BACKTEST_BENCH_SUITE=0
 * skips the suite). `npm run bench:backtest -- --suite` runs only the suite;
 * `-- --cases id,id [--days N]` only those cases (printed, docs/benchmarks.md left alone);
 * `-- --suite --days N` the whole suite at N days each (written); add `--resume` to read back the
 * cases an interrupted run already saved in out/bench-suite (same days and seed) and run the rest.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { writeBenchSection } from './lib/write-section.js';
import { readMetricSeriesFile } from '../src/adapters/files/metric-file.js';
import { runBacktest } from '../src/sim/backtest.js';
import { defaultScenario } from '../src/sim/scenario/default.js';
import { tracesScenario } from '../src/sim/scenario/traces.js';
import type { Scenario } from '../src/sim/scenario/schema.js';
import type { BacktestReport } from '../src/app/report/index.js';
import { frontierTable, serviceLevelFrontier, taskPoolIds } from './service-level-frontier.js';
import { latencyValuePoints, latencyValueTable } from './latency-value.js';
import { waitReserve, waitReserveSection } from './wait-reserve.js';
import { runSuite, suiteMarkdown } from './backtest-suite.js';

const DATA = path.resolve(process.cwd(), process.env.PRESCALE_DATA_DIR ?? '../shared/data');

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The suite section; writes docs/benchmarks.md only for the whole suite at the cases' own days. */
async function suite(): Promise<void> {
  const cases = argValue('--cases')?.split(',').filter((x) => x.length > 0);
  const daysArg = argValue('--days');
  const days = daysArg === undefined ? undefined : Number(daysArg);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1)) throw new Error(`--days: got ${daysArg}, expected a whole number of days >= 1`);
  // each finished case is written to out/bench-suite/<case>.json at once (a crash loses only the running ones)
  const results = await runSuite({ dataDir: DATA, outDir: path.resolve(process.cwd(), 'out/bench-suite'), ...(cases ? { cases } : {}), ...(days ? { days } : {}), resume: process.argv.includes('--resume') });
  const md = [SUITE_INTRO, '', suiteMarkdown(results)].join('\n');
  process.stdout.write(`${md}\n`);
  if (!cases) writeBenchSection('backtest-suite', 'Backtest scenario suite: cost against the lower bound, waits, baselines (issue 19)', md, `npm run bench:backtest -- --suite${days ? ` --days ${days}` : ''}`);
}

const SUITE_INTRO = 'Each case is a traces scenario (src/sim/scenario/traces.ts) from one real series driving the web pool and one or two workflow families as chains on the batch pool, real EC2 prices (`--prices ../shared/data/ec2`), its own seed (bench/suite/cases.ts). Five policies per case, each on its own identically seeded world (the oracle: the cheapest of its five perfect-foresight strategies that serves all demand), and the lower bound: an LP relaxation per 1-minute tick of fluid capacity at the cheapest spot and on-demand price per vCPU, where billed capacity covers each tick\'s metric demand (rounded up to whole instances) plus the step vCPU running at that sample, each step\'s work is released at its chain\'s arrival plus the longest path of its predecessors\' minimum runtimes, and the pool minimum and the on-demand share hold per 5-minute block (src/core/plan/lower-bound.ts, solved with HiGHS), which no policy can undercut; each policy is checked against it (its floor is the bound minus the demand it left unmet and the setup it ran off its pools). `karpenter` is Karpenter v1 with default settings (src/sim/policies/karpenter.ts). The goal per case: prescale cheaper than reactive and karpenter with a p95 wait at most a tenth of reactive\'s; over the suite, median ≤ 1.15× and worst ≤ 1.35× the lower bound.';

if (process.argv.includes('--suite') || argValue('--cases') !== undefined) {
  await suite();
  process.exit(0);
}

function table(report: BacktestReport): string {
  const head = '| policy | cost (USD) | × oracle | spot / on-demand / cache (USD) | step wait p95 (s) | unmet demand (unit-s) | idle (unit-h) | spot interruptions | forecast sMAPE | next-step hit rate |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = report.policies.map((p) => `| ${p.policy} | ${p.cost.totalUsd.toFixed(2)} | ${p.costRatioToOracle?.toFixed(2) ?? 'n/a'} | ${p.cost.spotUsd.toFixed(2)} / ${p.cost.onDemandUsd.toFixed(2)} / ${p.cost.cacheUsd.toFixed(2)} | ${p.stepWait.p95Sec} | ${p.unmetDemandUnitSec.toFixed(0)} | ${p.idleUnitHours.toFixed(1)} | ${p.spotInterruptions} | ${p.forecastError ? `${p.forecastError.value.toFixed(1)}%` : 'n/a'} | ${p.nextStep ? `${(p.nextStep.hitRate * 100).toFixed(1)}%` : 'n/a'} |`);
  return [head, ...rows].join('\n');
}

async function measure(label: string, sc: Scenario): Promise<{ md: string; report: BacktestReport }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { report } = await runBacktest(sc, { onProgress: (p, d, t) => { if (d === t) process.stderr.write(`bench:backtest ${label}: ${p} done\n`); } });
  const wallSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const chains = report.policies[0].chainsSubmitted;
  const tasks = report.policies[0].tasksSubmitted;
  const md = [
    `### ${label}`,
    '',
    `${sc.name}: ${sc.days} simulated day(s), ${chains} chains / ${tasks} tasks, pools ${sc.pools.map((p) => p.id).join(', ')}. Four policies in ${wallSec.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU.`,
    '',
    table(report),
  ].join('\n');
  return { md, report };
}

/** The service-level frontier of a measured scenario (skipped with BACKTEST_BENCH_FRONTIER=0). */
async function frontier(label: string, sc: Scenario, report: BacktestReport, levels: readonly number[]): Promise<string> {
  if (process.env.BACKTEST_BENCH_FRONTIER === '0') return '';
  const byName = new Map(report.policies.map((p) => [p.policy, p]));
  const oracleUsd = byName.get('oracle')!.cost.totalUsd;
  const configured = sc.pools.find((p) => taskPoolIds(sc).has(p.id))?.serviceLevel ?? 0.9;
  const points = await serviceLevelFrontier(sc, oracleUsd, levels, (p) => process.stderr.write(`bench:backtest ${label} frontier: service level ${p.serviceLevel} → ×${p.costRatio.toFixed(3)}, p95 ${p.p95WaitSec} s\n`));
  return frontierTable(label, points, byName.get('reactive')!.stepWait.p95Sec, configured);
}

const sections: string[] = [];
const def = defaultScenario();
const defRun = await measure('Default scenario (embedded, seed 42)', def);
sections.push(defRun.md);
process.stderr.write(`${sections[0]}\n`);
const days = Number(process.env.BACKTEST_BENCH_DAYS ?? 7);
// series shorter than the run plus a day of history are left out (the CLI rejects them)
const aws: string[] = [];
const skipped: string[] = [];
for (const f of readdirSync(path.join(DATA, 'cloudwatch/realAWSCloudwatch')).filter((x) => x.endsWith('.csv')).sort()) {
  const file = path.join(DATA, 'cloudwatch/realAWSCloudwatch', f);
  const [r] = await readMetricSeriesFile(file);
  if (r.series.values.length * r.series.periodSec >= (days + 1) * 86_400) aws.push(file);
  else skipped.push(`${f} (${((r.series.values.length * r.series.periodSec) / 86_400).toFixed(1)} days)`);
}
const traces = await tracesScenario({
  metrics: [path.join(DATA, 'cloudwatch/realKnownCause/nyc_taxi.csv'), ...aws],
  workflows: [path.join(DATA, 'workflows/pegasus')],
  days,
});
const trRun = await measure('Real traces (NYC taxi + NAB realAWSCloudwatch, Pegasus workflows)', traces);
sections.push(trRun.md);
if (skipped.length > 0) sections.push(`Series too short for ${days} days plus one of history, left out: ${skipped.join(', ')}.`);
sections.push('### The price of waiting less: task-pool service level\n\nThe task pools hold the known steps plus the conformal quantile, at their service level, of the backlog the known steps did not explain (work of chains not yet submitted). Raising it buys headroom for new chains\' first steps, which no forecast can place: each launch takes a lead time (60–180 s here) while the goal asks for waits of seconds. Each row is one prescale run; the oracle and reactive are those of the tables above.');
sections.push(await frontier('Default', def, defRun.report, [0.8, 0.85, 0.9, 0.95]));
sections.push(await frontier('Traces', traces, trRun.report, [0.8, 0.9, 0.95, 0.97, 0.99]));
sections.push('### What the wait goal costs at best\n\nChains arrive unannounced and a launch takes a lead time, so a chain\'s first steps can start within the goal only on capacity free when it arrives. The least reserve of free vCPU that keeps 95% of all steps within the goal, under assumptions that all favour the policy (only root steps can wait; each chain has the whole reserve; shortest first with backfill; fungible vCPU at the pool\'s cheapest vCPU-hour; bench/wait-reserve.ts), priced over the run. No policy meets the wait goal for less than the first bound below; with prescale\'s other pools as they are, not for less than the second.');
for (const [label, sc, report] of [['Default', def, defRun.report], ['Traces', traces, trRun.report]] as const) {
  const goalSec = report.policies.find((p) => p.policy === 'reactive')!.stepWait.p95Sec / 10;
  sections.push(waitReserveSection(label, waitReserve(sc, goalSec), report, goalSec));
}
if (process.env.BACKTEST_BENCH_FRONTIER !== '0') {
  sections.push('### The price of the prefetch state cache\n\nA prepared state that is used saves its step\'s setup: compute (at the prefetch vCPU price) and latency. The state cache adds a shard only when the states it would keep from eviction are worth the shard\'s node-hour, valuing latency at `prefetch.latencyValueUsdPerHour` (default 0: the compute saved must pay for it). A full cache evicts the least recently written state (ElastiCache\'s `volatile-lru`) and that step runs cold. Each row is one prescale run on the default scenario.');
  const oracleUsd = defRun.report.policies.find((p) => p.policy === 'oracle')!.cost.totalUsd;
  const points = await latencyValuePoints(def, oracleUsd, [0, 1, 5, 20], (p) => process.stderr.write(`bench:backtest latency value ${p.latencyValueUsdPerHour} USD/h → ×${p.costRatio.toFixed(3)}, cache ${p.cacheUsd.toFixed(2)} USD, setup saved ${p.setupSecSaved.toFixed(0)} s\n`));
  sections.push(latencyValueTable('Default', points, def.prefetchLatencyValueUsdPerHour));
}
const md = [
  'Each policy runs on its own simulated cloud seeded identically (same demand, chain arrivals, task runtimes). × oracle is the policy\'s cost over the oracle\'s (perfect foresight under the same rules: ready at once but billed for the lead time it would have launched ahead, keeping on-demand floors, pool minimums and spot diversification; see src/sim/policies/oracle.ts). Costs include prescale\'s prefetch state cache (ElastiCache) where the scenario has one. Forecast error is sMAPE of the mean forecast over the first hour after each forecast origin (prescale: its forecaster over 5-minute periods; predictive-hourly: its hourly peak forecast). The prescale policy here uses the incremental forecaster (MSTL + ETS refitted hourly, updated with every 5-minute period), per-step conformal calibration of each pool\'s metric demand from its latest observation and of its task demand as known steps (list-scheduled on the pool\'s ready capacity: src/core/plan/queue-drain.ts) plus the residual backlog (src/core/tick/pool-calibration.ts), scale-in after the ski-rental break-even (lead time + margin + billing minimum), the greedy planner, and a prefetch state cache that adds a shard only when the states it keeps are worth its node-hour.',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
writeBenchSection('backtest', 'Backtest: cost and latency per policy', md, 'npm run bench:backtest');
process.stdout.write(`${md}\n`);
if (process.env.BACKTEST_BENCH_SUITE !== '0') await suite();
