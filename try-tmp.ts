import { createGreedyPlanner, createMilpPlanner } from './src/core/plan/index.js';
import { loadHighsSolver } from './src/adapters/highs/load-highs.js';
import { buildOfferings, DEFAULT_PRICE_TABLE } from './src/core/market/index.js';
import { pool, input, flatDemand } from './test/unit/plan/builders.js';
const h = await loadHighsSolver();
const p = pool({ availabilityZones: ['a', 'b'], onDemandFloorShare: 0.2, serviceLevel: 0.9 });
const offs = buildOfferings(p, DEFAULT_PRICE_TABLE);
console.log('offerings', offs.length);
const inp = input({ pool: p, offerings: offs, demand: flatDemand(30, 1000, 60, 20, 30) });
for (const pl of [createGreedyPlanner(), createMilpPlanner(h)]) {
  const t0 = performance.now();
  const out = pl.plan(inp);
  console.log(pl.name, (performance.now() - t0).toFixed(1), 'ms', out.plan.solver, out.plan.expectedCostUsdPerHour, JSON.stringify(out.plan.slots[0].countsByOffering), out.plan.reason);
}
