/**
 * Runs one policy over one world, tick by tick, recording a timeline row per pool per tick and the
 * measurements the report needs. Ticks continue past the scenario's end (the drain) until every
 * submitted chain has completed, up to `maxDrainSec`.
 */
import type { PolicyRawResult, TimelineRow } from '../app/report/index.js';
import { attributionRows, forecastRowsFromForecast, type AttributionRow, type EventRow, type ForecastRow } from '../app/report/html/extras.js';
import { roundCost } from '../app/report/timeline-csv.js';
import type { Forecast } from '../core/model/index.js';
import { backlogSeriesId } from './policies/prescale.js';
import { ANONYMOUS_PRINCIPAL } from './workload/composer.js';
import type { PolicyFactory } from './policies/types.js';
import { World } from './world.js';
import type { DemandGrid } from './demand-grid.js';
import type { Scenario } from './scenario/schema.js';

/** Rows of the optional report files (src/app/report/html/extras.ts) from one run. */
export interface RunExtraRows {
  readonly forecast: ForecastRow[];
  readonly events: EventRow[];
  readonly attribution: AttributionRow[];
}

/** What a run gives back. */
export interface PolicyRun {
  readonly raw: PolicyRawResult;
  readonly rows: TimelineRow[];
  readonly extraRows: RunExtraRows;
  /** Spot risk signals the world's cloud emitted (sim/cloud/spot-risk.ts) and its interruptions. */
  readonly spotRisk: SpotRiskCounts;
}

/** Spot risk events of one run. */
export interface SpotRiskCounts {
  readonly interruptions: number;
  readonly rebalanceRecommendations: number;
  /** Launches that failed with insufficient capacity. */
  readonly insufficientCapacityErrors: number;
  /** Insufficient-capacity episodes the cloud went through (whether or not a launch hit one). */
  readonly iceEpisodes: number;
  readonly variantSwitches: number;
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
 * @param instantLeadTime build the world's cloud with capacity ready at once, billed for its lead time (the oracle)
 * @param onWorldEnd called with the finished world (e.g. to read its chains for the lower bound)
 */
export async function runPolicy(
  scenario: Scenario, grid: DemandGrid, name: string, factory: (world: World, backlog: BacklogRecorder) => ReturnType<PolicyFactory>,
  instantLeadTime: boolean, progress?: TickProgress, onWorldEnd?: (world: World) => void,
): Promise<PolicyRun> {
  // only prescale pre-executes steps, so only its world holds the prefetch state cache (and pays for it)
  const withCaches = name === 'prescale';
  const world = new World(scenario, grid, { instantLeadTime, withCaches });
  const cachePoolIds = withCaches ? scenario.caches.map((c) => c.id) : [];
  // a cache pool holds no vCPU, so its cost shows on the row of the first pool workflow steps run on
  // (the steps whose states it holds); the timeline still sums to the total
  const stepPools = new Set(scenario.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => v.poolBindings[t.task_id] ?? v.defaultPool))));
  const cacheRowPool = (scenario.pools.find((p) => stepPools.has(p.id)) ?? scenario.pools[0]).id;
  const runTicks = Math.round((scenario.days * 86_400) / scenario.tickSec);
  const maxTicks = runTicks + Math.ceil(scenario.maxDrainSec / scenario.tickSec) + 1;
  const backlog: BacklogRecorder = { values: new Map(scenario.pools.map((p) => [p.id, new Float64Array(maxTicks)])), recorded: 0 };
  const policy = factory(world, backlog);
  const rows: TimelineRow[] = [];
  const cost = { spot: 0, od: 0, cache: 0 };
  const byPool = new Map(scenario.pools.map((p) => [p.id, { poolId: p.id, ec2Usd: 0, demandUnitTicks: 0, readyUnitTicks: 0, ticks: 0, idleUnitSec: 0, unmetUnitSec: 0, shortTicks: 0 }]));
  const mix = new Map<string, { poolId: string; instanceType: string; market: 'spot' | 'on-demand'; unitSec: number }>();
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
    // Lambda burst cost is on-demand spend of the pool the steps belong to
    const lambdaUsd = world.workload.collectLambdaCost();
    const held = new Map<string, { pending: number; spot: number; od: number }>();
    for (const i of world.cloud.liveInstances()) {
      if (i.commandId === 'foreign') continue;
      let h = held.get(i.poolId);
      if (!h) held.set(i.poolId, (h = { pending: 0, spot: 0, od: 0 }));
      const u = i.offering.capacityUnits;
      const mk = `${i.poolId}|${i.offering.instanceType}|${i.offering.market}`;
      const m = mix.get(mk) ?? mix.set(mk, { poolId: i.poolId, instanceType: i.offering.instanceType, market: i.offering.market, unitSec: 0 }).get(mk)!;
      m.unitSec += u * scenario.tickSec;
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
      const od = roundCost((c?.onDemandUsd ?? 0) + (lambdaUsd.get(pool.id) ?? 0));
      const cache = roundCost((c?.cacheUsd ?? 0) + (pool.id === cacheRowPool ? cachePoolIds.reduce((sum, id) => sum + (costs.get(id)?.cacheUsd ?? 0), 0) : 0));
      const rowCost = roundCost(spot + od + cache);
      cost.spot += spot;
      cost.od += od;
      cost.cache += rowCost - spot - od;
      const pr = byPool.get(pool.id)!;
      pr.ec2Usd += spot + od;
      pr.demandUnitTicks += d + place.runningVcpu + place.queuedVcpu;
      pr.readyUnitTicks += ready;
      pr.ticks++;
      pr.idleUnitSec += (free - served) * scenario.tickSec;
      pr.unmetUnitSec += (d - served) * scenario.tickSec;
      if (d - served > 1e-9) pr.shortTicks++;
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
  world.workload.prefetch.finish(lastT);
  world.workload.notePreps();
  onWorldEnd?.(world);
  const extras = policy.extras();
  const ws = world.workload.stats;
  const pf = world.workload.prefetch.totals;
  const composer = world.composer;
  const decisionCounts: Record<string, number> = { ...extras.decisionCounts };
  for (const [k, v] of composer?.decisionCounts ?? []) decisionCounts[k] = (decisionCounts[k] ?? 0) + v;
  const ls = world.workload.lambdaStats;
  if (ls.invocations > 0 || ls.throttled > 0) Object.assign(decisionCounts, { 'lambda-burst': ls.invocations, 'lambda-throttled': ls.throttled });
  const chainCosts = [...world.workload.chains.values()].map((c) => ({ principal: c.principal ?? ANONYMOUS_PRINCIPAL, workflow: c.workflow, costUsd: c.costUsd }));
  const st = world.cloud.stats;
  return {
    rows,
    spotRisk: {
      interruptions: st.spotInterruptions, rebalanceRecommendations: st.rebalanceRecommendations, insufficientCapacityErrors: st.insufficientCapacityErrors,
      iceEpisodes: st.iceEpisodes, variantSwitches: composer?.switches ?? 0,
    },
    extraRows: {
      forecast: forecastRows(world, name, lastT + scenario.tickSec),
      events: world.workload.notes.map((n) => ({ timestamp: n.timestamp, policy: name, pool: n.pool, kind: n.kind, detail: n.detail })),
      attribution: attributionRows(name, chainCosts),
    },
    raw: {
      policy: name, spotUsd: cost.spot, onDemandUsd: cost.od, cacheUsd: cost.cache,
      waitSec: ws.waitSec, makespanSec: ws.makespanSec, unmetDemandUnitSec: unmet, idleUnitSec: idle,
      spotInterruptions: world.cloud.stats.spotInterruptions, tasksRequeued: ws.tasksRequeued,
      tasksSubmitted: ws.tasksSubmitted, tasksCompleted: ws.tasksCompleted, chainsSubmitted: ws.chainsSubmitted, chainsCompleted: ws.chainsCompleted,
      launches: world.cloud.stats.launches, terminations: world.cloud.stats.terminations,
      forecastError: extras.forecastError, nextStep: extras.nextStep,
      prefetch: extras.usesPrefetch
        ? {
          preparations: pf.preparations, hits: pf.hits, setupSecSaved: pf.setupSecSaved, wastedCpuSec: pf.wastedCpuSec, wastedUsd: world.workload.prefetch.wastedUsd,
          aborted: pf.aborted, expired: pf.expired, evicted: pf.evicted, wastedMemoryGiBSec: pf.wastedMemoryGiBSec,
        }
        : null,
      variants: composer
        ? {
          choices: Object.fromEntries(composer.choices), switches: composer.switches, switchReasons: Object.fromEntries(composer.switchReasons),
          switchPaths: Object.fromEntries(composer.switchPaths), fallbacks: composer.fallbacks, chainsDenied: ws.chainsDenied, tasksCancelled: ws.tasksCancelled,
        }
        : null,
      decisionCounts, chainCosts, endSec: lastT, pools: [...byPool.values()], ...(extras.abTest ? { abTest: extras.abTest } : {}),
      instanceMix: [...mix.values()].sort((a, b) => (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0) || b.unitSec - a.unitSec || (a.instanceType + a.market < b.instanceType + b.market ? -1 : 1)),
    },
  };
}

