import { describe, expect, it } from 'vitest';
import { validateCommands } from '../../../src/core/tick/validate.js';
import type { CacheGroupState, CapacitySnapshot, Command, SafetyLimits } from '../../../src/core/model/index.js';
import { instance, offering } from '../../unit/plan/builders.js';

const od = offering('m5.large', 'on-demand', 0.1);
const limits: SafetyLimits = { maxInstances: 100, maxSpendUsdPerHour: 1, maxChangeUnitsPerTick: 100 };
const group = (over: Partial<CacheGroupState> = {}): CacheGroupState => ({
  poolId: 'cache', replicationGroupId: 'prescale-cache', nodeType: 'cache.t4g.small', shards: 1, replicasPerShard: 0, priceUsdPerNodeHour: 0.2, ...over,
});
const scale = (shards: number, replicasPerShard: number, id = `scale-${shards}x${replicasPerShard}`): Command => ({ kind: 'scale-cache', id, poolId: 'cache', shards, replicasPerShard, reason: 'test' });
const launch = (count: number): Command => ({ kind: 'launch', id: `launch-${count}`, poolId: 'web', offeringId: od.id, count, needAtSec: 100, expectedCostUsdPerHour: count * 0.1, reason: 'test' });

describe('validateCommands spend limit with cache groups', () => {
  // 2 instances at 0.1 USD/h + one cache node at 0.2 USD/h = 0.4 USD/h held, limit 1 USD/h
  const snap = (caches: CacheGroupState[]): CapacitySnapshot => ({ atSec: 0, instances: [instance('i-1', od), instance('i-2', od)], caches });

  it('counts the cache nodes held, so a launch that fits the instances alone is dropped', () => {
    const out = validateCommands([launch(7)], snap([group()]), new Map([[od.id, od]]), limits, 0);
    expect(out.accepted).toEqual([]);
    expect(out.decisions[0]).toMatchObject({ kind: 'safety', reason: expect.stringContaining('1.10 USD/h > maxSpendUsdPerHour 1') });
    expect(validateCommands([launch(6)], snap([group()]), new Map([[od.id, od]]), limits, 0).accepted).toHaveLength(1);
  });

  it('drops a cache scale-out that would take the spend over the limit, and keeps the spend of an accepted one for later commands', () => {
    // 1 → 3 nodes adds 0.4 USD/h (0.8 total): accepted; then 1 more instance fits, 3 more do not
    const ok = validateCommands([scale(3, 0), launch(2), launch(3)], snap([group()]), new Map([[od.id, od]]), limits, 0);
    expect(ok.accepted.map((c) => c.id)).toEqual(['scale-3x0', 'launch-2']);
    // 1 → 5 nodes adds 0.8 USD/h (1.2 total): dropped
    const over = validateCommands([scale(5, 0)], snap([group()]), new Map(), limits, 0);
    expect(over.accepted).toEqual([]);
    expect(over.decisions[0]).toMatchObject({ kind: 'safety', chosen: 'drop scale-5x0' });
  });

  it('always lets a cache shrink, and counts a pending modification at its larger shape', () => {
    const pendingBig = group({ shards: 1, pending: { shards: 4, replicasPerShard: 0, readyAtSec: 600 } });
    // held: 0.2 (instances) + 4 nodes × 0.2 = 1.0 USD/h: any launch is over, a shrink is fine
    const out = validateCommands([launch(1), scale(1, 0)], snap([pendingBig]), new Map([[od.id, od]]), limits, 0);
    expect(out.accepted.map((c) => c.id)).toEqual(['scale-1x0']);
  });
});
