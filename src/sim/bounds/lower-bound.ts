/**
 * The backtest's `lower-bound` line: the LP relaxation of core/plan/lower-bound.ts, filled from a
 * finished world (the chains' arrival times and drawn task runtimes, the same in every world) and
 * the scenario's metric demand, solved with HiGHS (the `highs` package, already a dependency).
 * Offline and with perfect foresight: no policy runs it; it is the floor every policy's cost is
 * checked against ({@link belowLowerBound}).
 */
import { lowerBoundModel, policyFloorUsd, type LowerBoundPool, type LowerBoundResult } from '../../core/plan/lower-bound.js';
import { loadHighsSolver } from '../../adapters/highs/load-highs.js';
import type { BacktestReport } from '../../app/report/index.js';
import { cheapestPerUnit } from '../policies/fleet-view.js';
import type { DemandGrid } from '../demand-grid.js';
import type { Scenario } from '../scenario/schema.js';
import type { World } from '../world.js';
import type { SimChain, SimTask } from '../workload/types.js';
import { DEFAULT_TASK_RUNTIME_SEC } from '../workload/chains.js';
import { poolOf } from '../../core/model/index.js';

/** Ticks per block of the on-demand share and pool-minimum rows (5 min; demand and work rows are per tick). */
export const LOWER_BOUND_BLOCK_TICKS = 5;

/**
 * Earliest start of every task of a chain, epoch seconds: its arrival plus the longest path of its
 * ancestors' minimum runtimes (runtime less the setup a preparation may skip).
 */
export function earliestStartsSec(chain: SimChain): Map<SimTask, number> {
  const byId = new Map(chain.tasks.map((t) => [t.def.task_id, t]));
  const est = new Map<SimTask, number>();
  const visit = (t: SimTask, depth: number): number => {
    const known = est.get(t);
    if (known !== undefined) return known;
    let at = chain.arrivalSec;
    if (depth < 10_000) {
      for (const d of t.def.dependencies) {
        const p = byId.get(d);
        if (p) at = Math.max(at, visit(p, depth + 1) + Math.max(0, p.runtimeSec - p.setupSec));
      }
    }
    est.set(t, at);
    return at;
  };
  for (const t of chain.tasks) visit(t, 0);
  return est;
}

/**
 * The bound's inputs per pool, from a finished world: each task's work released at its earliest
 * start ({@link earliestStartsSec}), its sampled vCPU (vCPU × ⌊minimum runtime ÷ tickSec⌋) at the
 * first sample from then, the pool's instance sizes, and the pool minimum from the tick by which the
 * start fleet has booted (the slowest lead time).
 * @throws Error when a lead time is shorter than a tick (the bound's window argument needs lead ≥ tick, {@link boundApplies})
 */
