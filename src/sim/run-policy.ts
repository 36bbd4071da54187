/**
 * Runs one policy over one world, tick by tick, recording a timeline row per pool per tick and the
 * measurements the report needs. Ticks continue past the scenario's end (the drain) until every
 * submitted chain has completed, up to `maxDrainSec`.
 */
import type { PolicyRawResult, TimelineRow } from '../app/report/index.js';
import { roundCost } from '../app/report/timeline-csv.js';
import type { PolicyFactory } from './policies/types.js';
import { World } from './world.js';
import type { DemandGrid } from './demand-grid.js';
import type { Scenario } from './scenario/schema.js';

/** What a run gives back. */
export interface PolicyRun {
  readonly raw: PolicyRawResult;
  readonly rows: TimelineRow[];
}

/** Progress callback: ticks done and the expected total (excluding the drain). */
export type TickProgress = (done: number, total: number) => void;

/** Live backlog series per pool that a policy may read (recorded each tick). */
export interface BacklogRecorder {
  readonly values: Map<string, Float64Array>;
  recorded: number;
}

/**
 * Runs `factory`'s policy on a fresh world.
 * @param instantLeadTime build the world's cloud with zero lead time (the oracle)
 */
export async function runPolicy(
  scenario: Scenario, grid: DemandGrid, name: string, factory: (world: World, backlog: BacklogRecorder) => ReturnType<PolicyFactory>,
  instantLeadTime: boolean, progress?: TickProgress,
): Promise<PolicyRun> {
  const world = new World(scenario, grid, { instantLeadTime });
  const runTicks = Math.round((scenario.days * 86_400) / scenario.tickSec);
  const maxTicks = runTicks + Math.ceil(scenario.maxDrainSec / scenario.tickSec) + 1;
  const backlog: BacklogRecorder = { values: new Map(scenario.pools.map((p) => [p.id, new Float64Array(maxTicks)])), recorded: 0 };
  const policy = factory(world, backlog);
  const rows: TimelineRow[] = [];
  const cost = { spot: 0, od: 0, cache: 0 };
  let unmet = 0;
  let idle = 0;
  let k = 0;
  let t = scenario.startSec;
  const pendingArrivals = (): boolean => scenario.arrivals.some((a) => a.atSec >= t);
  let arrivalsLeft = true;
  let lastT = t;
  for (; k < maxTicks; k++) {
    t = scenario.startSec + k * scenario.tickSec;
    if (k > runTicks) {
      if (arrivalsLeft) arrivalsLeft = pendingArrivals();
      if (!arrivalsLeft && world.workload.openChains === 0) break;
    }
    world.advanceTo(t);
    lastT = t;
    await policy.tick({ world, tickIndex: k, nowSec: t });
    world.workload.schedule();
    const costs = new Map(world.cloud.collectCost().map((c) => [c.poolId, c]));
    const held = new Map<string, { pending: number; spot: number; od: number }>();
    for (const i of world.cloud.liveInstances()) {
      if (i.commandId === 'foreign') continue;
      let h = held.get(i.poolId);
      if (!h) held.set(i.poolId, (h = { pending: 0, spot: 0, od: 0 }));
      const u = i.offering.capacityUnits;
      if (i.state === 'pending') h.pending += u;
      if (i.offering.market === 'spot') h.spot += u;
      else h.od += u;
    }
    for (const pool of scenario.pools) {
      const place = world.workload.pools.get(pool.id)!;
      const d = world.metricDemand(pool.id, k);
      const ready = place.readyUnits();
      const free = Math.max(0, ready - place.runningVcpu);
      const served = Math.min(d, free);
      unmet += (d - served) * scenario.tickSec;
      idle += (free - served) * scenario.tickSec;
      backlog.values.get(pool.id)![k] = place.runningVcpu + place.queuedVcpu;
      const c = costs.get(pool.id);
      const spot = roundCost(c?.spotUsd ?? 0);
      const od = roundCost(c?.onDemandUsd ?? 0);
      const cache = roundCost(c?.cacheUsd ?? 0);
      const rowCost = roundCost(spot + od + cache);
      cost.spot += spot;
      cost.od += od;
      cost.cache += rowCost - spot - od;
      const h = held.get(pool.id) ?? { pending: 0, spot: 0, od: 0 };
      rows.push({
        timestamp: t, policy: name, pool: pool.id, demand_units: d + place.runningVcpu + place.queuedVcpu, ready_units: ready,
        pending_units: h.pending, spot_units: h.spot, ondemand_units: h.od, cost_usd: rowCost,
      });
    }
    backlog.recorded = k + 1;
    if (progress && k % 60 === 0) progress(Math.min(k, runTicks), runTicks);
  }
  progress?.(runTicks, runTicks);
  world.workload.prefetch.finish();
  const extras = policy.extras();
  const ws = world.workload.stats;
  const pf = world.workload.prefetch.totals;
  const usdPerCpuSec = cheapestOnDemandUsdPerUnitSec(world);
  return {
    rows,
    raw: {
      policy: name, spotUsd: cost.spot, onDemandUsd: cost.od, cacheUsd: cost.cache,
      waitSec: ws.waitSec, makespanSec: ws.makespanSec, unmetDemandUnitSec: unmet, idleUnitSec: idle,
      spotInterruptions: world.cloud.stats.spotInterruptions, tasksRequeued: ws.tasksRequeued,
      tasksSubmitted: ws.tasksSubmitted, tasksCompleted: ws.tasksCompleted, chainsSubmitted: ws.chainsSubmitted, chainsCompleted: ws.chainsCompleted,
      launches: world.cloud.stats.launches, terminations: world.cloud.stats.terminations,
      forecastError: extras.forecastError, nextStep: extras.nextStep,
      prefetch: extras.usesPrefetch ? { ...pf, wastedUsd: pf.wastedCpuSec * usdPerCpuSec } : null,
      variants: null, decisionCounts: extras.decisionCounts, endSec: lastT,
    },
  };
}

/** Cheapest on-demand price per vCPU-second over the scenario's offerings (values wasted CPU). */
function cheapestOnDemandUsdPerUnitSec(world: World): number {
  let best = Infinity;
  for (const os of world.offeringsByPool.values()) for (const o of os) if (o.market === 'on-demand') best = Math.min(best, o.priceUsdPerHour / o.capacityUnits);
  return Number.isFinite(best) ? best / 3600 : 0;
}
