/**
 * What the p95 wait goal costs at best: the free vCPU a task pool must hold so that fewer than 5% of
 * steps wait longer than the goal, under assumptions that all favour the policy, priced at the pool's
 * cheapest vCPU. It answers "could any planner meet both goals here?" without running one.
 *
 * Why a held reserve: chains arrive unannounced (the traces draw them as a Poisson process) and a
 * launch takes the scenario's lead time (60–180 s) while the goal asks for a few seconds, so a chain's
 * first steps can only start on capacity that was free when it arrived. By PASTA a Poisson arrival
 * sees the time-average free capacity, and since the late-step count is decreasing and convex in it,
 * a constant reserve does at least as well as any varying one with the same mean (Jensen).
 *
 * Idealisations (each can only lower the reserve):
 * - only a chain's root steps (runnable at arrival) can wait; every later step starts at once;
 * - each chain has the whole reserve to itself (arrivals never overlap);
 * - roots start shortest first with backfill on the reserve's vCPU (fungible: no packing by
 *   instance or memory), which maximises how many start within the goal;
 * - the reserve costs the pool's cheapest vCPU-hour (spot where the pool buys spot), with no
 *   instance granularity, billing minimum or on-demand floor.
 *
 * Runtimes are drawn exactly as the simulated world draws them (src/sim/workload/chains.ts, stream
 * `workload` of the scenario seed); each chain runs the variant its arrival names, else its first.
 */
import type { BacktestReport, PolicyReport, PoolSummary } from '../src/app/report/index.js';
import { buildOfferings } from '../src/core/market/index.js';
import { createRandom } from '../src/core/rng.js';
import type { Scenario } from '../src/sim/scenario/schema.js';
import { instantiateChain } from '../src/sim/workload/chains.js';

/** The reserve of one task pool. */
export interface PoolReserve {
  readonly poolId: string;
  /** Free vCPU held at all times. */
  readonly reserveVcpu: number;
  /** Cheapest vCPU-hour among the pool's offerings, USD. */
  readonly cheapestUsdPerVcpuHour: number;
  /** reserveVcpu × cheapestUsdPerVcpuHour × the run's hours, USD. */
  readonly reserveUsd: number;
}

/** Result of {@link waitReserve}. */
export interface WaitReserve {
  /** Steps of all chains (the p95 is over every step). */
  readonly steps: number;
  /** Steps allowed to wait past the goal: floor(5% of steps). */
  readonly allowedLate: number;
  /** Late steps with the reserves below (≤ allowedLate unless a pool's cap was reached). */
  readonly lateSteps: number;
  readonly pools: readonly PoolReserve[];
  /** Sum of the pools' reserveUsd. */
  readonly totalUsd: number;
}

/** A chain's root steps in one pool: vCPU and runtime (seconds) of each. */
export type ChainRoots = ReadonlyArray<{ readonly vcpu: number; readonly runtimeSec: number }>;

/**
 * Roots of one chain that cannot start within `goalSec` on `reserveVcpu` free vCPU (shortest first,
 * with backfill). Roots needing more vCPU than the reserve never start in time.
 * @param roots vCPU and runtime (seconds) of each root, in any order
 */
export function lateRoots(roots: ChainRoots, reserveVcpu: number, goalSec: number): number {
  const waiting = [...roots].sort((a, b) => a.runtimeSec - b.runtimeSec || a.vcpu - b.vcpu);
  const running: Array<{ endSec: number; vcpu: number }> = [];
  let free = reserveVcpu;
  let now = 0;
  let started = 0;
  for (;;) {
    for (let i = 0; i < waiting.length; i++) {
      const r = waiting[i];
      if (r.vcpu <= free + 1e-9) {
        free -= r.vcpu;
        running.push({ endSec: now + r.runtimeSec, vcpu: r.vcpu });
        waiting.splice(i--, 1);
        started++;
      }
    }
    if (waiting.length === 0 || running.length === 0) break;
    running.sort((a, b) => a.endSec - b.endSec);
    now = running[0].endSec;
    if (now > goalSec) break;
    while (running.length > 0 && running[0].endSec <= now) free += running.shift()!.vcpu;
  }
  return roots.length - started;
}

/**
 * Every chain of the scenario instantiated as the world does: the number of steps, and per task pool
 * the root steps of each chain (runnable at arrival).
 */
export function chainRoots(sc: Scenario): { steps: number; rootsByPool: Map<string, ChainRoots[]> } {
  const workflows = new Map(sc.workflows.map((w) => [w.name, w]));
  const random = createRandom(sc.seed).fork('workload');
  const rootsByPool = new Map<string, ChainRoots[]>();
  let steps = 0;
  for (const a of sc.arrivals) {
    const chain = instantiateChain(a, workflows, random);
    steps += chain.tasks.length;
    const byPool = new Map<string, Array<{ vcpu: number; runtimeSec: number }>>();
    for (const t of chain.tasks) {
      if (t.pendingParents > 0) continue;
      const list = byPool.get(t.poolId) ?? [];
      list.push({ vcpu: t.vcpu, runtimeSec: t.runtimeSec });
      byPool.set(t.poolId, list);
    }
    for (const [poolId, roots] of byPool) {
      const chains = rootsByPool.get(poolId) ?? [];
      chains.push(roots);
      rootsByPool.set(poolId, chains);
    }
  }
  return { steps, rootsByPool };
}

