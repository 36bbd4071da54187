/**
 * Fleet compositions (instance counts per offering) and the greedy rules that build them under the
 * pool's constraints: on-demand floor, spot diversification, maximum size and spend cap.
 */
import type { Instance } from '../model/capacity.js';
import type { Market, Offering } from '../model/offering.js';
import type { Ec2Pool } from '../model/pool.js';

/** What the planner needs to know about an offering (also for instances of offerings no longer listed). */
export interface OfferingInfo {
  readonly id: string;
  readonly market: Market;
  readonly capacityUnits: number;
  readonly priceUsdPerHour: number;
  readonly launchLeadTimeSec: number;
  /** Price plus expected interruption cost, USD per instance-hour (see {@link effectiveCostUsdPerHour}). */
  readonly effectiveUsdPerHour: number;
  /** True when new instances may be launched in it. */
  readonly launchable: boolean;
}

/** Instance counts per offering id. Iteration order is insertion order; callers keep it sorted. */
export type Counts = Map<string, number>;

/** How interruptions are priced. */
export interface InterruptionCostModel {
  /** Work lost by an interrupted instance, seconds of its capacity; @default 300 */
  readonly expectedLostWorkSec: number;
  /** Value of one unit-hour of lost or missing capacity, USD; @default the pool's dearest on-demand USD per unit-hour */
  readonly lostUnitHourValueUsd: number;
}

/**
 * Expected cost of one instance-hour: price + hazard × (lost work + replacement lead time) × units ×
 * value of a unit-hour. An interruption loses the work in flight and leaves the capacity missing for
 * the replacement's lead time (the two-minute notice covers part of it; we ignore that to stay
 * conservative).
 */
export function effectiveCostUsdPerHour(o: Offering, m: InterruptionCostModel): number {
  const lossUsd = (o.capacityUnits * (m.expectedLostWorkSec + o.launchLeadTimeSec) / 3600) * m.lostUnitHourValueUsd;
  return o.priceUsdPerHour + o.interruptionHazardPerHour * lossUsd;
}

/** The catalogue of offerings one plan works with. */
export class OfferingBook {
  readonly byId = new Map<string, OfferingInfo>();
  /** Launchable offerings, cheapest effective USD per unit-hour first (ties by id). */
  readonly spot: OfferingInfo[] = [];
  readonly onDemand: OfferingInfo[] = [];

  constructor(offerings: readonly Offering[], instances: readonly Instance[], pool: Ec2Pool, m: InterruptionCostModel) {
    const sorted = offerings.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const o of sorted) {
      const launchable = o.available && pool.markets.includes(o.market) && pool.availabilityZones.includes(o.az);
      const info: OfferingInfo = {
        id: o.id, market: o.market, capacityUnits: o.capacityUnits, priceUsdPerHour: o.priceUsdPerHour,
        launchLeadTimeSec: o.launchLeadTimeSec, effectiveUsdPerHour: effectiveCostUsdPerHour(o, m), launchable,
      };
      this.byId.set(o.id, info);
      if (launchable) (o.market === 'spot' ? this.spot : this.onDemand).push(info);
    }
    for (const i of instances) {
      if (this.byId.has(i.offeringId)) continue;
      this.byId.set(i.offeringId, {
        id: i.offeringId, market: i.market, capacityUnits: i.capacityUnits, priceUsdPerHour: i.priceUsdPerHour,
        launchLeadTimeSec: 0, effectiveUsdPerHour: i.priceUsdPerHour, launchable: false,
      });
    }
    const perUnit = (a: OfferingInfo, b: OfferingInfo): number =>
      a.effectiveUsdPerHour / a.capacityUnits - b.effectiveUsdPerHour / b.capacityUnits || (a.id < b.id ? -1 : 1);
    this.spot.sort(perUnit);
    this.onDemand.sort(perUnit);
  }

  info(id: string): OfferingInfo {
    const i = this.byId.get(id);
    if (!i) throw new Error(`unknown offering ${id}`);
    return i;
  }

  /** Shortest lead time among launchable offerings, seconds (0 when none). */
  minLeadTimeSec(): number {
    let m = Infinity;
    for (const o of [...this.spot, ...this.onDemand]) m = Math.min(m, o.launchLeadTimeSec);
    return Number.isFinite(m) ? m : 0;
  }

  /** Longest lead time among launchable offerings, seconds (0 when none). */
  maxLeadTimeSec(): number {
    let m = 0;
    for (const o of [...this.spot, ...this.onDemand]) m = Math.max(m, o.launchLeadTimeSec);
    return m;
  }
}

