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

/** Ticks per LP block (5 min: small LPs, still a valid bound since a block sums its ticks). */
export const LOWER_BOUND_BLOCK_TICKS = 5;

/** The bound's inputs per pool, from a finished world. */
export function lowerBoundInputs(scenario: Scenario, grid: DemandGrid, world: World): LowerBoundPool[] {
  const runTicks = Math.round((scenario.days * 86_400) / scenario.tickSec);
  const drainTicks = Math.ceil(scenario.maxDrainSec / scenario.tickSec) + 1;
  return scenario.pools.map((pool) => {
    const metricUnits = Array.from({ length: runTicks }, (_, k) => grid.units.get(pool.id)?.[k] ?? 0);
    const released = new Array<number>(runTicks + drainTicks).fill(0);
    for (const c of world.workload.chains.values()) {
      const k = Math.max(0, Math.floor((c.arrivalSec - scenario.startSec) / scenario.tickSec));
      for (const t of c.tasks) if (t.poolId === pool.id && k < released.length) released[k] += t.vcpu * t.runtimeSec;
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
    };
  });
}

/**
 * Solves the bound for every pool with HiGHS.
 * @throws Error when HiGHS does not prove a pool's LP optimal (the bound would not be one)
 */
export async function solveLowerBound(pools: readonly LowerBoundPool[], tickSec: number, blockTicks = LOWER_BOUND_BLOCK_TICKS): Promise<LowerBoundResult> {
  const highs = await loadHighsSolver({ warmUpSolves: 0 });
  const byPool: Array<{ poolId: string; usd: number }> = [];
  let blocks = 0;
  let maxUsdPerUnitHour = 0;
  for (const p of pools) {
    const { model, blocks: n } = lowerBoundModel(p, tickSec, blockTicks);
    blocks += n;
    const sol = highs.solveArrays(model.toArrays(), { output_flag: false, random_seed: 0 });
    if (sol.Status !== 'Optimal' || sol.ObjectiveValue === null) throw new Error(`lower bound LP of pool ${p.poolId}: HiGHS status ${sol.Status}`);
    byPool.push({ poolId: p.poolId, usd: Math.max(0, sol.ObjectiveValue) });
    maxUsdPerUnitHour = Math.max(maxUsdPerUnitHour, p.onDemandUsdPerUnitHour, p.spotUsdPerUnitHour ?? 0);
  }
  return { totalUsd: byPool.reduce((s, p) => s + p.usd, 0), byPool, maxUsdPerUnitHour, blocks, status: 'Optimal' };
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
    const floorUsd = policyFloorUsd(bound, skipped);
    const costUsd = p.cost.spotUsd + p.cost.onDemandUsd;
    if (costUsd < floorUsd - 1e-6) out.push({ policy: p.policy, costUsd, floorUsd });
  }
  return out;
}
