/**
 * prescale's controller tick (DESIGN.md): signals → forecast → predict → plan → validate → act →
 * decisions, through ports only. The same tick runs in the Lambda and in the backtest.
 *
 * Crash safety: command ids are deterministic (pool, tick time, action, target), the tick state is
 * written with a conditional put before acting (with the ids applied so far) and after finishing,
 * so a tick that crashed mid-way is re-run with the same commands and skips those already applied;
 * a tick whose time is not after the last completed tick does nothing.
 */
import { poolUnits, quantileKey, type MetricSeries, type ApplyResult, type CachePool, type CapacitySnapshot, type Command, type Decision, type Ec2Pool, type Forecast, type Offering } from '../core/model/index.js';
import type { PrepareOutcome } from '../ports/preparer.js';
import { DEFAULT_CACHE_NODE_TABLE } from '../core/market/index.js';
import { parsePrefetchConfig, selectPrefetch } from '../core/predict/prefetch-selection.js';
import { checkCacheNodes, planCacheStage, PreparedStateLedger } from './tick/cache.js';
import { ChainBook, TaskCatalog } from './tick/chains.js';
import { buildDemandSlots } from './tick/demand.js';
import { ForecastCache, SCORED_HORIZON_SEC } from './tick/forecast.js';
import { PredictionScorer, predictSteps } from './tick/predict.js';
import { avoidedAt, CriticalStepTracker, reactToSpotStage, withoutAvoided, withPendingLaunches } from './tick/spot.js';
import { DECISION_LOG, TickStateHolder } from './tick/state.js';
import { QuantileCalibrator } from './tick/calibration.js';
import { PoolQuantileCalibrator } from './tick/pool-calibration.js';
import type { TaskBacklogSignal, TickDeps, TickResult, TickState } from './tick/types.js';
import { validateCommands } from './tick/validate.js';
import { liveMarks, markUnavailable, withUnavailable, type UnavailableOfferings } from './tick/unavailable-offerings.js';
import { intend, reconcile, settle, unseenIds, unsettled, withUnseen, type PendingLaunches } from './tick/pending-launches.js';

export type { TickDeps, TickOptions, TickResult, TickState, TaskBacklogSignal } from './tick/types.js';

/** Accuracy and activity counters of a tick over its life (for reports). */
export interface TickStats {
  /** sMAPE (percent) of mean forecasts of the metric demand signals over the first hour after each refit origin. */
  readonly forecastSmape: { readonly value: number; readonly points: number; readonly horizonSec: number };
  readonly nextStep: { readonly predictions: number; readonly hits: number };
  readonly decisionCounts: Readonly<Record<string, number>>;
}

/** A controller tick bound to its dependencies; call `run()` once per tick period. */
export interface ControllerTick {
  run(): Promise<TickResult>;
  stats(): TickStats;
}

