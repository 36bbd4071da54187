import { describe, expect, it } from 'vitest';
import { reactToSpotSignals } from '../../../src/core/plan/index.js';
import type { CloudEvent } from '../../../src/core/model/index.js';
import { instance, offering, pool } from './builders.js';

const p = pool({ maxSpotSharePerOffering: 0.5, minSpotOfferings: 2 });
const a = offering('m5.large', 'spot', 0.03);
const b = offering('c5.large', 'spot', 0.032);
const c = offering('r5.large', 'spot', 0.04);
const od = offering('m5.large', 'on-demand', 0.1);
const fleet = [instance('a-1', a), instance('a-2', a), instance('b-1', b), instance('b-2', b)];
const notice = (id: string): CloudEvent => ({ kind: 'spot-interruption-notice', atSec: 1000, instanceId: id, actionAtSec: 1120 });

describe('reactToSpotSignals', () => {
  it('replaces an instance under notice ahead, in another offering, and avoids the noticed offering', () => {
    const r = reactToSpotSignals({ nowSec: 1000, pool: p, offerings: [a, b, c, od], capacity: { atSec: 1000, instances: fleet, caches: [] }, events: [notice('a-1')] });
    // a loses one: a 2, b 4 left; the cheapest not-avoided spot with room under 50% is c (b would hold 6 of 8)
    expect(r.commands).toEqual([expect.objectContaining({ kind: 'launch', offeringId: c.id, count: 1, needAtSec: 1000, id: `p@1000/replace/${c.id}` })]);
    expect(r.commands[0].reason).toMatch(/interruption notice for a-1/);
    expect(r.avoidOfferingIds).toEqual([a.id]);
    expect(r.replacedInstanceIds).toEqual(['a-1']);
  });

  it('protects critical steps on on-demand', () => {
    const r = reactToSpotSignals({ nowSec: 1000, pool: p, offerings: [a, b, c, od], capacity: { atSec: 1000, instances: fleet, caches: [] }, events: [notice('b-1')], criticalInstanceIds: new Set(['b-1']) });
    expect(r.commands).toEqual([expect.objectContaining({ offeringId: od.id, count: 1 })]);
    expect(r.commands[0].reason).toMatch(/critical step, on-demand/);
  });

  it('shifts to on-demand when no other spot offering can take the replacement', () => {
    const r = reactToSpotSignals({ nowSec: 1000, pool: p, offerings: [a, b, od], capacity: { atSec: 1000, instances: fleet, caches: [] }, events: [notice('a-1'), { kind: 'rebalance-recommendation', atSec: 1000, instanceId: 'b-1' }] });
    expect(r.commands).toEqual([expect.objectContaining({ offeringId: od.id, count: 2 })]);
    expect(r.avoidOfferingIds).toEqual([b.id, a.id].sort());
  });

  it('also replaces instances already in the interrupting state and ignores other pools', () => {
    const other = { ...instance('x-1', a), poolId: 'other' };
    const r = reactToSpotSignals({ nowSec: 1000, pool: p, offerings: [a, b, c, od], capacity: { atSec: 1000, instances: [...fleet.slice(1), instance('a-1', a, { state: 'interrupting' }), other], caches: [] }, events: [notice('x-1')] });
    expect(r.replacedInstanceIds).toEqual(['a-1']);
  });

  it('does nothing without signals', () => {
    const r = reactToSpotSignals({ nowSec: 1000, pool: p, offerings: [a, b, c, od], capacity: { atSec: 1000, instances: fleet, caches: [] }, events: [] });
    expect(r).toEqual({ commands: [], avoidOfferingIds: [], replacedInstanceIds: [] });
  });
});