/**
 * The cheapest reserves (vCPU per task pool) that keep late steps within 5% of all steps: reserves
 * grow one vCPU at a time on the pool whose next vCPU removes the most late steps per USD.
 * @param goalSec the wait goal, seconds (a tenth of reactive's p95 wait)
 * @param maxReserveVcpu cap per pool (stops the search when the goal cannot be met), vCPU
 */
export function waitReserve(sc: Scenario, goalSec: number, maxReserveVcpu = 512): WaitReserve {
  const { steps, rootsByPool } = chainRoots(sc);
  const hours = sc.days * 24;
  const pools = [...rootsByPool.keys()].sort().map((poolId) => {
    const pool = sc.pools.find((p) => p.id === poolId)!;
    const offerings = buildOfferings(pool, sc.prices);
    const cheapest = Math.min(...offerings.map((o) => o.priceUsdPerHour / o.vcpu));
    return { poolId, cheapest, chains: rootsByPool.get(poolId)!, reserve: 0, late: 0 };
  });
  const lateAt = (chains: readonly ChainRoots[], f: number): number => chains.reduce((s, roots) => s + lateRoots(roots, f, goalSec), 0);
  for (const p of pools) p.late = lateAt(p.chains, 0);
  const allowedLate = Math.floor(0.05 * steps);
  let late = pools.reduce((s, p) => s + p.late, 0);
  while (late > allowedLate) {
    let best: { p: (typeof pools)[number]; late: number; gainPerUsd: number } | undefined;
    for (const p of pools) {
      if (p.reserve >= maxReserveVcpu) continue;
      const next = lateAt(p.chains, p.reserve + 1);
      const gainPerUsd = (p.late - next) / p.cheapest;
      if (!best || gainPerUsd > best.gainPerUsd) best = { p, late: next, gainPerUsd };
    }
    if (!best) break;
    late -= best.p.late - best.late;
    best.p.reserve++;
    best.p.late = best.late;
  }
  const out = pools.map((p) => ({ poolId: p.poolId, reserveVcpu: p.reserve, cheapestUsdPerVcpuHour: p.cheapest, reserveUsd: p.reserve * p.cheapest * hours }));
  return { steps, allowedLate, lateSteps: late, pools: out, totalUsd: out.reduce((s, p) => s + p.reserveUsd, 0) };
}

/**
 * The reserve as a markdown section with the lower bound it implies on prescale's cost ratio: the
 * oracle's cost plus the reserve beyond what the oracle's own idle task-pool capacity is worth at
 * the same price (a generous credit: that idle sits where the oracle's launches left it, not where
 * arrivals need it), plus prescale's measured cost over the oracle's on the other pools and its
 * state cache.
 * @param report the backtest report of the same scenario (needs the oracle and prescale)
 * @param goalSec the wait goal the reserve was computed for, seconds
 */
export function waitReserveSection(label: string, r: WaitReserve, report: BacktestReport, goalSec: number): string {
  const oracle = report.policies.find((p) => p.policy === 'oracle');
  const prescale = report.policies.find((p) => p.policy === 'prescale');
  if (!oracle || !prescale) return '';
  const poolOf = (p: PolicyReport, id: string): PoolSummary | undefined => p.pools?.find((x) => x.poolId === id);
  const taskPools = new Set(r.pools.map((p) => p.poolId));
  let credit = 0;
  for (const p of r.pools) credit += Math.min(p.reserveUsd, (poolOf(oracle, p.poolId)?.idleUnitHours ?? 0) * p.cheapestUsdPerVcpuHour);
  let otherPremium = 0;
  for (const s of prescale.pools ?? []) if (!taskPools.has(s.poolId)) otherPremium += s.ec2CostUsd - (poolOf(oracle, s.poolId)?.ec2CostUsd ?? 0);
  const base = oracle.cost.totalUsd;
  const taskOnly = (base + Math.max(0, r.totalUsd - credit)) / base;
  const bound = (base + Math.max(0, r.totalUsd - credit) + otherPremium + prescale.cost.cacheUsd) / base;
  const rows = r.pools.map((p) => `| ${p.poolId} | ${p.reserveVcpu} | ${p.cheapestUsdPerVcpuHour.toFixed(4)} | ${p.reserveUsd.toFixed(2)} | ${(poolOf(oracle, p.poolId)?.idleUnitHours ?? 0).toFixed(0)} |`);
  return [
    `#### ${label}: the least free capacity the wait goal needs (p95 < ${goalSec.toFixed(1)} s: at most ${r.allowedLate} of ${r.steps} steps late)`,
    '',
    '| task pool | reserve vCPU | cheapest USD per vCPU-h | reserve USD over the run | oracle idle unit-h |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
    `With these reserves ${r.lateSteps} steps would wait past the goal. Lower bounds on × oracle at the wait goal: ${taskOnly.toFixed(3)} for the task pools alone (the oracle plus the reserve beyond its own idle capacity, ${Math.max(0, r.totalUsd - credit).toFixed(2)} USD); ${bound.toFixed(3)} with prescale's other pools (+${otherPremium.toFixed(2)} USD over the oracle's) and state cache (${prescale.cost.cacheUsd.toFixed(2)} USD) as measured above.`,
  ].join('\n');
}
