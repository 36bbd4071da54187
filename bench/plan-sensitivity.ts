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
  const res: Record<string, { usd: number; p95: number; reactiveP95: number; interruptions: number }> = {};
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
      res[`${v.label}/${name}`] = { usd: p.cost.totalUsd, p95: p.stepWait.p95Sec, reactiveP95, interruptions: p.spotInterruptions };
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
    '',
    notes(res),
  ].join('\n');
}

function pct(a: number, b: number): string {
  const d = (a / b - 1) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`;
}

/** How each planner degraded, in words, from the measured rows. */
function notes(r: Record<string, { usd: number; p95: number; reactiveP95: number; interruptions: number }>): string {
  const out: string[] = ['How the planner degrades:'];
  for (const planner of ['greedy', 'milp']) {
    const b = r[`baseline/${planner}`];
    const h = r[`hazard × 3/${planner}`];
    const l = r[`lead times × 2/${planner}`];
    if (!b || !h || !l) continue;
    out.push(`- ${planner}: hazard × 3 → cost ${pct(h.usd, b.usd)}, p95 wait ${b.p95.toFixed(0)} → ${h.p95.toFixed(0)} s, ${h.interruptions} interruption(s) (baseline ${b.interruptions}); lead times × 2 → cost ${pct(l.usd, b.usd)}, p95 wait ${b.p95.toFixed(0)} → ${l.p95.toFixed(0)} s while reactive's went ${b.reactiveP95.toFixed(0)} → ${l.reactiveP95.toFixed(0)} s.`);
  }
  out.push('- Lead times: the offerings carry the doubled median lead time, so the planner issues launches earlier (need time − lead − margin) and plans further ahead; the cost of the extra booting time is small, and waits grow mainly where demand jumps inside the longer lead window, which no launch can beat.');
  out.push('- Hazard: at the Spot Advisor\'s buckets the hourly hazard is 3.5e-5 to 5e-4 per instance-hour (src/core/market/hazard.ts), so a few days of a few dozen spot instances expect well under one interruption even at × 3; the planner prices the risk as hazard × (lost work + replacement lead time) × units × value of a unit-hour, under 1% of a spot price at × 3, so it keeps the same spot mix and relies on diversification and replace-ahead (reactToSpotSignals) rather than paying for on-demand. When interruptions do come, the lost units are excluded from capacity at the notice and replaced the same tick.');
  return out.join('\n');
}