/** Creates the tick. In-memory runtime (chain book, forecasts) is rebuilt from events after a restart. */
export function createControllerTick(deps: TickDeps): ControllerTick {
  const opts = deps.options ?? {};
  const cfg = deps.config;
  const holder = new TickStateHolder(deps.store);
  const book = new ChainBook(new TaskCatalog(cfg.workflows));
  const cache = new ForecastCache();
  const scorer = new PredictionScorer();
  const prepared = new Set<string>();
  const counts: Record<string, number> = {};
  const refitEverySec = opts.refitEverySec ?? 3600;
  const historySec = opts.historySec ?? 7 * 86_400;
  const periodSec = opts.forecastPeriodSec ?? 300;
  const slotSec = opts.slotSec ?? cfg.tickSec;
  const incremental = opts.forecastMode === 'incremental';
  const calibrator = (opts.recalibrate ?? false) ? new QuantileCalibrator() : undefined;
  const poolCalibrator = (opts.recalibrate ?? false) ? new PoolQuantileCalibrator() : undefined;
  const backlogCalibrator = (opts.recalibrate ?? false) ? new PoolQuantileCalibrator('residual') : undefined;
  const observedAt = new Map<string, number>();
  const backlog = opts.taskBacklogSignals ?? [];
  const metricSeriesIds = new Set(cfg.demandSignals.map((d) => d.seriesId));
  const seriesIds = [...new Set([...cfg.demandSignals.map((d) => d.seriesId), ...backlog.map((b) => b.seriesId)])].sort();
  const prefetchCfg = opts.prefetch && cfg.prefetch.enabled ? opts.prefetch : undefined;
  const pools = cfg.pools.filter((p): p is Ec2Pool => p.kind === 'ec2');
  const cachePools = cfg.pools.filter((p): p is CachePool => p.kind === 'elasticache');
  const cacheNodes = opts.cacheNodes ?? DEFAULT_CACHE_NODE_TABLE;
  checkCacheNodes(cachePools, cacheNodes);
  const critical = new CriticalStepTracker();
  const ledger = new PreparedStateLedger();
  let lastEventSec: number | undefined;
  let restored = false;

  const note = (ds: readonly Decision[]): void => {
    for (const d of ds) counts[d.kind] = (counts[d.kind] ?? 0) + 1;
  };

  async function run(): Promise<TickResult> {
    const now = deps.clock.nowSec();
    const state = await holder.load();
    if (state.lastTickSec !== null && state.lastTickSec >= now) {
      return { atSec: now, skipped: true, decisions: [], commands: [], results: [], forecasts: [] };
    }
    const decisions: Decision[] = [];
    if (!restored) {
      // after a restart: the prepared states the previous process held (not prepared again)
      restored = true;
      if (state.preparedStates) {
        ledger.restore(state.preparedStates);
        for (const k of Object.keys(state.preparedStates)) prepared.add(k);
      }
    }

    // signals
    // a new process (restart, Lambda cold start) re-reads the history window to rebuild its in-memory runtime
    const since = lastEventSec ?? now - historySec;
    const cloudEvents = await deps.events.drainCloudEvents();
    const exec = await deps.events.executionEvents(since, now);
    lastEventSec = now;
    scorer.score(book.ingest(exec));
    deps.nextStep.observe(exec);
    for (const e of exec) if (e.kind === 'started') prepared.delete(`${e.chainId}/${e.taskId}`);
    critical.observe(exec);
    ledger.observe(exec, now);

    // offerings (those avoided after spot signals marked unavailable) and horizon
    const offeringsByPool = new Map<string, Offering[]>();
    const anyOfferingById = new Map<string, Offering>();
    let unavailable: UnavailableOfferings = liveMarks(state.unavailableOfferings, now);
    let maxLead = 0;
    for (const p of pools) {
      const all = withUnavailable(await deps.cloud.offerings(p), unavailable);
      for (const o of all) anyOfferingById.set(o.id, o);
      const os = withoutAvoided(all, avoidedAt(state.avoidOfferings, now));
      offeringsByPool.set(p.id, os);
      for (const o of os) maxLead = Math.max(maxLead, o.launchLeadTimeSec);
    }
    const slots = Math.ceil((maxLead + cfg.planMarginSec) / slotSec) + 1;

    // forecast (refit on a schedule); the forecasts in force before this tick are kept for scoring
    const before = new Map(cache.bySeries);
    const due = cache.due(seriesIds, now, refitEverySec);
    const horizon = Math.ceil((refitEverySec + maxLead + cfg.planMarginSec + slotSec) / periodSec) + 1;
    const levels = [...new Set([...cfg.quantiles, ...pools.map((p) => p.serviceLevel)])].sort((a, b) => a - b);
    const forecasts: Forecast[] = incremental
      ? await cache.update(deps.metrics, seriesIds, now, refitEverySec, historySec, periodSec, horizon, levels, metricSeriesIds)
      : await cache.refit(deps.metrics, deps.forecaster, due, now, historySec, periodSec, horizon, levels, metricSeriesIds);
    const dueSet = new Set(due);
    for (const f of forecasts) {
      if (!dueSet.has(f.seriesId)) continue;
      decisions.push({ atSec: now, kind: 'forecast', subject: f.seriesId, chosen: f.model, reason: `${incremental ? 'incremental, refit' : 'refit'} every ${refitEverySec} s, horizon ${horizon} × ${periodSec} s` });
    }

    // latest observation of each demand metric: a floor under the forecast over the planning horizon,
    // and (with calibration) a score of the forecast that was in force when it was observed
    const recent = new Map<string, number>();
    let recentAtSec: number | undefined;
    const demandIds = [...new Set(cfg.demandSignals.map((d) => d.seriesId))].sort();
    // one query for the demand metrics and, for the residual calibrator, the task-backlog series
    const backlogIds = backlogCalibrator ? backlog.map((b) => b.seriesId) : [];
    const latest = demandIds.length + backlogIds.length > 0
      ? await deps.metrics.fetch({ seriesIds: [...new Set([...demandIds, ...backlogIds])].sort(), startSec: now - 3 * slotSec, endSec: now, periodSec: slotSec })
      : [];
    const demandIdSet = new Set(demandIds);
    for (const s of latest) {
      if (!demandIdSet.has(s.id)) continue;
      let i = s.values.length - 1;
      while (i >= 0 && !Number.isFinite(s.values[i])) i--;
      if (i < 0) continue;
      recent.set(s.id, s.values[i]);
      const atSec = s.startSec + i * s.periodSec;
      recentAtSec = Math.min(recentAtSec ?? atSec, atSec);
      if (calibrator && atSec > (observedAt.get(s.id) ?? -Infinity)) {
        calibrator.observe(s.id, before.get(s.id), atSec, s.values[i]);
        observedAt.set(s.id, atSec);
      }
    }

    // latest observed task backlog per pool (the residual calibrator's score)
    const recentBacklog = latestBacklog(latest, backlogIds.length > 0 ? backlog : []);

    // predict
    // the known steps of each EC2 pool are list-scheduled on its ready capacity (core/plan/queue-drain.ts)
    // launches of earlier ticks that EC2 may not list yet: an outcome never saved (crash) is re-applied
    // with the same command id first (idempotent), then every launch counts until a describe lists it
    let pending: PendingLaunches = state.pendingLaunches ?? {};
    const results: ApplyResult[] = [];
    const done = new Set(state.inFlight?.tickSec === now ? state.inFlight.appliedIds : []);
    if (cfg.mode === 'active') {
      for (const c of unsettled(pending)) {
        const r = await deps.cloud.apply(c);
        results.push(r);
        done.add(c.id);
        pending = settle(pending, c, r);
        unavailable = markUnavailable(unavailable, c, r, now);
      }
    }
    const unseen = new Set<string>();
    const describe = async (): Promise<CapacitySnapshot> => {
      const raw = await deps.cloud.describeCapacity();
      pending = reconcile(pending, raw, now, opts.pendingLaunchMaxAgeSec);
      const snapshot = withUnseen(raw, pending, anyOfferingById);
      for (const id of unseenIds(snapshot, raw)) unseen.add(id);
      return snapshot;
    };
    /** A terminate never names an instance only the ledger knows of (the provider cannot find it yet). */
    const listedOnly = (cs: readonly Command[]): Command[] => cs.flatMap((c) => {
      if (c.kind !== 'terminate' || !c.instanceIds.some((id) => unseen.has(id))) return [c];
      const ids = c.instanceIds.filter((id) => !unseen.has(id));
      return ids.length > 0 ? [{ ...c, instanceIds: ids }] : [];
    });
    const snap0 = await describe();
    const readyUnits = new Map(pools.map((p) => [p.id, poolUnits(snap0, p.id, ['running'])]));
    const pred = predictSteps(book, deps.nextStep, scorer, now, slotSec, slots, Math.max(3, cfg.prefetch.topN), readyUnits);

    // spot signals: replace at-risk instances ahead, before planning, so the planner counts the replacements
    const spot = reactToSpotStage({
      nowSec: now, pools, offeringsByPool, capacity: snap0, events: cloudEvents, criticalInstanceIds: (id) => critical.instanceIds(book, id, snap0),
      avoidOfferings: state.avoidOfferings ?? {}, replacedInstances: state.replacedInstances ?? {}, ...(opts.spotAvoidSec !== undefined ? { avoidSec: opts.spotAvoidSec } : {}),
    });
    decisions.push(...spot.decisions);
    const avoidNow = avoidedAt(spot.avoidOfferings, now);
    for (const [id, os] of offeringsByPool) offeringsByPool.set(id, withoutAvoided(os, avoidNow));
    const offeringsById = new Map<string, Offering>();
    for (const os of offeringsByPool.values()) for (const o of os) offeringsById.set(o.id, o);
    const kept = { avoidOfferings: spot.avoidOfferings, replacedInstances: spot.replacedInstances };
    const base: TickState = { ...state, ...kept };
    const act = async (cmds: readonly Command[]): Promise<void> => {
      if (cfg.mode === 'dry-run') for (const c of cmds) results.push({ commandId: c.id, status: 'dry-run', instanceIds: [] });
      if (cfg.mode !== 'active' || cmds.length === 0) return;
      // write-ahead: every launch is in the ledger before the provider is called
      for (const c of cmds) if (c.kind === 'launch' && !done.has(c.id)) pending = intend(pending, c, now);
      await holder.save({ ...base, preparedStates: ledger.toRecord(), inFlight: { tickSec: now, appliedIds: [...done] }, pendingLaunches: pending, unavailableOfferings: unavailable });
      for (const c of cmds) {
        if (done.has(c.id)) continue;
        // issue 21 (minimal routing until issue 18's stages land): pre-execute commands go to the Preparer when there is one
        const r = c.kind === 'pre-execute' && deps.preparer ? applyResultOfPrepare(await deps.preparer.prepare(c)) : await deps.cloud.apply(c);
        results.push(r);
        done.add(c.id);
        if (c.kind === 'launch') {
          pending = settle(pending, c, r);
          unavailable = markUnavailable(unavailable, c, r, now);
        }
        if (c.kind === 'pre-execute' && r.status !== 'failed') {
          prepared.add(`${c.chainId}/${c.taskId}`);
          const def = book.chains.get(c.chainId)?.steps.get(c.taskId)?.def;
          if (def) ledger.add(c, def, now, cfg.prefetch.ttlSec, prefetchCfg);
        }
        if (r.status === 'failed') decisions.push({ atSec: now, kind: 'validate', subject: c.poolId, chosen: `failed ${c.id}`, reason: `${r.error?.code}: ${r.error?.message}` });
        if (deps.store) await holder.save({ ...base, preparedStates: ledger.toRecord(), inFlight: { tickSec: now, appliedIds: [...done] }, pendingLaunches: pending, unavailableOfferings: unavailable });
      }
    };
    const spotChecked = validateCommands(listedOnly(spot.commands), snap0, offeringsById, cfg.limits, now);
    decisions.push(...spotChecked.decisions);
    await act(spotChecked.accepted);
    const snap = spotChecked.accepted.length === 0 ? snap0
      : cfg.mode === 'active' ? await describe() : withPendingLaunches(snap0, spotChecked.accepted.filter((c) => c.kind === 'launch'), offeringsById);

    // plan
    const planned: Command[] = [];
    const memory: Record<string, TickState['plannerMemory'][string]> = { ...state.plannerMemory };
    for (const pool of pools) {
      const demand = buildDemandSlots({
        poolId: pool.id, nowSec: now, slotSec, slots, levels, signals: cfg.demandSignals, backlogSignals: backlog,
        forecasts: cache.bySeries, recent, recentAtSec, poolCalibrator, backlogCalibrator, recentBacklog: recentBacklog.get(pool.id), committedUnits: pred.committedByPool.get(pool.id) ?? [], predictedUnits: pred.unitsByPool.get(pool.id) ?? [],
        ...(calibrator ? { quantileOf: (id: string, f: Forecast | undefined, level: number, t: number) => calibrator.quantile(id, f, level, t) } : {}),
      });
      const out = deps.planner.plan({ nowSec: now, pool, offerings: offeringsByPool.get(pool.id) ?? [], capacity: snap, demand, slotSec, memory: state.plannerMemory[pool.id] ?? {} });
      memory[pool.id] = out.memory;
      planned.push(...out.plan.commands);
      decisions.push({
        atSec: now, kind: 'plan', subject: pool.id, chosen: `${out.plan.commands.length} command(s) by ${out.plan.solver}`,
        reason: `${out.plan.reason}; demand q${quantileKey(pool.serviceLevel)} now ${(demand[0]?.quantiles[quantileKey(pool.serviceLevel)] ?? 0).toFixed(2)} units; ${cloudEvents.length} cloud event(s)`,
      });
    }
    if (cachePools.length > 0) {
      const sized = planCacheStage({
        nowSec: now, tickSec: cfg.tickSec, slotSec, pools: cachePools, nodes: cacheNodes, capacity: snap, ledger, chains: pred.prefetchInputs, prefetch: prefetchCfg, memory: state.plannerMemory,
      });
      planned.push(...sized.commands);
      decisions.push(...sized.decisions);
      Object.assign(memory, sized.memory);
    }

    // prefetch
    if (prefetchCfg) {
      const inputs = pred.prefetchInputs.map((c) => ({ ...c, pendingSteps: c.pendingSteps.filter((s) => !prepared.has(`${c.chainId}/${s.task.task_id}`)) }));
      const sel = selectPrefetch(inputs, prefetchCfg, now);
      planned.push(...sel.commands);
      for (const d of sel.decisions) if (d.chosen) decisions.push({ atSec: now, kind: 'prefetch', subject: d.chainId, chosen: d.taskId ?? d.taskType, reason: d.reason });
    }

    // validate against fresh state
    const fresh = await describe();
    const checked = validateCommands(listedOnly(planned), fresh, offeringsById, cfg.limits, now);
    decisions.push(...checked.decisions);

    // act
    await act(checked.accepted);

    const keptLaunches = {
      ...(Object.keys(pending).length > 0 ? { pendingLaunches: pending } : {}),
      ...(Object.keys(unavailable).length > 0 ? { unavailableOfferings: unavailable } : {}),
    };
    await holder.save({ lastTickSec: now, plannerMemory: memory, ...kept, preparedStates: ledger.toRecord(), ...keptLaunches });
    if (deps.store && decisions.length > 0) await deps.store.append(DECISION_LOG, decisions);
    // the spot events this tick used are persisted in its state now: acknowledge them
    await deps.events.commit?.();
    note(decisions);
    const commands = [...spotChecked.accepted, ...checked.accepted];
    deps.logger?.debug('tick', { atSec: now, commands: commands.length, decisions: decisions.length });
    return { atSec: now, skipped: false, decisions, commands, results, forecasts };
  }

  return {
    run,
    stats: () => ({
      forecastSmape: { value: cache.error.points > 0 ? cache.error.sum / cache.error.points : 0, points: cache.error.points, horizonSec: SCORED_HORIZON_SEC },
      nextStep: { ...scorer.counter },
      decisionCounts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1))),
    }),
  };
}