export function lowerBoundInputs(scenario: Scenario, grid: DemandGrid, world: World): LowerBoundPool[] {
  if (!boundApplies(scenario)) throw new Error(`lower bound: the shortest lead time is under tickSec ${scenario.tickSec} s, expected lead times of at least one tick`);
  const runTicks = Math.round((scenario.days * 86_400) / scenario.tickSec);
  const drainTicks = Math.ceil(scenario.maxDrainSec / scenario.tickSec) + 1;
  const T = scenario.tickSec;
  const lead = scenario.leadTime;
  const slowestLeadSec = Math.max(lead.defaultRangeSec[1], ...Object.values(lead.byFamilySec).map((r) => r[1])) * lead.multiplier;
  const minFromTick = Math.ceil(slowestLeadSec / T) + 1;
  const chains = [...world.workload.chains.values()].map((c) => ({ c, est: earliestStartsSec(c) }));
  const multiVariant = leastWorkPerPool(scenario, T);
  return scenario.pools.map((pool) => {
    const metricUnits = Array.from({ length: runTicks }, (_, k) => grid.units.get(pool.id)?.[k] ?? 0);
    const released = new Array<number>(runTicks + drainTicks).fill(0);
    const sampled = new Array<number>(runTicks + drainTicks).fill(0);
    for (const { c, est } of chains) {
      const flexible = multiVariant.get(c.workflow);
      if (flexible) {
        // a chain of a workflow with several variants may run any of them (and switch, re-drawing
        // runtimes): it counts, at its arrival, the least work any variant puts on this pool, each
        // task at its shortest observed runtime
        const k = Math.max(0, Math.ceil((c.arrivalSec - scenario.startSec) / T - 1e-9));
        const least = flexible.get(pool.id) ?? { vcpuSec: 0, sampleVcpu: 0 };
        if (k < released.length) { released[k] += least.vcpuSec; sampled[k] += least.sampleVcpu; }
        continue;
      }
      for (const t of c.tasks) {
        if (t.poolId !== pool.id || t.status === 'cancelled') continue;
        const k = Math.max(0, Math.ceil((est.get(t)! - scenario.startSec) / T - 1e-9));
        if (k >= released.length) continue;
        released[k] += t.vcpu * t.runtimeSec;
        sampled[k] += t.vcpu * Math.floor(Math.max(0, t.runtimeSec - t.setupSec) / T);
      }
    }
    const offerings = world.cloud.offeringsOf(pool);
    const spot = pool.markets.includes('spot') ? cheapestPerUnit(offerings, 'spot')[0] : undefined;
    const od = cheapestPerUnit(offerings, 'on-demand')[0] ?? cheapestPerUnit(offerings)[0];
    const perUnit = (o: { priceUsdPerHour: number; capacityUnits: number }): number => o.priceUsdPerHour / o.capacityUnits;
    return {
      poolId: pool.id, metricUnits, minUnits: pool.minUnits, onDemandShare: pool.markets.includes('on-demand') ? pool.onDemandFloorShare : 0,
      ...(spot ? { spotUsdPerUnitHour: perUnit(spot) } : {}),
      onDemandUsdPerUnitHour: od ? perUnit(od) : 0,
      releasedVcpuSec: released,
      releasedSampleVcpu: sampled,
      instanceUnits: [...new Set(offerings.map((o) => o.capacityUnits))].sort((a, b) => a - b),
      minFromTick,
    };
  });
}

/**
 * Task work that a group of pools serves between them: the chains of a workflow with several
 * variants on different pools count 0 on each pool of the per-pool LPs (the least any variant puts
 * there, {@link lowerBoundInputs}), yet every one of them runs all its steps on one pool of the group
 * or another. The group's floor is its work at the cheapest price per vCPU-hour of its pools: every
 * vCPU-second of a step runs on billed capacity of one of them (or on Lambda, dearer per vCPU-second,
 * core/plan/burst.ts), so no policy pays less for it.
 */
export interface FlexibleWorkGroup {
  /** The pools the group's chains may run on, sorted. */
  readonly poolIds: readonly string[];
  /**
   * Work the group's pools must serve, vCPU-seconds: per multi-variant chain, the least total any
   * variant puts on the group (each step at its shortest observed runtime), plus the work of the
   * single-variant chains' steps on those pools.
   */
  readonly vcpuSec: number;
}

/**
 * The {@link FlexibleWorkGroup}s of a finished world: one per set of pools a multi-variant workflow
 * spans (chains arriving within the bound's horizon, as {@link lowerBoundInputs} counts them).
 */
