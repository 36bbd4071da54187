/**
 * Why prescale's steps wait, per suite case (issue 19's wait goal: p95 wait at most a tenth of
 * reactive's). Runs prescale alone on each case's world (bench/suite/cases.ts, 1 day by default,
 * `--days own` each case's own days as the full suite runs them) and
 * sorts every step's wait (its last attempt: start − the moment it became runnable) into causes:
 *
 * - `lambda-ineligible`: the step cannot burst to Lambda (runtime over 900 s, more than 6 vCPU or
 *   10,240 MB: LAMBDA in src/core/plan/burst.ts, AWS Lambda quotas), so it waits for EC2 capacity
 *   (the table also says how many of these were their chain's first steps);
 * - `retry`: a re-run after a spot reclaim (attempt > 0);
 * - `first-step`: a step with no predecessors (its chain had just arrived: only an arrival forecast
 *   could have had capacity ready);
 * - `later-step`: a step whose predecessors the tick saw running (the chain view could know it comes).
 *
 * The table counts the steps over the goal's wait (reactive's p95 ÷ 10, from a full suite run's
 * out/bench-suite/<id>.json, or `--goal-sec`) by cause, and where they ran (Lambda or EC2). It adds
 * the least free reserve that would keep 95 % of steps within the goal under bench/wait-reserve.ts's
 * idealisations (only root steps wait: a fan-out behind a short first step, as blast's, is not
 * counted, so the reserve is a floor), and (lower bound + that reserve's cost) ÷ reactive's cost: an
 * indication, not a proof, of whether the cost goal leaves room for the wait goal (the bound's own
 * capacity is fluid and rarely idle, so little of it could serve as the reserve).
 *
 * Usage: `npx tsx bench/wait-causes.ts [--days 1|own] [--cases a,b] [--baseline out/bench-suite]`.
 * Prints a Markdown table. Deterministic per seed (the same world as the suite's prescale run).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { factoryFor } from '../src/sim/backtest.js';
import { metricDemandByPool } from '../src/sim/demand-grid.js';
import { runPolicy } from '../src/sim/run-policy.js';
import type { World } from '../src/sim/world.js';
import { LAMBDA } from '../src/core/plan/burst.js';
import { SUITE_CASES } from './suite/cases.js';
import { waitReserve } from './wait-reserve.js';
import { caseScenario } from './suite/run-case.js';

const CAUSES = ['lambda-ineligible', 'retry', 'first-step', 'later-step'] as const;
type Cause = (typeof CAUSES)[number];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Reactive's p95 wait ÷ 10, reactive's cost and the lower bound from a full run's case JSON, or undefined. */
function baselineOf(dir: string, id: string): { goalSec: number; reactiveUsd: number; lowerBoundUsd: number } | undefined {
  try {
    const r = JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8')) as { lowerBoundUsd: number; policies: Array<{ policy: string; p95WaitSec: number; costUsd: number }> };
    const reactive = r.policies.find((p) => p.policy === 'reactive');
    return reactive ? { goalSec: reactive.p95WaitSec / 10, reactiveUsd: reactive.costUsd, lowerBoundUsd: r.lowerBoundUsd } : undefined;
  } catch {
    return undefined;
  }
}

function p95(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
}

async function main(): Promise<void> {
  const daysArg = arg('days') ?? '1';
  const daysOf = (c: (typeof SUITE_CASES)[number]): number => (daysArg === 'own' ? c.days : Number(daysArg));
  const wanted = arg('cases')?.split(',');
  const baselineDir = arg('baseline') ?? 'out/bench-suite';
  const goalArg = arg('goal-sec');
  const dataDir = path.resolve('../shared/data');
  const rows: string[] = [];
  rows.push('| case | goal s | p95 wait s | steps over goal (share of steps) | lambda-ineligible (of which first steps) | retry | first-step | later-step | over goal on Lambda / EC2 | median wait over goal s | least reserve for the goal: vCPU, USD | lower bound + reserve ÷ reactive |');
  rows.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of SUITE_CASES.filter((x) => !wanted || wanted.includes(x.id))) {
    const base = baselineOf(baselineDir, c.id);
    const goal = goalArg !== undefined ? Number(goalArg) : base?.goalSec;
    const sc = await caseScenario(c, dataDir, daysOf(c));
    const reserve = goal !== undefined ? waitReserve(sc, goal) : undefined;
    const reserveVcpu = reserve?.pools.reduce((x, p) => x + p.reserveVcpu, 0) ?? 0;
    const grid = metricDemandByPool(sc, Math.round((sc.days * 86_400) / sc.tickSec) + 1);
    let world: World | undefined;
    await runPolicy(sc, grid, 'prescale', factoryFor('prescale', {}), false, undefined, (w) => { world = w; });
    const waits: number[] = [];
    const over: Record<Cause, number> = { 'lambda-ineligible': 0, retry: 0, 'first-step': 0, 'later-step': 0 };
    let onLambda = 0;
    let ineligibleFirst = 0;
    const overWaits: number[] = [];
    for (const chain of world!.workload.chains.values()) {
      for (const t of chain.tasks) {
        if (t.startedAtSec === undefined || t.queuedAtSec === undefined) continue;
        const w = t.startedAtSec - t.queuedAtSec;
        waits.push(w);
        if (goal === undefined || w <= goal) continue;
        overWaits.push(w);
        const ineligible = t.runtimeSec > LAMBDA.maxTimeoutSec || t.vcpu > LAMBDA.maxVcpu || t.memoryGiB * 1024 > LAMBDA.maxMemoryMiB;
        const cause: Cause = ineligible ? 'lambda-ineligible' : t.attempt > 0 ? 'retry' : t.def.dependencies.length === 0 ? 'first-step' : 'later-step';
        over[cause]++;
        if (cause === 'lambda-ineligible' && t.def.dependencies.length === 0) ineligibleFirst++;
        if (t.lambdaMemoryMiB !== undefined) onLambda++;
      }
    }
    const n = overWaits.length;
    const pct = (k: number): string => (n === 0 ? '–' : `${k} (${((100 * k) / n).toFixed(0)} %)`);
    rows.push(`| ${c.id} | ${goal === undefined ? '?' : goal.toFixed(1)} | ${p95(waits).toFixed(0)} | ${n} (${((100 * n) / Math.max(1, waits.length)).toFixed(1)} %) | ${CAUSES.map((k) => (k === 'lambda-ineligible' && over[k] > 0 ? `${pct(over[k])} (${ineligibleFirst})` : pct(over[k]))).join(' | ')} | ${onLambda} / ${n - onLambda} | ${n === 0 ? '–' : overWaits.sort((a, b) => a - b)[Math.floor(n / 2)].toFixed(0)} | ${reserve ? `${reserveVcpu}, ${reserve.totalUsd.toFixed(2)}` : '?'} | ${reserve && base ? ((base.lowerBoundUsd + reserve.totalUsd) / base.reactiveUsd).toFixed(2) : '?'} |`);
    process.stderr.write(`wait-causes: ${c.id} done\n`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`wait-causes: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
