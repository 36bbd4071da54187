/**
 * prescale's controller tick (DESIGN.md): I/O and sequencing only. Each stage is a pure function
 * `(inputs, memory) → { memory, commands, decisions }` in core/tick (see its README table); this file
 * reads the ports, runs the stages in order and acts. The same tick runs in the Lambda and in the
 * backtest (per-process parts: app/tick/setup.ts). A tick not after the last completed one does nothing; crash safety is app/tick/act.ts's.
 */
import { poolUnits, type Decision, type Offering } from '../core/model/index.js';
import { prefetchStage, recordPreparation } from '../core/prefetch/stage.js';
import { buildChainView } from '../core/tick/chain-view.js';
import { countDecisions, createTickMemory, tickStats, withLoadedState } from '../core/tick/memory.js';
import { observeStage } from '../core/tick/observe.js';
import { offeringsStage } from '../core/tick/offerings.js';
import { planStage } from '../core/tick/plan.js';
import { predictStage } from '../core/tick/predict.js';
import { validateStage } from '../core/tick/validate.js';
import { drainOptions } from '../core/tick/drain.js';
import { TickActuator } from './tick/act.js';
import { forecastStep } from './tick/forecast.js';
import { burstRouteStage } from './tick/routes.js';
import { spotStep } from './tick/spot-step.js';
import { learningStats, optionalPlanInputs, tickSetup } from './tick/setup.js';
import { DECISION_LOG } from './tick/state.js';
import type { ControllerTick, TickDeps, TickResult } from './tick/types.js';

export { prefetchSelectionFrom } from '../core/prefetch/selection.js';
export type { ControllerTick, TickDeps, TickLearningStats, TickOptions, TickResult, TickState, TickStats, TaskBacklogSignal } from './tick/types.js';