export function flexibleWorkGroups(scenario: Scenario, world: World): FlexibleWorkGroup[] {
  const T = scenario.tickSec;
  const horizonTicks = Math.round((scenario.days * 86_400) / T) + Math.ceil(scenario.maxDrainSec / T) + 1;
  const least = new Map<string, { poolIds: string[]; vcpuSec: number }>();
  for (const w of scenario.workflows) {
    if (w.variants.length < 2) continue;
    const poolIds = [...new Set(w.variants.flatMap((v) => v.tasks.map((t) => poolOf(v, t.task_id))))].sort();
    const totals = w.variants.map((v) => v.tasks.reduce((sum, t) => {
      const samples = t.runtime?.samplesSec ?? [];
      const shortest = Math.max(1, Math.round(samples.length > 0 ? Math.min(...samples) : (t.runtime?.meanSec ?? DEFAULT_TASK_RUNTIME_SEC)));
      return sum + t.resource_requirements.vcpu * shortest;
    }, 0));
    least.set(w.name, { poolIds, vcpuSec: Math.min(...totals) });
  }
  const groups = new Map<string, { poolIds: string[]; vcpuSec: number }>();
  for (const l of least.values()) groups.set(l.poolIds.join(','), { poolIds: l.poolIds, vcpuSec: 0 });
  if (groups.size === 0) return [];
  for (const c of world.workload.chains.values()) {
    const k = Math.max(0, Math.ceil((c.arrivalSec - scenario.startSec) / T - 1e-9));
    if (k >= horizonTicks) continue;
    const l = least.get(c.workflow);
    if (l) { groups.get(l.poolIds.join(','))!.vcpuSec += l.vcpuSec; continue; }
    for (const t of c.tasks) {
      if (t.status === 'cancelled') continue;
      for (const g of groups.values()) if (g.poolIds.includes(t.poolId)) g.vcpuSec += t.vcpu * t.runtimeSec;
    }
  }
  return [...groups.values()];
}

/**
 * For each workflow with more than one variant: per pool, the least work any of its variants puts
 * there (vCPU-seconds and sampled vCPU, every task at its shortest observed runtime, rounded as the
 * simulator does, sim/workload/chains.ts), 0 for a pool some variant does not use.
 */
function leastWorkPerPool(scenario: Scenario, tickSec: number): Map<string, Map<string, { vcpuSec: number; sampleVcpu: number }>> {
  const out = new Map<string, Map<string, { vcpuSec: number; sampleVcpu: number }>>();
  for (const w of scenario.workflows) {
    if (w.variants.length < 2) continue;
    const perVariant = w.variants.map((v) => {
      const m = new Map<string, { vcpuSec: number; sampleVcpu: number }>();
      for (const t of v.tasks) {
        const samples = t.runtime?.samplesSec ?? [];
        const shortest = Math.max(1, Math.round(samples.length > 0 ? Math.min(...samples) : (t.runtime?.meanSec ?? DEFAULT_TASK_RUNTIME_SEC)));
        const poolId = poolOf(v, t.task_id);
        const e = m.get(poolId) ?? { vcpuSec: 0, sampleVcpu: 0 };
        e.vcpuSec += t.resource_requirements.vcpu * shortest;
        e.sampleVcpu += t.resource_requirements.vcpu * Math.floor(Math.max(0, shortest - Math.round(shortest * t.setupShare)) / tickSec);
        m.set(poolId, e);
      }
      return m;
    });
    const least = new Map<string, { vcpuSec: number; sampleVcpu: number }>();
    for (const pool of scenario.pools) {
      const vals = perVariant.map((m) => m.get(pool.id) ?? { vcpuSec: 0, sampleVcpu: 0 });
      least.set(pool.id, { vcpuSec: Math.min(...vals.map((x) => x.vcpuSec)), sampleVcpu: Math.min(...vals.map((x) => x.sampleVcpu)) });
    }
    out.set(w.name, least);
  }
  return out;
}

/**
 * Whether the bound's window argument holds for a scenario: every lead time (hence every billed boot)
 * is at least one tick (core/plan/lower-bound.ts).
 */
export function boundApplies(scenario: Scenario): boolean {
  const lead = scenario.leadTime;
  const fastest = Math.min(lead.defaultRangeSec[0], ...Object.values(lead.byFamilySec).map((r) => r[0])) * lead.multiplier;
  return fastest + 1e-9 >= scenario.tickSec;
}

/**
 * Solves the bound for every pool with HiGHS, with and without the granularity rows; each of
 * `groups` ({@link flexibleWorkGroups}) then lifts its pools' sum to at least its work floor.
 * @throws Error when HiGHS does not prove a pool's LP optimal (the bound would not be one)
 */