/** Sum of units of a composition, optionally of one market only. */
export function unitsOf(c: Counts, book: OfferingBook, market?: Market): number {
  let u = 0;
  for (const [id, n] of c) {
    const o = book.info(id);
    if (market === undefined || o.market === market) u += n * o.capacityUnits;
  }
  return u;
}

/** Price of a composition, USD per hour (`effective`: including expected interruption cost). */
export function costOf(c: Counts, book: OfferingBook, effective = false): number {
  let usd = 0;
  for (const [id, n] of c) {
    const o = book.info(id);
    usd += n * (effective ? o.effectiveUsdPerHour : o.priceUsdPerHour);
  }
  return usd;
}

/** On-demand units the floor asks for when `targetUnits` are desired (capped at the pool's maximum). */
export function onDemandFloorUnits(pool: Ec2Pool, targetUnits: number): number {
  return Math.min(pool.maxUnits, Math.max(pool.onDemandFloorUnits, Math.ceil(pool.onDemandFloorShare * targetUnits - 1e-9)));
}

/**
 * Whether the spot part of a composition is diversified: every offering holds at most
 * `maxSpotSharePerOffering` of the spot units and at least `minSpotOfferings` offerings are used
 * (trivially true without spot).
 */
export function isDiversified(c: Counts, book: OfferingBook, pool: Ec2Pool): boolean {
  const total = unitsOf(c, book, 'spot');
  if (total === 0) return true;
  let used = 0;
  for (const [id, n] of c) {
    const o = book.info(id);
    if (o.market !== 'spot' || n === 0) continue;
    used++;
    if (n * o.capacityUnits > pool.maxSpotSharePerOffering * total + 1e-9) return false;
  }
  return used >= pool.minSpotOfferings;
}

function add(c: Counts, id: string, n: number): void {
  const v = (c.get(id) ?? 0) + n;
  if (v <= 0) c.delete(id);
  else c.set(id, v);
}

/** Limits applied while composing. */
export interface ComposeLimits {
  readonly spendCapUsdPerHour?: number;
}

/** A composition and the constraints that bound it. */
export interface Composition {
  readonly counts: Counts;
  readonly binding: Set<string>;
}

/**
 * Greedy composition for `targetUnits`, starting from `start` (existing or already planned instances).
 * 1. With `allowRemove`, removes on-demand above the floor first (the dearest units), then spot
 *    (most represented offering, dearest per unit), never going below the target.
 * 2. Adds on-demand up to the floor (cheapest per unit).
 * 3. Adds spot for the rest, cheapest effective USD per unit first, each offering capped at
 *    `maxSpotSharePerOffering` of the spot total, unused offerings first until `minSpotOfferings`.
 * 4. Repairs diversification by dropping spot instances; covers a remainder smaller than the caps
 *    let spot take with one or two more spot instances when that stays diversified and costs less
 *    than on-demand; covers what is left with on-demand.
 * 5. Trims to the spend cap and the maximum pool size (dearest per unit first), re-repairing.
 * Never launches in unlaunchable offerings; reports binding constraints in words.
 */
export function compose(
  targetUnits: number, start: Counts, book: OfferingBook, pool: Ec2Pool, limits: ComposeLimits, allowRemove: boolean,
): Composition {
  const c: Counts = new Map(start);
  const binding = new Set<string>();
  const cap = limits.spendCapUsdPerHour;
  const odFloor = onDemandFloorUnits(pool, targetUnits);

  if (allowRemove) removeDownTo(c, targetUnits, odFloor, book, pool);

  const canAdd = (o: OfferingInfo): boolean => {
    if (unitsOf(c, book) + o.capacityUnits > pool.maxUnits + 1e-9) { binding.add('max pool size'); return false; }
    if (cap !== undefined && costOf(c, book) + o.priceUsdPerHour > cap + 1e-9) { binding.add('spend cap'); return false; }
    return true;
  };
  const fillOnDemand = (needUnits: () => number): void => {
    while (needUnits() > 1e-9) {
      if (book.onDemand.length === 0) { binding.add(pool.markets.includes('on-demand') ? 'no on-demand offering available' : 'on-demand market not allowed'); return; }
      const o = pickCheapest(book.onDemand, needUnits());
      if (!canAdd(o)) return;
      add(c, o.id, 1);
    }
  };

  if (unitsOf(c, book, 'on-demand') < odFloor) {
    binding.add('on-demand floor');
    fillOnDemand(() => odFloor - unitsOf(c, book, 'on-demand'));
  }
  fillSpot(c, targetUnits, book, pool, canAdd, binding);
  if (repairDiversification(c, book, pool)) binding.add('spot diversification');
  topUpWithSpot(c, targetUnits, book, pool, cap);
  fillOnDemand(() => targetUnits - unitsOf(c, book));
  trimToLimits(c, book, pool, cap, binding);
  return { counts: sortCounts(c), binding };
}