/**
 * forecast.csv rows from the forecasts the policy recorded (World.recordForecasts): each forecast
 * covers its periods from its origin until the same series' next forecast (or `untilSec`); metric
 * series are turned into units by their demand signal's `metricPerUnit`, task-backlog series are in
 * units already. Series of the same pool are summed per timestamp (a comonotone upper bound of the
 * sum's quantiles).
 */
function forecastRows(world: World, policy: string, untilSec: number): ForecastRow[] {
  const target = new Map<string, { poolId: string; metricPerUnit: number }>();
  for (const d of world.scenario.demandSignals) target.set(d.seriesId, { poolId: d.poolId, metricPerUnit: d.metricPerUnit });
  for (const p of world.scenario.pools) target.set(backlogSeriesId(p.id), { poolId: p.id, metricPerUnit: 1 });
  const bySeries = new Map<string, Forecast[]>();
  for (const f of world.forecasts) {
    if (!target.has(f.seriesId)) continue;
    const list = bySeries.get(f.seriesId) ?? [];
    list.push(f);
    bySeries.set(f.seriesId, list);
  }
  const acc = new Map<string, ForecastRow>();
  for (const id of [...bySeries.keys()].sort()) {
    const list = bySeries.get(id)!;
    const t = target.get(id)!;
    list.forEach((f, i) => {
      // a forecast's first step is originSec + periodSec; it is in force until the next forecast's first step
      const to = Math.min(untilSec, (list[i + 1]?.originSec ?? Infinity) + f.periodSec);
      for (const r of forecastRowsFromForecast(policy, t.poolId, f, t.metricPerUnit, f.originSec, to)) {
        const key = `${r.pool}|${r.timestamp}`;
        const prev = acc.get(key);
        acc.set(key, prev ? { ...r, p10_units: prev.p10_units + r.p10_units, p50_units: prev.p50_units + r.p50_units, p90_units: prev.p90_units + r.p90_units } : r);
      }
    });
  }
  return [...acc.values()];
}