export async function solveLowerBound(pools: readonly LowerBoundPool[], tickSec: number, blockTicks = LOWER_BOUND_BLOCK_TICKS, groups: readonly FlexibleWorkGroup[] = []): Promise<LowerBoundResult> {
  const highs = await loadHighsSolver({ warmUpSolves: 0 });
  const byPool: Array<{ poolId: string; usd: number; relaxedUsd: number }> = [];
  let blocks = 0;
  let maxUsdPerUnitHour = 0;
  const solve = (p: LowerBoundPool, granular: boolean): number => {
    const { model, blocks: n } = lowerBoundModel(p, tickSec, blockTicks, { granular });
    if (granular) blocks += n;
    const sol = highs.solveArrays(model.toArrays(), { output_flag: false, random_seed: 0 });
    if (sol.Status !== 'Optimal' || sol.ObjectiveValue === null) throw new Error(`lower bound LP of pool ${p.poolId}: HiGHS status ${sol.Status}`);
    return Math.max(0, sol.ObjectiveValue);
  };
  for (const p of pools) {
    const usd = solve(p, true);
    const relaxedUsd = (p.instanceUnits?.length ?? 0) > 0 ? Math.min(usd, solve(p, false)) : usd;
    byPool.push({ poolId: p.poolId, usd, relaxedUsd });
    maxUsdPerUnitHour = Math.max(maxUsdPerUnitHour, p.onDemandUsdPerUnitHour, p.spotUsdPerUnitHour ?? 0);
  }
  // a group of pools sharing multi-variant chains costs at least its work at its cheapest price; the
  // rise over the group's per-pool LPs is booked on that cheapest pool
  for (const g of groups) {
    const members = pools.filter((p) => g.poolIds.includes(p.poolId));
    if (members.length === 0) continue;
    const price = (p: LowerBoundPool): number => Math.min(p.onDemandUsdPerUnitHour, p.spotUsdPerUnitHour ?? Infinity);
    const cheapest = members.reduce((a, b) => (price(b) < price(a) ? b : a));
    const floorUsd = (price(cheapest) * g.vcpuSec) / 3600;
    const entry = byPool.find((b) => b.poolId === cheapest.poolId)!;
    const inGroup = byPool.filter((b) => g.poolIds.includes(b.poolId));
    entry.usd += Math.max(0, floorUsd - inGroup.reduce((s, b) => s + b.usd, 0));
    entry.relaxedUsd += Math.max(0, floorUsd - inGroup.reduce((s, b) => s + b.relaxedUsd, 0));
  }
  return {
    totalUsd: byPool.reduce((s, p) => s + p.usd, 0), relaxedTotalUsd: byPool.reduce((s, p) => s + p.relaxedUsd, 0),
    byPool, maxUsdPerUnitHour, blocks, status: 'Optimal',
  };
}

/** A policy whose cost is under its floor (a bug in the simulator, the policy or the bound). */
export interface BoundViolation {
  readonly policy: string;
  readonly costUsd: number;
  readonly floorUsd: number;
}

/**
 * The policies of `report` that cost less than the bound allows them: each policy's floor is the
 * bound minus the demand it left unmet and the setup work it ran off its pools (prefetch; counted at
 * `maxTaskVcpu` vCPU per saved second), at the bound's dearest unit price ({@link policyFloorUsd}).
 * Costs are compared without the prefetch state cache (not in the bound, only adds).
 */
export function belowLowerBound(report: BacktestReport, bound: LowerBoundResult, maxTaskVcpu: number): BoundViolation[] {
  const out: BoundViolation[] = [];
  for (const p of report.policies) {
    const skipped = p.unmetDemandUnitSec + (p.prefetch?.setupSecSaved ?? 0) * maxTaskVcpu;
    const floorUsd = policyFloorUsd(bound, skipped, p.unmetDemandUnitSec);
    const costUsd = p.cost.spotUsd + p.cost.onDemandUsd;
    if (costUsd < floorUsd - 1e-6) out.push({ policy: p.policy, costUsd, floorUsd });
  }
  return out;
}