/** Spot offerings tried by {@link topUpWithSpot} (the cheapest per unit). */
const TOP_UP_CANDIDATES = 6;

/**
 * Covers a remainder smaller than what per-offering spot caps let `fillSpot` add (e.g. 1 unit left
 * when the smallest spot instance has 4): tries adding one or two spot instances (the cheapest
 * offerings per unit) so that the composition covers the target and stays diversified, and keeps
 * the cheapest such set when its expected cost (effective USD per hour) is below that of the
 * on-demand instances that would otherwise cover the remainder. Without this, a fraction of an
 * instance of need always went to on-demand at about twice the spot price.
 */
function topUpWithSpot(c: Counts, targetUnits: number, book: OfferingBook, pool: Ec2Pool, cap: number | undefined): void {
  const remaining = targetUnits - unitsOf(c, book);
  if (remaining <= 1e-9 || book.spot.length === 0) return;
  const fits = (trial: Counts): boolean =>
    unitsOf(trial, book) >= targetUnits - 1e-9 && unitsOf(trial, book) <= pool.maxUnits + 1e-9
    && (cap === undefined || costOf(trial, book) <= cap + 1e-9) && isDiversified(trial, book, pool);
  const candidates = book.spot.slice(0, TOP_UP_CANDIDATES);
  let best: { ids: string[]; usd: number } | undefined;
  const consider = (ids: string[]): void => {
    const trial: Counts = new Map(c);
    for (const id of ids) add(trial, id, 1);
    if (!fits(trial)) return;
    const usd = ids.reduce((a, id) => a + book.info(id).effectiveUsdPerHour, 0);
    if (!best || usd < best.usd - 1e-12) best = { ids, usd };
  };
  for (let i = 0; i < candidates.length; i++) {
    consider([candidates[i].id]);
    for (let j = i; j < candidates.length; j++) consider([candidates[i].id, candidates[j].id]);
  }
  if (!best) return;
  // what on-demand would cost for the same remainder (as fillOnDemand would add it)
  let odUsd = 0;
  let odUnits = 0;
  while (remaining - odUnits > 1e-9 && book.onDemand.length > 0) {
    const o = pickCheapest(book.onDemand, remaining - odUnits);
    odUsd += o.effectiveUsdPerHour;
    odUnits += o.capacityUnits;
  }
  if (book.onDemand.length > 0 && odUsd <= best.usd + 1e-12) return;
  for (const id of best.ids) add(c, id, 1);
}

function pickCheapest(list: readonly OfferingInfo[], needUnits: number): OfferingInfo {
  return list.find((o) => o.capacityUnits <= needUnits + 1e-9)
    ?? list.slice().sort((a, b) => a.capacityUnits - b.capacityUnits || a.effectiveUsdPerHour - b.effectiveUsdPerHour)[0];
}

function fillSpot(
  c: Counts, targetUnits: number, book: OfferingBook, pool: Ec2Pool, canAdd: (o: OfferingInfo) => boolean, binding: Set<string>,
): void {
  const need = targetUnits - unitsOf(c, book);
  if (need <= 1e-9 || book.spot.length === 0) return;
  if (book.spot.length < pool.minSpotOfferings) { binding.add('spot diversification'); return; }
  const spotTotalTarget = unitsOf(c, book, 'spot') + need;
  const capUnits = pool.maxSpotSharePerOffering * spotTotalTarget;
  for (;;) {
    const remaining = targetUnits - unitsOf(c, book);
    if (remaining <= 1e-9) return;
    const used = book.spot.filter((o) => (c.get(o.id) ?? 0) > 0).length;
    const fits = book.spot.filter((o) => (c.get(o.id) ?? 0) * o.capacityUnits + o.capacityUnits <= capUnits + 1e-9);
    const pool2 = used < pool.minSpotOfferings ? fits.filter((o) => (c.get(o.id) ?? 0) === 0) : fits;
    const candidates = pool2.length > 0 ? pool2 : fits;
    if (candidates.length === 0) { binding.add('spot diversification'); return; }
    const o = pickCheapest(candidates, remaining);
    if (!canAdd(o)) return;
    add(c, o.id, 1);
  }
}

