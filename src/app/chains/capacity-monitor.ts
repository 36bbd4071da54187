/**
 * Where the chain service learns capacity: an availability profile now, and pool signals (spot
 * interruption notices, insufficient capacity) the executor reacts to at step boundaries.
 */
import type { AvailabilityProfile, PoolAvailability } from '../../core/compose/index.js';
import type { ChainServiceConfig } from './config.js';

/** A capacity signal about one pool. */
export interface PoolSignal {
  readonly kind: 'spot-interruption-notice' | 'insufficient-capacity';
  readonly poolId: string;
  /** Epoch seconds. */
  readonly atSec: number;
  readonly detail?: string;
  /** Until when the pool takes no new work, epoch seconds; absent: until cleared. */
  readonly untilSec?: number;
}

/** The capacity view the chain service reads. */
export interface CapacityMonitor {
  /** Availability of every pool at `nowSec`. */
  profile(nowSec: number): AvailabilityProfile;
  /** Signals with sequence number ≥ `fromSeq` (0-based), and the next sequence number. */
  signalsSince(fromSeq: number): { signals: readonly PoolSignal[]; nextSeq: number };
}

/** A monitor the process can feed: static availability from config plus signals pushed in. */
export interface StaticCapacityMonitor extends CapacityMonitor {
  /** Records a signal; the pool is unavailable from `atSec` until `untilSec`. */
  signal(s: PoolSignal): void;
}

/**
 * A {@link StaticCapacityMonitor} over the configured `availability` (pools without an entry get 0
 * free units and no price).
 */
export function staticCapacityMonitor(config: Pick<ChainServiceConfig, 'pools' | 'availability'>): StaticCapacityMonitor {
  const signals: PoolSignal[] = [];
  return {
    profile(nowSec) {
      const pools: Record<string, PoolAvailability> = {};
      for (const p of config.pools) {
        const a = config.availability[p.id];
        const blocked = signals.some((s) => s.poolId === p.id && s.atSec <= nowSec && (s.untilSec === undefined || nowSec < s.untilSec));
        pools[p.id] = {
          poolId: p.id,
          slots: [{ startSec: nowSec, availableUnits: a?.availableUnits ?? 0 }],
          ...(a?.spotUsdPerUnitHour !== undefined ? { spotUsdPerUnitHour: a.spotUsdPerUnitHour } : {}),
          ...(a?.spotInterruptionHazardPerHour !== undefined ? { spotInterruptionHazardPerHour: a.spotInterruptionHazardPerHour } : {}),
          ...(a?.onDemandUsdPerUnitHour !== undefined ? { onDemandUsdPerUnitHour: a.onDemandUsdPerUnitHour } : {}),
          ...(blocked ? { insufficientCapacity: true } : {}),
        };
      }
      return { atSec: nowSec, pools };
    },
    signalsSince(fromSeq) {
      return { signals: signals.slice(fromSeq), nextSeq: signals.length };
    },
    signal(s) {
      signals.push(s);
    },
  };
}
