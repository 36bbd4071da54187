/**
 * The planning frame every planner shares: reads the pool's fleet, enforces hard limits, applies
 * scale-in hysteresis, asks a {@link SlotComposer} for the per-slot compositions, issues launches at
 * need time − lead time − margin, bounds change per tick, and explains the plan. A tick that launches
 * never also scales in (terminating idle instances only to launch others loses a lead time of ready
 * capacity: on the default backtest this churn left 19% more web demand unmet).
 */
import type { Instance } from '../model/capacity.js';
import type { Command } from '../model/command.js';
import { InputError } from '../model/errors.js';
import type { CapacityPlan, PlanSlot } from '../model/plan.js';
import { breakEvenScaleInCooldownSec, type Ec2Pool } from '../model/pool.js';
import { launchCommand, pickInstancesToTerminate, round6, terminateCommand } from './commands.js';
import { expectedShortfallUnits, slotTargetUnits } from './demand.js';
import {
  compose, costOf, countsOfInstances, OfferingBook, sortCounts, trimToLimits, unitsOf,
  type Counts, type InterruptionCostModel,
} from './fleet.js';
import type { PlanInput, PlanOutput, PlannerMemory, SpendCap } from './types.js';

/** Options shared by the planners. */
export interface PlannerOptions {
  /** Seconds between ticks; a launch is issued now when waiting one more tick would be late. @default input.slotSec */
  readonly tickSec?: number;
  /** Work lost by an interrupted instance, seconds. @default 300 */
  readonly expectedLostWorkSec?: number;
  /** Value of a lost or missing unit-hour, USD. @default the dearest on-demand USD per unit-hour offered */
  readonly lostUnitHourValueUsd?: number;
  /**
   * Compose (and so launch) only for demand a launch issued now could meet: a slot that ends before
   * the shortest launch lead time of the pool's offerings keeps at most the fleet held (ready and
   * pending), since no instance launched now boots within it (issue 19: a burst the ready capacity
   * drains before a launch could boot needs no launch). Scale-in still sees every slot. Off for a
   * bare planner; on in {@link DEFAULT_PLANNER_OPTIONS}, which the controller, the backtest and the
   * CLI use. @default false
   */
  readonly launchOnlyPastLeadTime?: boolean;
}

/**
 * The planner options prescale runs with (controller, `prescale backtest`, the simulated prescale
 * policy); a bare `createGreedyPlanner()` keeps every option at its own default.
 *
 * `launchOnlyPastLeadTime: true` was decided on the whole 1-day backtest suite (13 cases,
 * docs/benchmarks.md, issue 19): prescale's median × lower bound 3.256 → 3.023, worst 12.649 →
 * 10.355, cheaper than reactive in 8 of 13 cases (was 7) and than karpenter in 7 (was 5), p95 wait
 * within a tenth of reactive's in 5 either way.
 */
export const DEFAULT_PLANNER_OPTIONS: Readonly<Pick<PlannerOptions, 'launchOnlyPastLeadTime'>> = { launchOnlyPastLeadTime: true };

/** What a composer gets: the fleet after this tick's terminations and the target units per slot. */
export interface ComposeRequest {
  readonly base: Counts;
  readonly targets: readonly number[];
  readonly book: OfferingBook;
  readonly pool: Ec2Pool;
  readonly spendCapUsdPerHour?: number;
  /** Start of each slot, epoch seconds (launch timing is the frame's job; composers choose counts). */
  readonly slotStartSec: readonly number[];
  readonly slotSec: number;
  readonly tickSec: number;
}

/** A composer's answer: counts per slot and what bound them. */
export interface ComposeResult {
  readonly slots: readonly Counts[];
  readonly binding: ReadonlySet<string>;
  readonly solver: CapacityPlan['solver'];
  /** Extra words for the plan's reason (e.g. why a solver fell back). */
  readonly note?: string;
}

/** Chooses the composition of every slot. */
export type SlotComposer = (req: ComposeRequest) => ComposeResult;

