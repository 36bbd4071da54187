/**
 * Planner benchmark (issue 6).
 * 1. Solve time per tick: 10 EC2 pools × 50 offerings (us-east-1 prices from ../shared/data/ec2) × 30
 *    one-minute slots, 60 ticks of a seeded diurnal demand with noise and bursts, each planner driving
 *    its own fleet (launches become ready after their lead time, terminations leave at once). Time per
 *    tick = all 10 pools planned, one after the other, on one core. The first 3 ticks are warm-up.
 * 2. Sensitivity (when the backtest runner in src/sim exists): the default scenario with the greedy
 *    and the MILP planner at baseline, spot hazard × 3 and launch lead times × 2.
 *
 * Run: npm run bench:plan   (PLAN_BENCH_BACKTEST_DAYS=N sets the backtest length, 0 skips it; default 1)
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { FilePriceCatalog } from '../src/adapters/files/price-files.js';
import { loadHighsSolver } from '../src/adapters/highs/load-highs.js';
import { buildOfferings } from '../src/core/market/index.js';
import { Ec2PoolSchema, type Ec2Pool, type Instance, type Offering } from '../src/core/model/index.js';
import { createGreedyPlanner, createMilpPlanner, type DemandSlot, type Planner, type PlannerMemory } from '../src/core/plan/index.js';
import { createRandom, drawNormal } from '../src/core/rng.js';
import { runSensitivity } from './plan-sensitivity.js';
import { writeBenchSection } from './lib/write-section.js';

const POOLS = 10;
const OFFERINGS = 50;
const SLOTS = 30;
const TICKS = 60;
const WARM_UP = 3;
const SLOT_SEC = 60;
const START = 1_767_571_200;

interface PoolCase { readonly pool: Ec2Pool; readonly offerings: Offering[]; readonly levelUnits: number; readonly spendCap?: number }

async function poolCases(): Promise<PoolCase[]> {
  const prices = await new FilePriceCatalog(resolve(process.cwd(), '../shared/data/ec2')).instanceTypes('us-east-1');
  const rng = createRandom(6);
  const families = [['m5', 'm6i', 'm6a', 'm7i', 'm6g', 'm7g'], ['c5', 'c6i', 'c6a', 'c7i', 'c6g', 'c7g'], ['r5', 'r6i', 'r6a', 'r7i', 'r6g', 'r7g']];
  const out: PoolCase[] = [];
  for (let p = 0; p < POOLS; p++) {
    const binaries = p === 3 || p === 7; // share 0.4 × k 3 > 1: the MILP needs its "k offerings" binaries
    const pool = Ec2PoolSchema.parse({
      kind: 'ec2', id: `pool-${p}`, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      instanceRequirements: { vcpuMin: 2, vcpuMax: 16, allowedFamilies: families[p % 3] },
      serviceLevel: p % 2 ? 0.95 : 0.9, onDemandFloorShare: [0, 0.1, 0.2, 0.3][p % 4], onDemandFloorUnits: p % 5 === 0 ? 4 : 0,
      maxSpotSharePerOffering: binaries ? 0.4 : 0.5, minSpotOfferings: binaries ? 3 : 2, maxUnits: 2048, maxChangeUnitsPerTick: 128,
      scaleInCooldownSec: 600,
    });
    const offerings = buildOfferings(pool, prices).slice(0, OFFERINGS);
    if (offerings.length < OFFERINGS) throw new Error(`pool ${p}: only ${offerings.length} offerings`);
    const levelUnits = 20 + Math.round(rng.next() * 180);
    out.push({ pool, offerings, levelUnits, ...(p === 5 ? { spendCap: levelUnits * 0.03 } : {}) });
  }
  return out;
}

/** Demand units of pool `p` at time t: diurnal shape, AR noise and a burst in the second half hour. */
function demandSeries(levelUnits: number, seed: number, minutes: number): number[] {
  const rng = createRandom(seed);
  const out: number[] = [];
  let noise = 0;
  for (let m = 0; m < minutes; m++) {
    noise = 0.8 * noise + 0.2 * drawNormal(rng) * 0.15;
    const diurnal = 0.7 + 0.3 * Math.sin((2 * Math.PI * m) / 240);
    const burst = m >= 40 && m < 55 ? 1.4 : 1;
    out.push(Math.max(0, levelUnits * diurnal * burst * (1 + noise)));
  }
  return out;
}

function slotsAt(series: readonly number[], tick: number): DemandSlot[] {
  return Array.from({ length: SLOTS }, (_, s) => {
    const q50 = series[tick + s];
    return { startSec: START + (tick + s) * SLOT_SEC, quantiles: { '0.5': q50, '0.9': q50 * 1.2, '0.95': q50 * 1.3 }, predictedStepUnits: (s % 7 === 3 ? 4 : 0), committedUnits: 0 };
  });
}

interface Run { readonly ms: number[]; readonly solvers: Record<string, number>; costUsdPerHour: number; shortfallUnitSec: number }

