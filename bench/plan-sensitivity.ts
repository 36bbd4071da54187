/**
 * Sensitivity runs for the planner benchmark: the default backtest scenario with the greedy and the
 * MILP planner, at baseline, with spot interruption hazard × 3 and with launch lead times × 2.
 */
import { runBacktest } from '../src/sim/backtest.js';
import { defaultScenario } from '../src/sim/scenario/default.js';
import { createGreedyPlanner, createMilpPlanner, type LpSolver, type Planner } from '../src/core/plan/index.js';

type Variant = { readonly label: string; readonly hazardMultiplier: number; readonly leadTimeMultiplier: number };
const VARIANTS: Variant[] = [
  { label: 'baseline', hazardMultiplier: 1, leadTimeMultiplier: 1 },
  { label: 'hazard × 3', hazardMultiplier: 3, leadTimeMultiplier: 1 },
  { label: 'lead times × 2', hazardMultiplier: 1, leadTimeMultiplier: 2 },
];

/** Runs the sensitivity grid and returns its markdown. */
export async function runSensitivity(highs: LpSolver, days: number): Promise<string> {
  const rows: string[] = [];
  for (const v of VARIANTS) {
    const base = defaultScenario({ days });
    const scenario = { ...base, hazardMultiplier: v.hazardMultiplier, leadTime: { ...base.leadTime, multiplier: v.leadTimeMultiplier } };
    const planners: Array<[string, () => Planner]> = [
      ['greedy', () => createGreedyPlanner({ tickSec: scenario.tickSec })],
      ['milp', () => createMilpPlanner(highs, { tickSec: scenario.tickSec })],
    ];
    let oracleUsd = 0;
    let reactiveP95 = 0;
    for (const [name, make] of planners) {
      const t0 = performance.now();
      const policies = name === 'greedy' ? (['reactive', 'prescale', 'oracle'] as const) : (['prescale'] as const);
      const { report } = await runBacktest(scenario, { policies, prescale: { planner: make() } });
      const byName = new Map(report.policies.map((p) => [p.policy, p]));
      if (name === 'greedy') {
        oracleUsd = byName.get('oracle')!.cost.totalUsd;
        reactiveP95 = byName.get('reactive')!.stepWait.p95Sec;
      }
      const p = byName.get('prescale')!;
      rows.push(`| ${v.label} | ${name} | ${p.cost.totalUsd.toFixed(2)} | ${(p.cost.totalUsd / oracleUsd).toFixed(3)} | ${p.stepWait.p95Sec.toFixed(1)} | ${reactiveP95.toFixed(1)} | ${p.unmetDemandUnitSec.toFixed(0)} | ${p.spotInterruptions} | ${((performance.now() - t0) / 1000).toFixed(0)} |`);
      console.log(rows[rows.length - 1]);
    }
  }
  return [
    `### Sensitivity: default scenario (${days} simulated day${days === 1 ? '' : 's'}, seed 42), prescale with each planner`,
    '',
    '| variant | planner | prescale cost USD | cost / oracle | prescale p95 wait s | reactive p95 wait s | unmet unit-s | spot interruptions | wall s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
