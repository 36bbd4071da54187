/**
 * The cost / wait trade-off of the task pools' service level: prescale alone on a scenario whose
 * task pools (pools workflow steps run on) get each service level in turn, reported as cost over the
 * oracle's and p95 step wait. The service level is the quantile of task demand the pool holds
 * (src/core/tick/demand.ts: known steps plus the conformal residual of the observed backlog), so it
 * prices the headroom kept for chains not yet submitted.
 */
import { runBacktest } from '../src/sim/backtest.js';
import { parseScenario, type Scenario } from '../src/sim/scenario/schema.js';

/** One measured point of the frontier. */
export interface FrontierPoint {
  readonly serviceLevel: number;
  readonly costUsd: number;
  readonly costRatio: number;
  readonly p95WaitSec: number;
  readonly p99WaitSec: number;
}

/** Ids of the pools that workflow steps run on. */
export function taskPoolIds(sc: Scenario): Set<string> {
  return new Set(sc.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => v.poolBindings[t.task_id] ?? v.defaultPool))));
}

/**
 * Runs prescale once per service level.
 * @param oracleUsd the oracle's cost on the same scenario (the ratio's denominator), USD
 * @param levels service levels in (0.5, 0.999]
 */
export async function serviceLevelFrontier(sc: Scenario, oracleUsd: number, levels: readonly number[], onPoint?: (p: FrontierPoint) => void): Promise<FrontierPoint[]> {
  const tasks = taskPoolIds(sc);
  const out: FrontierPoint[] = [];
  for (const level of levels) {
    const scenario = parseScenario({ ...sc, pools: sc.pools.map((p) => (tasks.has(p.id) ? { ...p, serviceLevel: level } : p)) });
    const { report } = await runBacktest(scenario, { policies: ['prescale'] });
    const p = report.policies[0];
    const point = { serviceLevel: level, costUsd: p.cost.totalUsd, costRatio: p.cost.totalUsd / oracleUsd, p95WaitSec: p.stepWait.p95Sec, p99WaitSec: p.stepWait.p99Sec };
    onPoint?.(point);
    out.push(point);
  }
  return out;
}

/** The frontier as a markdown table, with the goal line (cost ≤ 1.15 × oracle, p95 wait below a tenth of reactive's). */
export function frontierTable(label: string, points: readonly FrontierPoint[], reactiveP95Sec: number, configured: number): string {
  const goal = reactiveP95Sec / 10;
  const rows = points.map((p) => `| ${p.serviceLevel}${p.serviceLevel === configured ? ' (scenario)' : ''} | ${p.costUsd.toFixed(2)} | ${p.costRatio.toFixed(3)} | ${p.p95WaitSec} | ${p.p99WaitSec} | ${p.costRatio <= 1.15 && p.p95WaitSec < goal ? 'both' : p.costRatio <= 1.15 ? 'cost' : p.p95WaitSec < goal ? 'wait' : 'neither'} |`);
  return [
    `#### ${label}: task pools' service level against cost and wait (prescale only; goal: × oracle ≤ 1.15 and p95 wait < ${goal.toFixed(1)} s, a tenth of reactive's)`,
    '',
    '| task-pool service level | prescale cost USD | × oracle | p95 wait s | p99 wait s | goals met |',
    '|---|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