/** Memory key: epoch seconds since the needed capacity has stayed below the fleet (absent when not). */
export const MEMORY_LOW_SINCE_SEC = 'lowSinceSec';

/** Greedy composer: a running maximum of targets, each slot composed from the previous one (no removals). */
export const greedyComposer: SlotComposer = (req) => {
  const slots: Counts[] = [];
  const binding = new Set<string>();
  let prev = req.base;
  let runMax = 0;
  for (const t of req.targets) {
    runMax = Math.max(runMax, t);
    const c = compose(runMax, prev, req.book, req.pool, { spendCapUsdPerHour: req.spendCapUsdPerHour }, false);
    c.binding.forEach((b) => binding.add(b));
    slots.push(c.counts);
    prev = c.counts;
  }
  return { slots, binding, solver: 'greedy' };
};

function interruptionModel(input: PlanInput, opts: PlannerOptions): InterruptionCostModel {
  let dearest = 0;
  for (const o of input.offerings) if (o.market === 'on-demand') dearest = Math.max(dearest, o.priceUsdPerHour / o.capacityUnits);
  return { expectedLostWorkSec: opts.expectedLostWorkSec ?? 300, lostUnitHourValueUsd: opts.lostUnitHourValueUsd ?? dearest };
}

/**
 * The smallest of the pool's spend cap and its extra caps, with its label (undefined when none).
 * @throws InputError for a negative or non-finite cap
 */
export function effectiveSpendCap(input: Pick<PlanInput, 'spendCapUsdPerHour' | 'extraSpendCaps'>): SpendCap | undefined {
  const caps: SpendCap[] = [];
  if (input.spendCapUsdPerHour !== undefined) caps.push({ label: 'pool', capUsdPerHour: input.spendCapUsdPerHour });
  (input.extraSpendCaps ?? []).forEach((c, i) => {
    if (!(c.capUsdPerHour >= 0) || !Number.isFinite(c.capUsdPerHour)) throw new InputError({ field: `extraSpendCaps[${i}].capUsdPerHour` }, c.capUsdPerHour, 'a spend cap >= 0 USD per hour');
    caps.push(c);
  });
  return caps.reduce<SpendCap | undefined>((m, c) => (m === undefined || c.capUsdPerHour < m.capUsdPerHour ? c : m), undefined);
}

/**
 * Budget left for one pool under a cap shared by several pools (a principal's or the global cap):
 * the cap minus what the other pools spend now, never below 0.
 * @param spendByPoolUsdPerHour current spend per pool id, USD per hour
 */
export function remainingSpendCapUsdPerHour(capUsdPerHour: number, spendByPoolUsdPerHour: Readonly<Record<string, number>>, poolId: string): number {
  let others = 0;
  for (const [id, usd] of Object.entries(spendByPoolUsdPerHour)) if (id !== poolId) others += usd;
  return Math.max(0, capUsdPerHour - others);
}

function validate(input: PlanInput): void {
  if (!(input.slotSec > 0)) throw new InputError({ field: 'slotSec' }, input.slotSec, 'a slot length > 0 seconds');
  if (input.spendCapUsdPerHour !== undefined && !(input.spendCapUsdPerHour >= 0)) {
    throw new InputError({ field: 'spendCapUsdPerHour' }, input.spendCapUsdPerHour, 'a spend cap >= 0 USD per hour');
  }
}

/**
 * Runs one tick of planning for one pool with the given composer.
 * @throws InputError for a non-positive `slotSec`, a negative spend cap or malformed demand quantiles
 */
