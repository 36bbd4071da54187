/**
 * Warm-pool sizing (issue 19, item 5, second tier): how many stopped on-demand instances a pool keeps
 * in an EC2 Auto Scaling warm pool, and which urgent launches start them instead of launching cold.
 *
 * Why a warm pool: a launch issued now is ready after a cold lead time (60–180 s on the simulator's
 * default), so demand that rises within that window waits; a stopped warm instance starts in 30–60 s
 * (sim/cloud/warm-pool.ts `WARM_START_RANGE_SEC`) and costs only its EBS volume while it waits
 * (EC2 Auto Scaling User Guide, "Warm pools": "With stopped instances, you pay only for the volumes").
 * Warm pools take on-demand instances only: "You cannot add a warm pool to Auto Scaling groups that
 * have a mixed instances policy or that launch Spot Instances" (same guide, Limitations).
 *
 * Sizing (per pool, per tick, pure): the held fleet H (ready + pending units); the demand the window
 * a cold launch cannot reach faces, `top` = the largest need over the slots starting before now + the
 * warm offering's cold lead time + the pool's launch margin, at the `level` quantile (upper, 0.95 by
 * default) with known and predicted steps; the gap `top − H` in warm instances, rounded up, capped at
 * `maxInstances`. The pool shrinks only when the whole horizon's gap allows it (a removed warm
 * instance costs its initialisation again when it is needed back). Priced: it is held only when the
 * wait it saves is worth more than its EBS: expected units short in any slot of the horizon, E[(D − H)+]
 * (demand.ts `expectedShortfallUnits`), × `waitValueUsdPerUnitHour` × the fraction of the cold lead
 * time a warm start saves, against `size × stoppedUsdPerHour`.
 */
import type { WarmPoolState } from '../model/capacity.js';
import type { Command, LaunchCommand, WarmPoolCommand } from '../model/command.js';
import type { Offering } from '../model/offering.js';
import type { Ec2Pool } from '../model/pool.js';
import { commandId, round6 } from './commands.js';
import { expectedShortfallUnits, quantileAt } from './demand.js';
import type { DemandSlot, PlanInput } from './types.js';

/**
 * Price of gp3 storage, USD per GiB-month: $0.08 per GB-month in us-east-1 (Amazon EBS pricing page,
 * General Purpose SSD gp3; /work/shared/data holds no EBS price file), billed per second with a 60 s
 * minimum (same page, gp3 pricing example).
 */
export const GP3_USD_PER_GIB_MONTH = 0.08;

/** Hours in a month as AWS prices storage per GB-month (8,760 h / 12 = 730 h, AWS Pricing Calculator). */
export const HOURS_PER_MONTH = 730;

/** Root volume of a warm instance, GiB: the Amazon Linux 2023 AMI's 8 GiB root volume (its default block device mapping). */
export const DEFAULT_WARM_ROOT_VOLUME_GIB = 8;

/**
 * Median start of a `Warmed:Stopped` instance until it serves work, seconds: the middle of the
 * simulator's 30–60 s range ("pre-initialized instances in a Warm Pool can be launched to serve traffic
 * in as low as 30 seconds", AWS at the launch of warm pools, InfoQ 2021-05).
 */
export const DEFAULT_WARM_START_SEC = 45;

/** EBS price of one stopped instance of `volumeGiB` gp3, USD per hour. */
export function stoppedUsdPerHour(volumeGiB: number = DEFAULT_WARM_ROOT_VOLUME_GIB, usdPerGiBMonth: number = GP3_USD_PER_GIB_MONTH): number {
  return (volumeGiB * usdPerGiBMonth) / HOURS_PER_MONTH;
}

/** Warm-pool planning options. */
export interface WarmPoolOptions {
  /** Demand quantile the lead-time window is sized at. @default 0.95 */
  readonly level?: number;
  /** Largest warm pool, instances. @default 16 */
  readonly maxInstances?: number;
  /** Holding price of one stopped instance, USD per hour. @default {@link stoppedUsdPerHour}() */
  readonly stoppedUsdPerHour?: number;
  /** Start of a warm instance, seconds. @default {@link DEFAULT_WARM_START_SEC} */
  readonly warmStartSec?: number;
  /** Only these pools get warm pools (e.g. the ones an Auto Scaling group backs). @default every pool that buys on-demand */
  readonly poolIds?: readonly string[];
  /** Value of a unit-hour of waiting demand, USD. @default the dearest on-demand USD per unit-hour offered (as the planner's lost-unit value) */
  readonly waitValueUsdPerUnitHour?: number;
}

