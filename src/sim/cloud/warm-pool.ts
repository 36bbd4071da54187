/**
 * The simulated EC2 Auto Scaling warm pool (issue 19, item 5): per pool, instances of one on-demand
 * offering kept pre-initialised and stopped (`PoolState: Stopped`, lifecycle state `Warmed:Stopped`).
 *
 * What is modelled, each with its source (EC2 Auto Scaling User Guide, "Warm pools for Amazon EC2 Auto
 * Scaling" and "Warm pool instance lifecycle"; PutWarmPool API reference):
 * - A warm instance is launched into the pool (`Warmed:Pending`), runs its initialisation for one cold
 *   launch lead time billed at the on-demand price (it is a running instance until it stops, EC2
 *   per-second billing with the 60 s minimum), then stops (`Warmed:Stopped`) and is billed only for its
 *   EBS volumes ("With stopped instances, you pay only for the volumes that you use").
 * - A launch of the warm offering draws on the pool first: a stopped instance starts in
 *   {@link WARM_START_RANGE_SEC} instead of a cold lead time, billed again from its start (each start of
 *   a stopped instance is billed with a new 60 s minimum, EC2 User Guide "Per-second billing").
 * - The pool is refilled to its minimum size after a scale-out draws on it ("When your Auto Scaling
 *   group scales out and the size of the warm pool shrinks, Amazon EC2 Auto Scaling launches new
 *   instances into the warm pool to maintain its minimum size", AWS::AutoScaling::WarmPool).
 * - `ReuseOnScaleIn`: a terminated instance of the warm offering goes back to the pool (stopped) instead
 *   of being terminated (InstanceReusePolicy), and the pool sheds what exceeds its size, instances still
 *   initialising first (a returned instance saves the rest of a refill's initialisation).
 * - Only on-demand offerings: "You cannot add a warm pool to Auto Scaling groups that have a mixed
 *   instances policy or that launch Spot Instances" (Warm pools, Limitations; PutWarmPool).
 * Not modelled: `Warmed:Running` and `Warmed:Hibernated` pools (a running warm instance is billed as
 * running capacity, which the planner already holds as headroom; hibernation needs a supported type
 * and an encrypted root volume), lifecycle hooks (initialisation is the launch lead time).
 */
import type { Offering, Random } from '../../core/model/index.js';

/**
 * Time to start a `Warmed:Stopped` instance until it serves work, seconds, drawn uniformly. "Pre-
 * initialized instances in a Warm Pool can be launched to serve traffic in as low as 30 seconds"
 * (AWS launch of EC2 Auto Scaling warm pools, April 2021, as reported by InfoQ 2021-05 "AWS Launches
 * EC2 Auto Scaling Warm Pools"); the upper end allows for the start of the OS and the worker's
 * registration, as the cold range's upper end does (sim/cloud/lead-time.ts).
 */
export const WARM_START_RANGE_SEC: readonly [number, number] = [30, 60];

/** EBS prices and the root volume come from core/plan/warm-pool.ts (cited there), which the planner prices with too. */
export { DEFAULT_WARM_ROOT_VOLUME_GIB, GP3_USD_PER_GIB_MONTH, HOURS_PER_MONTH, stoppedUsdPerHour } from '../../core/plan/warm-pool.js';

/** Options of the simulated warm pools. */
export interface WarmPoolModel {
  /** @default {@link WARM_START_RANGE_SEC} */
  readonly startRangeSec?: readonly [number, number];
  /** EBS of one instance, GiB. @default core/plan/warm-pool.ts DEFAULT_WARM_ROOT_VOLUME_GIB (8) */
  readonly volumeGiB?: number;
  /** @default core/plan/warm-pool.ts GP3_USD_PER_GIB_MONTH (0.08) */
  readonly usdPerGiBMonth?: number;
}

/** One instance in a warm pool. */
export interface WarmInstance {
  readonly id: string;
  /** When it entered the pool (launch or return on scale-in), epoch seconds. */
  readonly enteredAtSec: number;
  /** When it is `Warmed:Stopped` (initialisation done), epoch seconds. */
  readonly stoppedAtSec: number;
  /** On-demand price of its initialisation run, USD per hour (0 for an instance returned on scale-in). */
  readonly priceUsdPerHour: number;
  /** Initialisation seconds already charged. */
  initBilledSec: number;
  /** EBS seconds already charged (from `stoppedAtSec`). */
  ebsBilledSec: number;
}

/** One pool's warm pool. */
export interface SimWarmPool {
  readonly poolId: string;
  offering: Offering;
  minSize: number;
  /** Oldest first. */
  readonly instances: WarmInstance[];
}

/** Draws a warm start time, seconds. */
export function drawWarmStartSec(model: WarmPoolModel, rng: Random): number {
  const [lo, hi] = model.startRangeSec ?? WARM_START_RANGE_SEC;
  return Math.round(lo + (hi - lo) * rng.next());
}

/**
 * A new warm instance launched at `nowSec` with initialisation of `initSec` seconds (a cold lead
 * time), billed at the offering's on-demand price while it initialises.
 */
export function newWarmInstance(id: string, offering: Offering, nowSec: number, initSec: number): WarmInstance {
  return { id, enteredAtSec: nowSec, stoppedAtSec: nowSec + initSec, priceUsdPerHour: offering.priceUsdPerHour, initBilledSec: 0, ebsBilledSec: 0 };
}

/** An instance returned to the pool on scale-in at `nowSec`: stopped at once, no initialisation billed. */
export function returnedWarmInstance(id: string, nowSec: number): WarmInstance {
  return { id, enteredAtSec: nowSec, stoppedAtSec: nowSec, priceUsdPerHour: 0, initBilledSec: 0, ebsBilledSec: 0 };
}

/**
 * Charges `w` up to `nowSec` and returns the USD added: its initialisation run at the on-demand price
 * (per second; with `final`, as it leaves the pool, at least the 60 s minimum), then EBS at
 * `ebsUsdPerHour` from `stoppedAtSec` (with `final`, at least 60 s).
 */
export function accrueWarm(w: WarmInstance, nowSec: number, ebsUsdPerHour: number, final = false): number {
  const ranSec = Math.max(0, Math.min(nowSec, w.stoppedAtSec) - w.enteredAtSec);
  const initDue = w.priceUsdPerHour > 0 && final ? Math.max(60, ranSec) : ranSec;
  let usd = 0;
  if (initDue > w.initBilledSec) {
    usd += ((initDue - w.initBilledSec) * w.priceUsdPerHour) / 3600;
    w.initBilledSec = initDue;
  }
  const stoppedSec = Math.max(0, nowSec - w.stoppedAtSec);
  const ebsDue = final && nowSec >= w.stoppedAtSec ? Math.max(60, stoppedSec) : stoppedSec;
  if (ebsDue > w.ebsBilledSec) {
    usd += ((ebsDue - w.ebsBilledSec) * ebsUsdPerHour) / 3600;
    w.ebsBilledSec = ebsDue;
  }
  return usd;
}

/** Instances of `p` that are stopped (ready to start) at `nowSec`, oldest first. */
export function stoppedInstances(p: SimWarmPool, nowSec: number): WarmInstance[] {
  return p.instances.filter((w) => w.stoppedAtSec <= nowSec);
}
