/**
 * Headroom for predicted chain arrivals (issue 19 item 6; seed 003, component 1). Pure.
 *
 * A chain that arrives when its pool has no free capacity waits a launch lead time for its first
 * steps. The behaviour model (core/predict/arrival-rate.ts) forecasts, per principal and workflow,
 * the chains arriving in the next minutes; this module turns that into a demand term per pool and
 * slot: for the chains predicted to arrive within a lead time of the slot, their root steps' vCPU
 * (root fan-out × resources, split over the variants each principal's chains ran) × a quantile of
 * the predicted arrivals.
 *
 * Priced like the planner's other capacity (the frame's interruption model values a missing
 * unit-hour at `lostUnitHourValueUsd`, the dearest on-demand price per unit-hour; the prefetch
 * ledger adds `latencyValueUsdPerHour` per hour of latency): the n-th chain's share of headroom,
 * r units held over a window W = min(lead time L, the roots' median runtime), costs r · p · W and is
 * used when at least n chains arrive, saving each of its r units a wait of L worth v per unit-hour plus
 * the chain's latency value V per hour. Holding it pays when P(N ≥ n) · (r · v + V) · L ≥ r · p · W,
 * so the headroom is the arrivals' quantile at the critical ratio (the newsvendor's,
 * Arrow, Harris & Marschak 1951)
 *   q* = 1 − (r · p · W) / ((r · v + V) · L),
 * capped at the upper quantile (p90 by default); at q* ≤ 0 nothing is held. The arrivals are Poisson
 * with the model's mean (its documented simplification), so a sparse workflow (mean 0.2 chains per
 * lead time) gets no headroom unless q* is above e^−0.2 ≈ 0.82.
 */
import { quantileKey } from '../model/forecast.js';
import type { Workflow } from '../model/workflow.js';
import { poolOf } from '../model/workflow.js';
import type { Offering } from '../model/offering.js';
import type { Ec2Pool } from '../model/pool.js';
import { ArrivalRateModel, poissonQuantile, type ArrivalKey } from '../predict/arrival-rate.js';
import { VariantChoiceModel, type BehaviourState } from '../predict/behaviour-model.js';

/** Default cap of the quantile held (the behaviour model's upper quantile). */
export const DEFAULT_ARRIVAL_HEADROOM_MAX_LEVEL = 0.9;

/** What one key's chains need from one pool at arrival. */
export interface RootDemand {
  readonly key: ArrivalKey;
  /** vCPU of the chain's root steps on the pool (expected over its variants). */
  readonly units: number;
  /** Median runtime of those root steps (the longest), seconds; absent when unknown. */
  readonly runtimeSec?: number;
}

/** Inputs of {@link arrivalHeadroomUnits}. */
export interface ArrivalHeadroomInput {
  readonly nowSec: number;
  readonly slotSec: number;
  readonly slots: number;
  /** Quantile levels the demand is built at. */
  readonly levels: readonly number[];
  /** Launch lead time of the pool's quickest offering plus the launch margin, seconds (L). */
  readonly leadTimeSec: number;
  /** Cheapest price of the pool's offerings per capacity unit-hour, USD (p). */
  readonly unitUsdPerHour: number;
  /** Value of a unit-hour of waiting, USD (v): the planner's `lostUnitHourValueUsd`. */
  readonly waitValueUsdPerUnitHour: number;
  /** Value of an hour of a chain's latency, USD (V). @default 0 */
  readonly latencyValueUsdPerHour?: number;
  /** Cap of the quantile held. @default DEFAULT_ARRIVAL_HEADROOM_MAX_LEVEL */
  readonly maxLevel?: number;
  /** Root demand per key on this pool. */
  readonly roots: readonly RootDemand[];
  /** Expected arrivals of a key over `[fromSec, fromSec + horizonSec)` (the behaviour model's mean). */
  readonly expectedArrivals: (key: ArrivalKey, fromSec: number, horizonSec: number) => number;
}

/** Output of {@link arrivalHeadroomUnits}. */
export interface ArrivalHeadroom {
  /** Units per slot at each level, keyed like Forecast.quantiles. */
  readonly unitsByLevel: Readonly<Record<string, readonly number[]>>;
  /** Headroom at the highest level in slot 0, units. */
  readonly nowUnits: number;
  /** The critical ratio of each key with demand (`principal/workflow` → q*, before the cap). */
  readonly criticalLevels: Readonly<Record<string, number>>;
}

/**
 * The headroom per slot and level (see module doc): Σ over keys of r × PoissonQuantile(mean over
 * [slot start, slot start + L), min(level, q*, cap)). Summing the keys' quantiles over-covers their
 * sum a little (a conservative simplification).
 * @throws Error for a non-positive lead time or slot length, or a negative price or value
 */