/** Drops spot instances until the composition is diversified. Returns true when it changed anything. */
export function repairDiversification(c: Counts, book: OfferingBook, pool: Ec2Pool): boolean {
  let changed = false;
  while (!isDiversified(c, book, pool)) {
    const total = unitsOf(c, book, 'spot');
    let worst: string | undefined;
    let worstExcess = -Infinity;
    let used = 0;
    for (const [id, n] of c) {
      const o = book.info(id);
      if (o.market !== 'spot') continue;
      used++;
      const excess = n * o.capacityUnits - pool.maxSpotSharePerOffering * total;
      if (excess > worstExcess) { worstExcess = excess; worst = id; }
    }
    if (used < pool.minSpotOfferings && worstExcess <= 1e-9) {
      // too few offerings: drop the smallest spot holding
      worst = [...c].filter(([id]) => book.info(id).market === 'spot')
        .sort((a, b) => a[1] * book.info(a[0]).capacityUnits - b[1] * book.info(b[0]).capacityUnits)[0][0];
    }
    add(c, worst as string, -1);
    changed = true;
  }
  return changed;
}

function removeDownTo(c: Counts, targetUnits: number, odFloor: number, book: OfferingBook, pool: Ec2Pool): void {
  for (;;) {
    const total = unitsOf(c, book);
    const spotTotal = unitsOf(c, book, 'spot');
    const odTotal = total - spotTotal;
    const candidates = [...c].map(([id, n]) => ({ o: book.info(id), n }))
      .filter(({ o }) => total - o.capacityUnits >= targetUnits - 1e-9)
      .filter(({ o }) => o.market === 'spot' || odTotal - o.capacityUnits >= odFloor - 1e-9);
    if (candidates.length === 0) return;
    candidates.sort((a, b) =>
      (a.o.market === 'on-demand' ? 0 : 1) - (b.o.market === 'on-demand' ? 0 : 1)
      || b.n * b.o.capacityUnits - a.n * a.o.capacityUnits
      || b.o.effectiveUsdPerHour / b.o.capacityUnits - a.o.effectiveUsdPerHour / a.o.capacityUnits
      || (a.o.id < b.o.id ? -1 : 1));
    add(c, candidates[0].o.id, -1);
    void pool;
  }
}

/** Removes instances (dearest first; spot first for the size limit) until within the maximum pool size and the spend cap. */
export function trimToLimits(c: Counts, book: OfferingBook, pool: Ec2Pool, cap: number | undefined, binding: Set<string>): void {
  const over = (): 'max pool size' | 'spend cap' | undefined =>
    unitsOf(c, book) > pool.maxUnits + 1e-9 ? 'max pool size' : cap !== undefined && costOf(c, book) > cap + 1e-9 ? 'spend cap' : undefined;
  for (let why = over(); why; why = over()) {
    binding.add(why);
    const victim = [...c.keys()].map((id) => book.info(id))
      .sort((a, b) => (why === 'spend cap' ? b.priceUsdPerHour - a.priceUsdPerHour : (a.market === 'spot' ? 0 : 1) - (b.market === 'spot' ? 0 : 1))
        || b.priceUsdPerHour / b.capacityUnits - a.priceUsdPerHour / a.capacityUnits || (a.id < b.id ? -1 : 1))[0];
    add(c, victim.id, -1);
    if (repairDiversification(c, book, pool)) binding.add('spot diversification');
  }
}

/** A copy of `c` with keys in ascending order (deterministic output). */
export function sortCounts(c: Counts): Counts {
  return new Map([...c].filter(([, n]) => n > 0).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Counts of instances per offering. */
export function countsOfInstances(instances: readonly Instance[]): Counts {
  const c: Counts = new Map();
  for (const i of instances) add(c, i.offeringId, 1);
  return sortCounts(c);
}