/**
 * The latest observed task backlog of each pool with backlog signals: per pool, the sum of its
 * series' values at the latest time every one of them has a finite value (units), from `series`
 * (the tick's query of the last three slots).
 */
function latestBacklog(series: readonly MetricSeries[], signals: readonly TaskBacklogSignal[]): Map<string, { atSec: number; units: number }> {
  const byId = new Map(series.map((s) => [s.id, s]));
  const out = new Map<string, { atSec: number; units: number }>();
  for (const poolId of [...new Set(signals.map((s) => s.poolId))]) {
    const mine = signals.filter((s) => s.poolId === poolId).map((s) => byId.get(s.seriesId));
    if (mine.some((s) => !s || s.values.length === 0)) continue;
    const first = mine[0]!;
    for (let i = first.values.length - 1; i >= 0; i--) {
      const atSec = first.startSec + i * first.periodSec;
      let units = 0;
      for (const s of mine) units += s!.values[Math.round((atSec - s!.startSec) / s!.periodSec)] ?? Number.NaN;
      if (Number.isFinite(units)) { out.set(poolId, { atSec, units }); break; }
    }
  }
  return out;
}

/** A Preparer's outcome as the tick's apply result (`rejected` counts as failed: the step is not marked prepared). */
function applyResultOfPrepare(o: PrepareOutcome): ApplyResult {
  if (o.status === 'accepted') return { commandId: o.commandId, status: 'applied', instanceIds: [] };
  if (o.status === 'duplicate') return { commandId: o.commandId, status: 'duplicate', instanceIds: [] };
  return { commandId: o.commandId, status: 'failed', instanceIds: [], error: { code: o.status === 'rejected' ? 'invalid' : 'retry-later', message: o.reason ?? o.status } };
}

/** Builds the prefetch selection config from the controller's prefetch settings. */
export function prefetchSelectionFrom(cfg: TickDeps['config']['prefetch']): ReturnType<typeof parsePrefetchConfig> {
  return parsePrefetchConfig({ probabilityThreshold: cfg.probabilityThreshold, topN: cfg.topN, maxConcurrent: cfg.maxConcurrent, ttlSec: cfg.ttlSec, latencyValueUsdPerHour: cfg.latencyValueUsdPerHour });
}