export function planWithFrame(input: PlanInput, opts: PlannerOptions, composer: SlotComposer): PlanOutput {
  validate(input);
  const { pool, nowSec } = input;
  const tickSec = opts.tickSec ?? input.slotSec;
  const instances = input.capacity.instances.filter((i) => i.poolId === pool.id && (i.state === 'pending' || i.state === 'running'));
  const book = new OfferingBook(input.offerings, instances, pool, interruptionModel(input, opts));
  const targets = input.demand.map((s, i) => {
    try { return slotTargetUnits(s, pool); } catch (e) {
      if (e instanceof InputError) throw new InputError({ field: `demand[${i}].${e.location.field ?? 'quantiles'}` }, e.value, e.expected);
      throw e;
    }
  });
  const slotStartSec = input.demand.map((s) => s.startSec);
  const binding = new Set<string>();
  const cap = effectiveSpendCap(input);
  const limits = { spendCapUsdPerHour: cap?.capUsdPerHour };
  const current = countsOfInstances(instances);

  // 1. Hard limits (spend cap, maximum size) act at once.
  const forced: Counts = new Map(current);
  trimToLimits(forced, book, pool, limits.spendCapUsdPerHour, binding);
  // the global change budget (core/plan/limits.ts) pays for the forced terminations first
  const changeLimit = Math.min(pool.maxChangeUnitsPerTick, (input.changeBudgetUnits ?? Infinity) - (unitsOf(current, book) - unitsOf(forced, book)));
  const changeLabel = changeLimit < pool.maxChangeUnitsPerTick ? 'global change limit per tick' : 'change limit per tick';

  // 2. Scale-in with hysteresis, down to what the lead-time window still needs; idle instances only.
  const memory: Record<string, number> = { ...input.memory };
  const windowEndSec = nowSec + tickSec + book.maxLeadTimeSec() + pool.launchMarginSec;
  const cooldownSec = breakEvenScaleInCooldownSec(pool, book.maxLeadTimeSec());
  // ski-rental with look-ahead: the window below already says the excess stays idle until
  // windowEndSec, so that much idle time is known now and counts toward the break-even; the excess is
  // released as soon as known plus elapsed idle time reaches it (with tickSec ≥ the 60 s billing
  // minimum, at once). An explicit scaleInCooldownSec stays a plain hysteresis on elapsed time.
  const knownIdleSec = pool.scaleInCooldownSec === undefined ? windowEndSec - nowSec : 0;
  let windowNeed = pool.minUnits;
  targets.forEach((t, s) => { if (slotStartSec[s] < windowEndSec || s === 0) windowNeed = Math.max(windowNeed, t); });
  let base: Counts = forced;
  let scaleInUnits = 0;
  if (unitsOf(forced, book) > windowNeed + 1e-9) {
    const lowSince = memory[MEMORY_LOW_SINCE_SEC] ?? nowSec;
    memory[MEMORY_LOW_SINCE_SEC] = lowSince;
    if (nowSec - lowSince + knownIdleSec >= cooldownSec) {
      const shrunk = compose(windowNeed, forced, book, pool, limits, true).counts;
      base = new Map();
      let budget = changeLimit;
      for (const [id, n] of forced) {
        const want = Math.min(n, shrunk.get(id) ?? 0);
        const u = book.info(id).capacityUnits;
        // scale-in takes idle instances only: busy ones finish their tasks first (a later tick takes them)
        const idle = instances.filter((i) => i.offeringId === id && !((i.busyUnits ?? 0) > 0)).length;
        const extra = n - (current.get(id) ?? 0); // already dropped by the hard limits above (never positive)
        const removable = Math.max(0, idle + extra);
        if (removable < n - want) binding.add('busy instances kept');
        const drop = Math.min(n - want, removable, Math.floor((budget + 1e-9) / u));
        if (drop < Math.min(n - want, removable)) binding.add(changeLabel);
        budget -= drop * u;
        scaleInUnits += drop * u;
        if (n - drop > 0) base.set(id, n - drop);
      }
      base = sortCounts(base);
    } else binding.add('scale-in hysteresis');
  } else delete memory[MEMORY_LOW_SINCE_SEC];

  // 3. Compositions per slot.
  const minLeadSec = book.minLeadTimeSec();
  const composeTargets = (b: Counts): number[] => (opts.launchOnlyPastLeadTime
    ? targets.map((t, s) => (slotStartSec[s] + input.slotSec <= nowSec + minLeadSec ? Math.min(t, unitsOf(b, book)) : t))
    : targets);
  const composeOn = (b: Counts) => composer({ base: b, targets: composeTargets(b), book, pool, spendCapUsdPerHour: limits.spendCapUsdPerHour, slotStartSec, slotSec: input.slotSec, tickSec });
  let composed = composeOn(base);
  // 4. Launches due now: need time − lead time − margin falls before the next tick.
  let launches = dueLaunches(base, composed.slots, slotStartSec, targets, book, pool, nowSec, tickSec);
  if (scaleInUnits > 0 && launches.length > 0) {
    // never terminate idle instances and launch others in the same tick (the composer would rather
    // shape the fleet differently): keep what is there, and scale in later once nothing is launched
    base = forced;
    scaleInUnits = 0;
    binding.add('no scale-in while launching');
    composed = composeOn(base);
    launches = dueLaunches(base, composed.slots, slotStartSec, targets, book, pool, nowSec, tickSec);
  }
  composed.binding.forEach((b) => binding.add(b));
  const slots = composed.slots;
  let launchBudget = changeLimit - scaleInUnits;
  let instancesLeft = input.instanceBudget ?? Infinity;
  const commands: Command[] = [];
  const launchedNow = new Map<string, number>();
  for (const l of launches) {
    const u = book.info(l.offeringId).capacityUnits;
    const byChange = Math.max(0, Math.floor((launchBudget + 1e-9) / u));
    const n = Math.min(l.count, byChange, Math.max(0, instancesLeft));
    if (n < l.count) binding.add(byChange < l.count ? changeLabel : 'max instances');
    if (n === 0) continue;
    launchBudget -= n * u;
    instancesLeft -= n;
    launchedNow.set(l.offeringId, n);
    commands.push(launchCommand(pool.id, nowSec, l.offeringId, n, l.needAtSec, book, l.reason));
  }

  // 5. Terminations: forced by limits, then scale-in.
  const victims = pickInstancesToTerminate(instances, current, base, nowSec);
  if (victims.length > 0) {
    const why = [...binding].filter((b) => b === 'spend cap' || b === 'max pool size');
    const reason = `${why.length > 0 ? `over ${why.join(' and ')}; ` : ''}${scaleInUnits > 0 ? `scale-in to ${fmt(windowNeed)} units after ${cooldownSec}s below the fleet${knownIdleSec > 0 ? ` (break-even, ${knownIdleSec}s of it known ahead)` : ''}` : ''}`.replace(/; $/, '');
    commands.push(terminateCommand(pool.id, nowSec, victims.map((v) => v.id), `${reason}; spot from over-represented offerings first, then instances nearest the end of their billing minimum`));
  }

  // 6. Explain: planned and ready units per slot, expected shortfall, cost.
  const planSlots: PlanSlot[] = [];
  let shortfallUnitSec = 0;
  slots.forEach((c, s) => {
    const ready = readyUnitsAt(slotStartSec[s], c, base, instances, launchedNow, book, nowSec, tickSec, pool.launchMarginSec);
    shortfallUnitSec += input.slotSec * expectedShortfallUnits(input.demand[s], ready);
    planSlots.push({ startSec: slotStartSec[s], demandUnits: round6(targets[s]), plannedUnits: unitsOf(c, book), countsByOffering: Object.fromEntries(c) });
  });
  const first = slots[0] ?? base;
  const launchUnits = [...launchedNow].reduce((a, [id, n]) => a + n * book.info(id).capacityUnits, 0);
  const terminateUnits = victims.reduce((a, v) => a + v.capacityUnits, 0);
  const bindingList = [...binding].sort();
  const reason = [
    `${composed.solver}${composed.note ? ` (${composed.note})` : ''}: needs ${fmt(targets[0] ?? 0)} units now at p${Math.round(pool.serviceLevel * 100)} (demand quantile + predicted + committed steps), peak ${fmt(Math.max(0, ...targets))} over ${targets.length} slots`,
    `fleet ${fmt(unitsOf(current, book))} units → planned ${fmt(unitsOf(first, book))} (${fmt(unitsOf(first, book, 'on-demand'))} on-demand, ${fmt(unitsOf(first, book, 'spot'))} spot)`,
    `launch ${fmt(launchUnits)} units, terminate ${fmt(terminateUnits)} units`,
    bindingList.length > 0 ? `binding: ${bindingList.join(', ')}` : 'no binding constraint',
    ...(cap && binding.has('spend cap') ? [`spend cap ${fmt(cap.capUsdPerHour)} USD/h (${cap.label})`] : []),
  ].join('; ');
  const plan: CapacityPlan = {
    poolId: pool.id, atSec: nowSec, slotSec: input.slotSec, slots: planSlots, commands,
    expectedCostUsdPerHour: round6(costOf(first, book, true)), expectedShortfallUnitSec: round6(shortfallUnitSec),
    solver: composed.solver, bindingConstraints: bindingList, reason,
  };
  return { plan, memory: memory as PlannerMemory };
}

