import { createMilpPlanner, type LpSolver, type Planner } from './src/core/plan/index.js';
import { loadHighsSolver } from './src/adapters/highs/load-highs.js';
import { poolCases, runPlanner, quantile } from './bench/plan-fixture.js';
const h = await loadHighsSolver();
const variants: Record<string, object> = JSON.parse(process.argv[2] ?? '{"base":{}}');
const cases = await poolCases();
for (const [name, extra] of Object.entries(variants)) {
  let mips = 0, lps = 0;
  const wrapped: LpSolver = { solve(lp, o) { if (lp.includes('\nGeneral')) mips++; else lps++; return h.solve(lp, { ...o, ...extra }); } };
  const planner = createMilpPlanner(wrapped, { tickSec: 60 });
  const run = runPlanner(planner, cases, () => undefined);
  console.log(name, 'cpu med', quantile(run.cpuMs, 0.5).toFixed(0), 'p99', quantile(run.cpuMs, 0.99).toFixed(0), 'wall med', quantile(run.ms, 0.5).toFixed(0), 'cost', run.costUsdPerHour.toFixed(3), 'mips', mips, 'lps', lps, JSON.stringify(run.solvers));
}