/**
 * Inputs of {@link planWarmPool}: the planner's own input for the pool (the pool, its offerings now,
 * the capacity with the pool's warm pool when it has one, its demand per slot from now on, the slot
 * length) and the warm-pool settings.
 */
export type WarmPoolInput = Pick<PlanInput, 'nowSec' | 'pool' | 'offerings' | 'capacity' | 'demand' | 'slotSec'> & { readonly options?: WarmPoolOptions };

/** The answer: the command (absent when nothing changes) and the words for the decision log. */
export interface WarmPoolPlan {
  readonly command?: WarmPoolCommand;
  readonly size: number;
  readonly offeringId?: string;
  readonly reason: string;
}

/**
 * The offering a pool's warm pool holds: its current one while still available, else the cheapest
 * available on-demand offering per capacity unit (ties by id). Undefined when the pool buys no on-demand.
 */
export function warmOffering(pool: Ec2Pool, offerings: readonly Offering[], current?: WarmPoolState): Offering | undefined {
  if (!pool.markets.includes('on-demand')) return undefined;
  const od = offerings.filter((o) => o.market === 'on-demand' && o.available);
  const keep = current ? od.find((o) => o.id === current.offeringId) : undefined;
  if (keep) return keep;
  return od.slice().sort((a, b) => a.priceUsdPerHour / a.capacityUnits - b.priceUsdPerHour / b.capacityUnits || (a.id < b.id ? -1 : 1))[0];
}

/** Sizes one pool's warm pool; see the module doc. Pure. */
export function planWarmPool(input: WarmPoolInput): WarmPoolPlan {
  const { nowSec, pool, capacity, demand, slotSec } = input;
  const opts = input.options ?? {};
  const current = capacity.warmPools?.find((w) => w.poolId === pool.id);
  const o = warmOffering(pool, input.offerings, current);
  if (!o) return { size: 0, reason: 'no on-demand offering: warm pools take on-demand instances only' };
  const held = capacity.instances.filter((i) => i.poolId === pool.id && (i.state === 'running' || i.state === 'pending')).reduce((s, i) => s + i.capacityUnits, 0);
  const level = opts.level ?? 0.95;
  const need = (d: DemandSlot): number => quantileAt(d.quantiles, level) + Math.max(0, d.predictedStepUnits) + Math.max(0, d.committedUnits);
  const windowEndSec = nowSec + o.launchLeadTimeSec + pool.launchMarginSec;
  const inWindow = demand.filter((_, k) => nowSec + k * slotSec < windowEndSec);
  const gapIn = (slots: readonly DemandSlot[]): number => Math.max(0, ...slots.map((d) => Math.min(pool.maxUnits, need(d)) - held));
  const max = opts.maxInstances ?? 16;
  const sizeFor = (gap: number): number => Math.max(0, Math.min(max, Math.ceil(gap / o.capacityUnits - 1e-9)));
  const want = sizeFor(gapIn(inWindow));
  const prior = current && current.offeringId === o.id ? current.minSize : 0;
  // grow at once; shrink only to what the whole horizon still wants
  let size = want >= prior ? want : Math.max(want, Math.min(prior, sizeFor(gapIn(demand))));
  const holdUsdPerHour = opts.stoppedUsdPerHour ?? stoppedUsdPerHour();
  const unitValue = opts.waitValueUsdPerUnitHour ?? Math.max(0, ...input.offerings.filter((x) => x.market === 'on-demand').map((x) => x.priceUsdPerHour / x.capacityUnits));
  const shortUnits = Math.max(0, ...demand.map((d) => expectedShortfallUnits(d, held)));
  const savedShare = Math.max(0, 1 - (opts.warmStartSec ?? DEFAULT_WARM_START_SEC) / Math.max(1, o.launchLeadTimeSec));
  const valueUsdPerHour = Math.min(shortUnits, size * o.capacityUnits) * unitValue * savedShare;
  const costUsdPerHour = size * holdUsdPerHour;
  let why = `q${level} need in the ${Math.round(windowEndSec - nowSec)} s a cold launch cannot reach exceeds the held ${round6(held)} units by ${round6(gapIn(inWindow))}`;
  if (size > 0 && valueUsdPerHour < costUsdPerHour) {
    why += `; the wait saved (${round6(valueUsdPerHour)} USD/h) is worth less than holding ${size} stopped (${round6(costUsdPerHour)} USD/h)`;
    size = 0;
  }
  const reason = `warm pool ${size}× ${o.id}: ${why}`;
  if (size === prior && (size === 0 || current?.offeringId === o.id)) return { size, offeringId: o.id, reason };
  return {
    size, offeringId: o.id, reason,
    command: { kind: 'warm-pool', id: commandId(pool.id, nowSec, 'warm-pool', `${o.id}x${size}`), poolId: pool.id, offeringId: o.id, minSize: size, expectedCostUsdPerHour: round6(size * holdUsdPerHour), reason },
  };
}