export function arrivalHeadroomUnits(input: ArrivalHeadroomInput): ArrivalHeadroom {
  const { leadTimeSec: L, unitUsdPerHour: p, waitValueUsdPerUnitHour: v } = input;
  if (!(L > 0)) throw new Error(`arrival headroom: leadTimeSec ${L}, expected > 0 seconds`);
  if (!(input.slotSec > 0)) throw new Error(`arrival headroom: slotSec ${input.slotSec}, expected > 0 seconds`);
  if (!(p >= 0) || !(v >= 0)) throw new Error(`arrival headroom: price ${p} and wait value ${v} USD per unit-hour, expected >= 0`);
  const V = input.latencyValueUsdPerHour ?? 0;
  const cap = input.maxLevel ?? DEFAULT_ARRIVAL_HEADROOM_MAX_LEVEL;
  const out: Record<string, number[]> = Object.fromEntries(input.levels.map((l) => [quantileKey(l), new Array<number>(input.slots).fill(0)]));
  const criticalLevels: Record<string, number> = {};
  for (const r of input.roots) {
    if (!(r.units > 0)) continue;
    const W = Math.max(1, Math.min(L, r.runtimeSec ?? L));
    const gain = (r.units * v + V) * L;
    const q = gain > 0 ? 1 - (r.units * p * W) / gain : 0;
    criticalLevels[`${r.key.principal}/${r.key.workflow}`] = q;
    const held = Math.min(q, cap);
    if (!(held > 0)) continue;
    for (let k = 0; k < input.slots; k++) {
      const mean = input.expectedArrivals(r.key, input.nowSec + k * input.slotSec, L);
      if (!(mean > 0)) continue;
      for (const level of input.levels) out[quantileKey(level)][k] += r.units * poissonQuantile(mean, Math.min(level, held));
    }
  }
  const top = input.levels.length > 0 ? quantileKey(Math.max(...input.levels)) : undefined;
  return { unitsByLevel: out, nowUnits: top ? out[top][0] ?? 0 : 0, criticalLevels };
}

/**
 * Root demand of `principal`'s chains of `workflow` on `poolId`: Σ over variants of the variant's
 * share × the vCPU of its root steps bound to the pool; the runtime is the longest root median.
 * Undefined when no root step of the workflow runs on the pool.
 * @param share P(variant | principal, workflow) by variant name (missing variants: 0)
 */
export function rootDemandOn(poolId: string, key: ArrivalKey, workflow: Workflow, share: Readonly<Record<string, number>>): RootDemand | undefined {
  let units = 0;
  let runtimeSec: number | undefined;
  for (const v of workflow.variants) {
    const s = share[v.name] ?? 0;
    if (!(s > 0)) continue;
    for (const t of v.tasks) {
      if (t.dependencies.length > 0 || poolOf(v, t.task_id) !== poolId) continue;
      units += s * t.resource_requirements.vcpu;
      const p50 = t.runtime?.p50Sec;
      if (p50 !== undefined) runtimeSec = Math.max(runtimeSec ?? 0, p50);
    }
  }
  return units > 0 ? { key, units, ...(runtimeSec !== undefined ? { runtimeSec } : {}) } : undefined;
}

/** Inputs of {@link arrivalHeadroomByPool}. */
export interface ArrivalHeadroomByPoolInput {
  readonly nowSec: number;
  readonly slotSec: number;
  readonly slots: number;
  readonly levels: readonly number[];
  readonly pools: readonly Ec2Pool[];
  /** Offerings per pool this tick (prices, capacity units, launch lead times). */
  readonly offeringsByPool: ReadonlyMap<string, readonly Offering[]>;
  readonly workflows: readonly Workflow[];
  /** The behaviour model's learned state (core/predict/behaviour-model.ts). */
  readonly behaviour: BehaviourState;
  /** Value of an hour of a chain's latency, USD (the prefetch config's `latencyValueUsdPerHour`). @default 0 */
  readonly latencyValueUsdPerHour?: number;
  readonly maxLevel?: number;
}

/**
 * {@link arrivalHeadroomUnits} for every EC2 pool from the behaviour model's state: each known
 * (principal, workflow) key's root demand on the pool (its own variant shares, learned from its own
 * chains only), the pool's quickest launch lead time + margin, its cheapest price per unit-hour and
 * its dearest on-demand price per unit-hour as the value of a waiting unit-hour (the planner frame's
 * default `lostUnitHourValueUsd`). Pools with no offerings or no root demand are left out.
 */
export function arrivalHeadroomByPool(input: ArrivalHeadroomByPoolInput): Map<string, ArrivalHeadroom> {
  const model = new ArrivalRateModel({}, input.behaviour.arrivals);
  const variants = new VariantChoiceModel(input.behaviour.variants);
  const byName = new Map(input.workflows.map((w) => [w.name, w]));
  const keys = model.knownKeys();
  const out = new Map<string, ArrivalHeadroom>();
  for (const pool of input.pools) {
    const offers = input.offeringsByPool.get(pool.id) ?? [];
    if (offers.length === 0) continue;
    const roots: RootDemand[] = [];
    for (const key of keys) {
      const wf = byName.get(key.workflow);
      if (!wf) continue;
      const share = variants.probabilities(key.principal, wf.name, wf.variants.map((x) => x.name));
      const r = rootDemandOn(pool.id, key, wf, share);
      if (r) roots.push(r);
    }
    if (roots.length === 0) continue;
    const perUnit = offers.map((o) => o.priceUsdPerHour / Math.max(1e-9, o.capacityUnits));
    const onDemand = offers.filter((o) => o.market === 'on-demand').map((o) => o.priceUsdPerHour / Math.max(1e-9, o.capacityUnits));
    out.set(pool.id, arrivalHeadroomUnits({
      nowSec: input.nowSec, slotSec: input.slotSec, slots: input.slots, levels: input.levels,
      leadTimeSec: Math.min(...offers.map((o) => o.launchLeadTimeSec)) + pool.launchMarginSec,
      unitUsdPerHour: Math.min(...perUnit), waitValueUsdPerUnitHour: Math.max(0, ...(onDemand.length > 0 ? onDemand : perUnit)),
      ...(input.latencyValueUsdPerHour !== undefined ? { latencyValueUsdPerHour: input.latencyValueUsdPerHour } : {}),
      ...(input.maxLevel !== undefined ? { maxLevel: input.maxLevel } : {}),
      roots, expectedArrivals: (key, fromSec, horizonSec) => model.forecastKey(key, fromSec, horizonSec).mean,
    }));
  }
  return out;
}
