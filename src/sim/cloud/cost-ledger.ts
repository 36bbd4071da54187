/**
 * The simulated account's cost, accrued per pool and market between collections: instances are
 * charged by their billing record (billing.ts: per second, 60 s minimum), cache groups by node-hour
 * (cache-groups.ts). Instances without prescale's owner tag are someone else's and never charged.
 */
import { OWNER_TAG_KEY } from '../../core/model/index.js';
import { accrue } from './billing.js';
import { accrueCache, type SimCacheGroup } from './cache-groups.js';
import type { SimInstance } from './sim-instance.js';

/** Cost accrued per pool and market since the last collection, USD. */
export interface CostAccrual {
  readonly poolId: string;
  readonly spotUsd: number;
  readonly onDemandUsd: number;
  readonly cacheUsd: number;
}

/** Cost per pool since the last {@link CostLedger.collect}, pools kept in first-charged order. */
export class CostLedger {
  private readonly accrued = new Map<string, { spotUsd: number; onDemandUsd: number; cacheUsd: number }>();

  /** Charges instance `i` up to `nowSec` (epoch seconds) to its pool's spot or on-demand cost; foreign instances are skipped. */
  charge(i: SimInstance, nowSec: number): void {
    if (i.tags[OWNER_TAG_KEY] === undefined) return;
    const usd = accrue(i.billing, nowSec);
    if (usd > 0) this.add(i.poolId, i.offering.market === 'spot' ? 'spotUsd' : 'onDemandUsd', usd);
  }

  /** Charges cache group `g`'s node-hours up to `nowSec` (epoch seconds) to its pool's cache cost. */
  chargeCache(g: SimCacheGroup, nowSec: number): void {
    const usd = accrueCache(g, nowSec);
    if (usd > 0) this.add(g.pool.id, 'cacheUsd', usd);
  }

  /** Charges `usd` of on-demand cost that no instance record carries (a warm pool's initialisation and EBS, warm-pool.ts) to `poolId`. */
  chargeOnDemand(poolId: string, usd: number): void {
    if (usd > 0) this.add(poolId, 'onDemandUsd', usd);
  }

  /** The cost accrued per pool since the previous call (pools in first-charged order); starts a new period. */
  collect(): CostAccrual[] {
    const out: CostAccrual[] = [];
    for (const [poolId, c] of this.accrued) out.push({ poolId, ...c });
    this.accrued.clear();
    return out;
  }

  private add(poolId: string, key: 'spotUsd' | 'onDemandUsd' | 'cacheUsd', usd: number): void {
    let c = this.accrued.get(poolId);
    if (!c) this.accrued.set(poolId, (c = { spotUsd: 0, onDemandUsd: 0, cacheUsd: 0 }));
    c[key] += usd;
  }
}