/** Creates the tick. A new process resumes its saved memory (core/tick/memory-codec.ts), else rebuilds it from events. */
export function createControllerTick(deps: TickDeps): ControllerTick {
  const { config: cfg, options: opts = {} } = deps;
  const { holder, saved, settings, prefetch, pools, cachePools, cacheNodes, learning, fingerprints, burstClasses } = tickSetup(deps);
  const { slotSec, historySec, backlog, levels } = settings;
  let memory = createTickMemory(cfg.workflows, opts.recalibrate ?? false);
  let nextStep = deps.nextStep, predictor = fingerprints.withPrior(nextStep);

  async function run(): Promise<TickResult> {
    const now = deps.clock.nowSec();
    const loaded = await holder.load();
    if (loaded.lastTickSec !== null && loaded.lastTickSec >= now) return { atSec: now, skipped: true, decisions: [], commands: [], preparations: [], results: [], forecasts: [] };
    const restored = await saved.restore(loaded, cfg.workflows, opts.recalibrate ?? false, learning);
    if (restored) [memory, nextStep, predictor] = [restored.memory, restored.nextStep ?? nextStep, fingerprints.withPrior(restored.nextStep ?? nextStep)];
    memory = withLoadedState(memory, loaded);
    await fingerprints.load();
    const decisions: Decision[] = [];
    const acts = new TickActuator({ cloud: deps.cloud, preparer: deps.preparer, holder, durable: !!deps.store, mode: cfg.mode, nowSec: now, ledger: memory.ledger, pendingLaunchMaxAgeSec: opts.pendingLaunchMaxAgeSec }, loaded);
    // observe: events since the last tick (a new process re-reads the history window), offerings
    const cloudEvents = await deps.events.drainCloudEvents();
    const view = buildChainView(await deps.events.executionEvents(memory.lastEventSec ?? now - historySec, now), now);
    memory = observeStage({ view, nextStep }, memory).memory;
    learning.observe(view.events);
    fingerprints.observe(view.events, now);
    const offered = new Map<string, Offering[]>();
    for (const p of pools) offered.set(p.id, await deps.cloud.offerings(p)); // in pool order, one at a time
    const offers = offeringsStage({ nowSec: now, pools, offered, unavailable: acts.unavailable, avoidOfferings: loaded.avoidOfferings, slotSec, planMarginSec: cfg.planMarginSec });
    // forecast (refit on a schedule; incremental: updated every tick), then the latest observations score the forecasts in force before
    const { forecasts, decisions: forecastMade, latest } = await forecastStep(deps.metrics, deps.forecaster, memory, settings, now, offers.maxLeadSec);
    decisions.push(...forecastMade);
    // predict on the capacity described now (launches whose outcome was never saved re-applied first)
    await acts.reapplyPending();
    const snap0 = await acts.describe(offers.anyOfferingById);
    const pred = predictStage({ nowSec: now, slotSec, slots: offers.slots, topN: Math.max(3, cfg.prefetch.topN), nextStep: predictor, readyUnitsByPool: new Map(pools.map((p) => [p.id, poolUnits(snap0, p.id, ['running'])])), drain: { ...drainOptions(opts, pools, snap0, now, offers.anyOfferingById), runtimeOf: fingerprints.runtimeOf() } }, memory);
    // spot: replace at-risk instances ahead, before planning, so the planner counts the replacements
    const { spot, spotChecked, snap, memory: afterSpot } = await spotStep(deps, acts, { nowSec: now, pools, offers, snap0, cloudEvents, loaded }, memory, decisions);
    memory = afterSpot;
    // demand + plan (EC2 pools, then the prefetch state cache), prefetch, validate against fresh state, act
    const planned = planStage({
      nowSec: now, tickSec: cfg.tickSec, slotSec, slots: offers.slots, levels, pools, cachePools, cacheNodes, offeringsByPool: spot.offeringsByPool, capacity: snap,
      signals: cfg.demandSignals, backlogSignals: backlog, latest, prediction: pred, cloudEventCount: cloudEvents.length, planner: deps.planner, limits: cfg.limits, priorChangeUnits: spotChecked.changeUnits, prefetch, lowerKnownSteps: opts.knownSteps?.lowerKnownSteps ?? false, residualRegimes: opts.knownSteps?.residualRegimes ?? true, coverageGamma: opts.coverageGamma ?? 0,
      ...optionalPlanInputs(deps, { nowSec: now, slotSec, slots: offers.slots, levels, pools, offeringsByPool: spot.offeringsByPool, memory }),
    }, memory);
    memory = planned.memory;
    decisions.push(...planned.decisions);
    const prep = prefetchStage({ nowSec: now, chains: pred.prefetchInputs, config: prefetch, select: (ch, c, t) => learning.select(ch, c, t, (id) => memory.chains.chains.get(id)?.principal, (id) => memory.chains.chains.get(id)) }, memory);
    decisions.push(...prep.decisions);
    const checked = validateStage({ nowSec: now, commands: planned.commands, capacity: await acts.describe(offers.anyOfferingById), unseen: acts.unseen, offeringsById: spot.offeringsById, limits: cfg.limits, priorChangeUnits: spotChecked.changeUnits }, memory);
    decisions.push(...checked.decisions);
    await acts.act(checked.commands, decisions);
    // issue 19 item 5: the burst route per step class, published where steps are dispatched
    const routes = await burstRouteStage(deps, { nowSec: now, pools, classes: burstClasses, capacity: () => acts.describe(offers.anyOfferingById), offeringsByPool: spot.offeringsByPool, demandUnitsByPool: pred.unitsByPool }, decisions);
    await acts.prepare(prep.commands, decisions, (c) => { memory = recordPreparation(memory, c, now, cfg.prefetch.ttlSec, prefetch); });
    memory = { ...memory, state: acts.finalState(memory.state) };
    await holder.save(memory.state);
    if (deps.store && decisions.length > 0) await deps.store.append(DECISION_LOG, decisions);
    await deps.events.commit?.(); // the spot events this tick used are persisted in its state now: acknowledge them
    await fingerprints.save(); // last: a failed save only logs (the book is rebuilt from events)
    memory = countDecisions(memory, decisions);
    await saved.save(memory, nextStep, learning); // after the state: a crash between the two leaves a memory of an older tick (not restored)
    const commands = [...spotChecked.commands, ...checked.commands];
    deps.logger?.debug('tick', { atSec: now, commands: commands.length, preparations: prep.commands.length, decisions: decisions.length });
    return { atSec: now, skipped: false, decisions, commands, preparations: acts.preparations, results: acts.results, forecasts, ...(routes ? { routes } : {}) };
  }

  return { run, stats: () => tickStats(memory), learning: () => learningStats(nextStep, learning) };
}
