/**
 * prescale's controller tick (DESIGN.md): I/O and sequencing only. Each stage is a pure function
 * `(inputs, memory) → { memory, commands, decisions }` in core/tick (see its README table); this file
 * reads the ports, runs the stages in order and acts. The same tick runs in the Lambda and in the
 * backtest. A tick whose time is not after the last completed tick does nothing; crash safety is
 * app/tick/act.ts's.
 */
import type { CachePool, Decision, Ec2Pool, Offering } from '../core/model/index.js';
import { poolUnits } from '../core/model/index.js';
import { DEFAULT_CACHE_NODE_TABLE } from '../core/market/index.js';
import { checkCacheNodes } from '../core/prefetch/cache-stage.js';
import { parsePrefetchConfig } from '../core/prefetch/selection.js';
import { prefetchStage, recordPreparation } from '../core/prefetch/stage.js';
import { buildChainView } from '../core/tick/chain-view.js';
import { forecastDecisions, SCORED_HORIZON_SEC } from '../core/tick/forecast.js';
import { countDecisions, createTickMemory, withLoadedState } from '../core/tick/memory.js';
import { latestStage, observeStage } from '../core/tick/observe.js';
import { offeringsStage } from '../core/tick/offerings.js';
import { planStage } from '../core/tick/plan.js';
import { predictStage } from '../core/tick/predict.js';
import { spotStage, withPendingLaunches } from '../core/tick/spot.js';
import { validateStage } from '../core/tick/validate.js';
import { TickActuator } from './tick/act.js';
import { runForecasts } from './tick/forecast.js';
import { DECISION_LOG, TickStateHolder } from './tick/state.js';
import type { ControllerTick, TickDeps, TickResult } from './tick/types.js';

export type { ControllerTick, TickDeps, TickOptions, TickResult, TickState, TickStats, TaskBacklogSignal } from './tick/types.js';