/**
 * Starts stopped warm instances for the urgent part of this tick's launches: a launch of another
 * offering needed sooner than its cold lead time (`needAtSec − nowSec < launchLeadTimeSec`) becomes a
 * launch of the warm offering for up to the pool's stopped instances (covering the same units), and
 * the rest stays a cold launch. A launch of the warm offering itself is left as is: the Auto Scaling
 * group draws on its warm pool first. Pure; commands of other pools and kinds pass through.
 * @param offeringsById the pool's offerings (for the launches' units and lead times)
 */
export function routeUrgentLaunches(
  commands: readonly Command[], pool: Ec2Pool, warm: WarmPoolState | undefined, offeringsById: ReadonlyMap<string, Offering>, nowSec: number,
): Command[] {
  const wo = warm ? offeringsById.get(warm.offeringId) : undefined;
  if (!warm || !wo || !wo.available || warm.stoppedCount <= 0) return [...commands];
  let stopped = warm.stoppedCount;
  const out: Command[] = [];
  for (const c of commands) {
    const o = c.kind === 'launch' && c.poolId === pool.id ? offeringsById.get(c.offeringId) : undefined;
    if (c.kind !== 'launch' || !o || o.id === wo.id || stopped <= 0 || c.needAtSec - nowSec >= o.launchLeadTimeSec) { out.push(c); continue; }
    const k = Math.min(stopped, Math.ceil((c.count * o.capacityUnits) / wo.capacityUnits - 1e-9));
    stopped -= k;
    const rest = Math.max(0, c.count - Math.floor((k * wo.capacityUnits) / o.capacityUnits + 1e-9));
    const warmLaunch: LaunchCommand = {
      kind: 'launch', id: commandId(pool.id, nowSec, 'launch-warm', `${wo.id}<${c.offeringId}`), poolId: pool.id, offeringId: wo.id, count: k, needAtSec: c.needAtSec,
      expectedCostUsdPerHour: round6(k * wo.priceUsdPerHour),
      reason: `${k}× ${wo.id} started from the warm pool (ready in about ${DEFAULT_WARM_START_SEC} s, not ${o.launchLeadTimeSec} s) for: ${c.reason}`,
    };
    out.push(warmLaunch);
    if (rest > 0) out.push({ ...c, count: rest, expectedCostUsdPerHour: round6(rest * o.priceUsdPerHour) });
  }
  return out;
}

/**
 * The warm-pool step of one pool's plan: {@link routeUrgentLaunches} on the planner's commands, then
 * {@link planWarmPool}'s command appended when the size changes. Returns the commands and the sizing
 * words for the decision log.
 */
export function withWarmPool(input: WarmPoolInput, commands: readonly Command[]): { readonly commands: Command[]; readonly reason: string } {
  if (input.options?.poolIds && !input.options.poolIds.includes(input.pool.id)) return { commands: [...commands], reason: '' };
  const warm = input.capacity.warmPools?.find((w) => w.poolId === input.pool.id);
  const routed = routeUrgentLaunches(commands, input.pool, warm, new Map(input.offerings.map((o) => [o.id, o])), input.nowSec);
  const sized = planWarmPool(input);
  return { commands: sized.command ? [...routed, sized.command] : routed, reason: sized.reason };
}
