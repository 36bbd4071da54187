/**
 * The planner benchmark's workload: 10 EC2 pools × 50 offerings (us-east-1 prices from
 * ../shared/data/ec2) × 30 one-minute slots, a seeded diurnal demand with noise and a burst, and a
 * tick loop in which each planner drives its own fleet.
 */
import { resolve } from 'node:path';
import { FilePriceCatalog } from '../src/adapters/files/price-files.js';
import { buildOfferings } from '../src/core/market/index.js';
import { Ec2PoolSchema, type Ec2Pool, type Instance, type Offering } from '../src/core/model/index.js';
import type { DemandSlot, Planner, PlannerMemory } from '../src/core/plan/index.js';
import { createRandom, drawNormal } from '../src/core/rng.js';

export const POOLS = 10;
export const OFFERINGS = 50;
export const SLOTS = 30;
export const TICKS = 60;
export const WARM_UP = 3;
export const SLOT_SEC = 60;
const START = 1_767_571_200;

/** One benchmark pool. */
export interface PoolCase { readonly pool: Ec2Pool; readonly offerings: Offering[]; readonly levelUnits: number; readonly spendCap?: number }

/** The benchmark pools. */
export async function poolCases(): Promise<PoolCase[]> {
  const prices = await new FilePriceCatalog(resolve(process.cwd(), '../shared/data/ec2')).instanceTypes('us-east-1');
  const rng = createRandom(6);
  const families = [['m5', 'm6i', 'm6a', 'm7i', 'm6g', 'm7g'], ['c5', 'c6i', 'c6a', 'c7i', 'c6g', 'c7g'], ['r5', 'r6i', 'r6a', 'r7i', 'r6g', 'r7g']];
  const out: PoolCase[] = [];
  for (let p = 0; p < POOLS; p++) {
    // pools 3 and 7: at least 3 spot offerings at most 40% each (the share cap alone implies 3, so the
    // MILP needs no binaries); PLAN_BENCH_BINARIES=1 makes it 50% each, which needs the "k offerings" binaries
    const threeOfferings = p === 3 || p === 7;
    const pool = Ec2PoolSchema.parse({
      kind: 'ec2', id: `pool-${p}`, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      instanceRequirements: { vcpuMin: 2, vcpuMax: 16, allowedFamilies: families[p % 3] },
      serviceLevel: p % 2 ? 0.95 : 0.9, onDemandFloorShare: [0, 0.1, 0.2, 0.3][p % 4], onDemandFloorUnits: p % 5 === 0 ? 4 : 0,
      maxSpotSharePerOffering: threeOfferings && process.env.PLAN_BENCH_BINARIES !== '1' ? 0.4 : 0.5, minSpotOfferings: threeOfferings ? 3 : 2, maxUnits: 2048, maxChangeUnitsPerTick: 128,
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

/** Results of one planner over the tick loop. */
export interface Run { readonly ms: number[]; readonly cpuMs: number[]; readonly solvers: Record<string, number>; costUsdPerHour: number; shortfallUnitSec: number }

/** Runs `planner` over the tick loop. */
export function runPlanner(planner: Planner, cases: readonly PoolCase[], bar: (n: number) => void): Run {
  const fleets = cases.map(() => [] as Instance[]);
  const memories: PlannerMemory[] = cases.map(() => ({}));
  const series = cases.map((c, i) => demandSeries(c.levelUnits, 100 + i, TICKS + SLOTS));
  const run: Run = { ms: [], cpuMs: [], solvers: {}, costUsdPerHour: 0, shortfallUnitSec: 0 };
  let seq = 0;
  for (let t = 0; t < TICKS; t++) {
    const now = START + t * SLOT_SEC;
    let tickMs = 0;
    let tickCpuMs = 0;
    cases.forEach((c, p) => {
      const instances = fleets[p].map((i) => (i.state === 'pending' && (i.readyAtSec ?? 0) <= now ? { ...i, state: 'running' as const } : i));
      const input = { nowSec: now, pool: c.pool, offerings: c.offerings, capacity: { atSec: now, instances, caches: [] }, demand: slotsAt(series[p], t), slotSec: SLOT_SEC, memory: memories[p], ...(c.spendCap !== undefined ? { spendCapUsdPerHour: c.spendCap } : {}) };
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const out = planner.plan(input);
      const c1 = process.cpuUsage(c0);
      tickMs += performance.now() - t0;
      tickCpuMs += (c1.user + c1.system) / 1000;
      memories[p] = out.memory;
      const key = solverKey(out.plan.solver, out.plan.reason);
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
    if (t >= WARM_UP) { run.ms.push(tickMs); run.cpuMs.push(tickCpuMs); }
    bar(t + 1);
  }
  return run;
}

/**
 * How a plan was made, for the benchmark's "plans by solver" column: greedy (with the HiGHS status
 * when the MILP fell back), or the MILP with no solve (greedy plan within the gap of the
 * solver-free bound), with a solve that proved the greedy start, or with a solve that improved on it.
 */
export function solverKey(solver: string, reason: string): string {
  const status = reason.match(/\(HiGHS ([^;]*);/)?.[1];
  if (solver !== 'highs') return status ? `${solver} (${status})` : solver;
  if (reason.includes('no solve needed')) return 'highs, no solve';
  if (reason.includes('greedy plan proven')) return 'highs, solved: greedy start kept';
  return 'highs, solved: improved';
}

/** The q-quantile (nearest rank). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