/** Creates the tick. Its memory (core/tick/memory.ts) is rebuilt from events after a restart. */
export function createControllerTick(deps: TickDeps): ControllerTick {
  const { config: cfg, options: opts = {} } = deps;
  const holder = new TickStateHolder(deps.store);
  let memory = createTickMemory(cfg.workflows, opts.recalibrate ?? false);
  const refitEverySec = opts.refitEverySec ?? 3600, historySec = opts.historySec ?? 7 * 86_400, periodSec = opts.forecastPeriodSec ?? 300, slotSec = opts.slotSec ?? cfg.tickSec;
  const incremental = opts.forecastMode === 'incremental';
  const backlog = opts.taskBacklogSignals ?? [];
  const scored = new Set(cfg.demandSignals.map((d) => d.seriesId));
  const seriesIds = [...new Set([...scored, ...backlog.map((b) => b.seriesId)])].sort();
  const demandIds = [...scored].sort();
  const prefetch = opts.prefetch && cfg.prefetch.enabled ? opts.prefetch : undefined;
  const pools = cfg.pools.filter((p): p is Ec2Pool => p.kind === 'ec2'), cachePools = cfg.pools.filter((p): p is CachePool => p.kind === 'elasticache');
  const cacheNodes = opts.cacheNodes ?? DEFAULT_CACHE_NODE_TABLE;
  checkCacheNodes(cachePools, cacheNodes);

  async function run(): Promise<TickResult> {
    const now = deps.clock.nowSec();
    const loaded = await holder.load();
    if (loaded.lastTickSec !== null && loaded.lastTickSec >= now) return { atSec: now, skipped: true, decisions: [], commands: [], preparations: [], results: [], forecasts: [] };
    memory = withLoadedState(memory, loaded);
    const decisions: Decision[] = [];
    const acts = new TickActuator({ cloud: deps.cloud, preparer: deps.preparer, holder, durable: !!deps.store, mode: cfg.mode, nowSec: now, ledger: memory.ledger, pendingLaunchMaxAgeSec: opts.pendingLaunchMaxAgeSec }, loaded);
    // observe: events since the last tick (a new process re-reads the history window), offerings
    const cloudEvents = await deps.events.drainCloudEvents();
    const view = buildChainView(await deps.events.executionEvents(memory.lastEventSec ?? now - historySec, now), now);
    memory = observeStage({ view, nextStep: deps.nextStep }, memory).memory;
    const offered = new Map<string, Offering[]>();
    for (const p of pools) offered.set(p.id, await deps.cloud.offerings(p));
    const offers = offeringsStage({ nowSec: now, pools, offered, unavailable: acts.unavailable, avoidOfferings: loaded.avoidOfferings, slotSec, planMarginSec: cfg.planMarginSec });
    // forecast (refit on a schedule; incremental: updated every tick); the forecasts in force before are scored
    const before = new Map(memory.forecasts.bySeries);
    const due = memory.forecasts.due(seriesIds, now, refitEverySec);
    const horizon = Math.ceil((refitEverySec + offers.maxLeadSec + cfg.planMarginSec + slotSec) / periodSec) + 1;
    const levels = [...new Set([...cfg.quantiles, ...pools.map((p) => p.serviceLevel)])].sort((a, b) => a - b);
    const forecasts = await runForecasts(deps.metrics, deps.forecaster, memory.forecasts, { seriesIds, due, nowSec: now, historySec, periodSec, horizon, quantiles: levels, scored, incremental });
    decisions.push(...forecastDecisions(forecasts, due, now, incremental, refitEverySec, horizon, periodSec));
    // latest observations: one query for the demand metrics and, for the residual calibrator, the backlog series
    const backlogRead = memory.calibrators ? backlog : [];
    const latestIds = [...new Set([...demandIds, ...backlogRead.map((b) => b.seriesId)])].sort();
    const latestSeries = latestIds.length > 0 ? await deps.metrics.fetch({ seriesIds: latestIds, startSec: now - 3 * slotSec, endSec: now, periodSec: slotSec }) : [];
    const latest = latestStage({ latest: latestSeries, demandIds, backlog: backlogRead, before }, memory);
    // predict on the capacity described now (launches whose outcome was never saved re-applied first)
    await acts.reapplyPending();
    const snap0 = await acts.describe(offers.anyOfferingById);
    const pred = predictStage({ nowSec: now, slotSec, slots: offers.slots, topN: Math.max(3, cfg.prefetch.topN), nextStep: deps.nextStep, readyUnitsByPool: new Map(pools.map((p) => [p.id, poolUnits(snap0, p.id, ['running'])])) }, memory);
    // spot: replace at-risk instances ahead, before planning, so the planner counts the replacements
    const spot = spotStage({ nowSec: now, pools, offeringsByPool: offers.offeringsByPool, capacity: snap0, events: cloudEvents, ...(opts.spotAvoidSec !== undefined ? { avoidSec: opts.spotAvoidSec } : {}) }, memory);
    memory = spot.memory;
    acts.base = { ...loaded, avoidOfferings: memory.state.avoidOfferings, replacedInstances: memory.state.replacedInstances };
    const spotChecked = validateStage({ nowSec: now, commands: spot.commands, capacity: snap0, unseen: acts.unseen, offeringsById: spot.offeringsById, limits: cfg.limits }, memory);
    decisions.push(...spot.decisions, ...spotChecked.decisions);
    await acts.act(spotChecked.commands, decisions);
    const launched = spotChecked.commands.filter((c) => c.kind === 'launch');
    const snap = spotChecked.commands.length === 0 ? snap0 : cfg.mode === 'active' ? await acts.describe(offers.anyOfferingById) : withPendingLaunches(snap0, launched, spot.offeringsById);
    // demand + plan (EC2 pools, then the prefetch state cache), prefetch, validate against fresh state, act
    const planned = planStage({
      nowSec: now, tickSec: cfg.tickSec, slotSec, slots: offers.slots, levels, pools, cachePools, cacheNodes, offeringsByPool: spot.offeringsByPool, capacity: snap,
      signals: cfg.demandSignals, backlogSignals: backlog, latest, prediction: pred, cloudEventCount: cloudEvents.length, planner: deps.planner, prefetch,
    }, memory);
    memory = planned.memory;
    decisions.push(...planned.decisions);
    const prep = prefetchStage({ nowSec: now, chains: pred.prefetchInputs, config: prefetch }, memory);
    decisions.push(...prep.decisions);
    const checked = validateStage({ nowSec: now, commands: planned.commands, capacity: await acts.describe(offers.anyOfferingById), unseen: acts.unseen, offeringsById: spot.offeringsById, limits: cfg.limits }, memory);
    decisions.push(...checked.decisions);
    await acts.act(checked.commands, decisions);
    await acts.prepare(prep.commands, decisions, (c) => { memory = recordPreparation(memory, c, now, cfg.prefetch.ttlSec, prefetch); });
    memory = { ...memory, state: acts.finalState(memory.state) };
    await holder.save(memory.state);
    if (deps.store && decisions.length > 0) await deps.store.append(DECISION_LOG, decisions);
    await deps.events.commit?.(); // the spot events this tick used are persisted in its state now: acknowledge them
    memory = countDecisions(memory, decisions);
    const commands = [...spotChecked.commands, ...checked.commands];
    deps.logger?.debug('tick', { atSec: now, commands: commands.length, preparations: prep.commands.length, decisions: decisions.length });
    return { atSec: now, skipped: false, decisions, commands, preparations: acts.preparations, results: acts.results, forecasts };
  }

  return {
    run,
    stats: () => ({
      forecastSmape: { value: memory.forecasts.error.points > 0 ? memory.forecasts.error.sum / memory.forecasts.error.points : 0, points: memory.forecasts.error.points, horizonSec: SCORED_HORIZON_SEC },
      nextStep: { ...memory.scorer.counter },
      decisionCounts: Object.fromEntries(Object.entries(memory.decisionCounts).sort(([a], [b]) => (a < b ? -1 : 1))),
    }),
  };
}

/** Builds the prefetch selection config from the controller's prefetch settings. */
export function prefetchSelectionFrom(cfg: TickDeps['config']['prefetch']): ReturnType<typeof parsePrefetchConfig> {
  return parsePrefetchConfig({ probabilityThreshold: cfg.probabilityThreshold, topN: cfg.topN, maxConcurrent: cfg.maxConcurrent, ttlSec: cfg.ttlSec, latencyValueUsdPerHour: cfg.latencyValueUsdPerHour });
}