function runPlanner(planner: Planner, cases: readonly PoolCase[], bar: (n: number) => void): Run {
  const fleets = cases.map(() => [] as Instance[]);
  const memories: PlannerMemory[] = cases.map(() => ({}));
  const series = cases.map((c, i) => demandSeries(c.levelUnits, 100 + i, TICKS + SLOTS));
  const run: Run = { ms: [], solvers: {}, costUsdPerHour: 0, shortfallUnitSec: 0 };
  let seq = 0;
  for (let t = 0; t < TICKS; t++) {
    const now = START + t * SLOT_SEC;
    let tickMs = 0;
    cases.forEach((c, p) => {
      const instances = fleets[p].map((i) => (i.state === 'pending' && (i.readyAtSec ?? 0) <= now ? { ...i, state: 'running' as const } : i));
      const input = { nowSec: now, pool: c.pool, offerings: c.offerings, capacity: { atSec: now, instances, caches: [] }, demand: slotsAt(series[p], t), slotSec: SLOT_SEC, memory: memories[p], ...(c.spendCap !== undefined ? { spendCapUsdPerHour: c.spendCap } : {}) };
      const t0 = performance.now();
      const out = planner.plan(input);
      tickMs += performance.now() - t0;
      memories[p] = out.memory;
      const key = out.plan.solver + (out.plan.reason.match(/\(HiGHS ([^;]*);/)?.[1] ? ` (${out.plan.reason.match(/\(HiGHS ([^;]*);/)?.[1]})` : '');
      if (t >= WARM_UP) {
        run.solvers[key] = (run.solvers[key] ?? 0) + 1;
        run.costUsdPerHour += out.plan.expectedCostUsdPerHour / (TICKS - WARM_UP);
        run.shortfallUnitSec += out.plan.expectedShortfallUnitSec / (TICKS - WARM_UP);
      }
      let next = instances;
      for (const cmd of out.plan.commands) {
        if (cmd.kind === 'terminate') next = next.filter((i) => !cmd.instanceIds.includes(i.id));
        if (cmd.kind === 'launch') {
          const o = c.offerings.find((x) => x.id === cmd.offeringId) as Offering;
          for (let k = 0; k < cmd.count; k++) {
            next = [...next, { id: `i-${++seq}`, poolId: c.pool.id, offeringId: o.id, instanceType: o.instanceType, market: o.market, az: o.az, capacityUnits: o.capacityUnits, state: 'pending', launchedAtSec: now, readyAtSec: now + o.launchLeadTimeSec, priceUsdPerHour: o.priceUsdPerHour, commandId: cmd.id, tags: {} }];
          }
        }
      }
      fleets[p] = next;
    });
    if (t >= WARM_UP) run.ms.push(tickMs);
    bar(t + 1);
  }
  return run;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

function progress(label: string, total: number): { update: (n: number) => void; stop: () => void } {
  if (process.stdout.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} ticks` }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return { update: (n) => bar.update(n), stop: () => bar.stop() };
  }
  return { update: (n) => { if (n % 20 === 0 || n === total) console.log(`${label}: ${n}/${total} ticks`); }, stop: () => undefined };
}

async function main(): Promise<void> {
  const cases = await poolCases();
  const highs = await loadHighsSolver();
  const planners: Planner[] = [createGreedyPlanner({ tickSec: SLOT_SEC }), createMilpPlanner(highs, { tickSec: SLOT_SEC })];
  const rows: string[] = [];
  const runs: Record<string, Run> = {};
  for (const planner of planners) {
    const bar = progress(planner.name, TICKS);
    const run = runPlanner(planner, cases, bar.update);
    bar.stop();
    runs[planner.name] = run;
    const solvers = Object.entries(run.solvers).sort().map(([k, n]) => `${k}: ${n}`).join(', ');
    rows.push(`| ${planner.name} | ${quantile(run.ms, 0.5).toFixed(1)} | ${quantile(run.ms, 0.99).toFixed(1)} | ${Math.max(...run.ms).toFixed(1)} | ${run.costUsdPerHour.toFixed(3)} | ${(run.shortfallUnitSec / 60).toFixed(1)} | ${solvers} |`);
    console.log(rows[rows.length - 1]);
  }
  const ratio = runs.milp.costUsdPerHour / runs.greedy.costUsdPerHour;
  let md = [
    `### Solve time per tick: ${POOLS} pools × ${OFFERINGS} offerings × ${SLOTS} slots (goal: median and p99 < 200 ms)`,
    '',
    `${TICKS - WARM_UP} measured ticks after ${WARM_UP} warm-up ticks; each planner drives its own fleet; times are all ${POOLS} pools planned in sequence on one core. Cost and shortfall are means per tick over all pools (first-slot expected cost; expected unmet unit-minutes over the 30-slot horizon).`,
    '',
    '| planner | median ms/tick | p99 ms/tick | max ms/tick | expected cost USD/h | expected shortfall unit-min | plans by solver (pool-ticks) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `MILP expected cost / greedy expected cost: ${ratio.toFixed(3)}. Pools 3 and 7 ask for 3 spot offerings at most 40% each, which needs the MILP's binary "offering used" variables; pool 5 has a spend cap. The MILP keeps the ${'≥'}6 cheapest candidates per market plus the cheapest of each size and merges slots with the same running maximum of demand (see src/core/plan/milp.ts).`,
  ].join('\n');
  const days = Number(process.env.PLAN_BENCH_BACKTEST_DAYS ?? '1');
  if (days > 0) md += `\n\n${await runSensitivity(highs, days)}`;
  writeBenchSection('plan', 'Capacity planner (issue 6)', md, 'npm run bench:plan');
  console.log(md);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