interface DueLaunch { readonly offeringId: string; readonly count: number; readonly needAtSec: number; readonly reason: string }

function dueLaunches(
  base: Counts, slots: readonly Counts[], startSec: readonly number[], targets: readonly number[], book: OfferingBook,
  pool: Ec2Pool, nowSec: number, tickSec: number,
): DueLaunch[] {
  const ids = new Set<string>();
  for (const c of slots) for (const id of c.keys()) ids.add(id);
  const out: DueLaunch[] = [];
  for (const id of [...ids].sort()) {
    const o = book.info(id);
    if (!o.launchable) continue;
    let count = 0;
    let needSlot = -1;
    slots.forEach((c, s) => {
      if (startSec[s] - o.launchLeadTimeSec - pool.launchMarginSec >= nowSec + tickSec) return;
      const extra = (c.get(id) ?? 0) - (base.get(id) ?? 0);
      if (extra > count) { if (needSlot < 0) needSlot = s; count = extra; }
    });
    if (count <= 0) continue;
    const needAtSec = startSec[needSlot];
    out.push({
      offeringId: id, count, needAtSec,
      reason: `${count}× ${id} needed at ${needAtSec} (slot ${needSlot}: ${fmt(targets[needSlot])} units); launch lead ${o.launchLeadTimeSec}s + margin ${pool.launchMarginSec}s reach past the next tick`,
    });
  }
  return out.sort((a, b) => a.needAtSec - b.needAtSec
    || (book.info(a.offeringId).market === 'on-demand' ? 0 : 1) - (book.info(b.offeringId).market === 'on-demand' ? 0 : 1)
    || (a.offeringId < b.offeringId ? -1 : 1));
}

function readyUnitsAt(
  atSec: number, planned: Counts, base: Counts, instances: readonly Instance[], launchedNow: ReadonlyMap<string, number>,
  book: OfferingBook, nowSec: number, tickSec: number, marginSec: number,
): number {
  let units = 0;
  for (const [id, n] of planned) {
    const o = book.info(id);
    const kept = Math.min(n, base.get(id) ?? 0);
    const existing = instances.filter((i) => i.offeringId === id && (i.state === 'running' || i.launchedAtSec + o.launchLeadTimeSec <= atSec));
    let ready = Math.min(kept, existing.length);
    const now = Math.min(n - kept, launchedNow.get(id) ?? 0);
    if (nowSec + o.launchLeadTimeSec <= atSec) ready += now;
    // later launches are issued on time when the slot is beyond this tick's cut-off
    const later = n - kept - now;
    if (later > 0 && atSec - o.launchLeadTimeSec - marginSec >= nowSec + tickSec) ready += later;
    units += ready * o.capacityUnits;
  }
  return units;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
