import { describe, expect, it } from 'vitest';
import { arrivalHeadroomByPool, arrivalHeadroomUnits, rootDemandOn, type ArrivalHeadroomInput } from '../../../src/core/plan/arrival-headroom.js';
import { emptyBehaviourState, observeArrivals, ARRIVAL_DEDUPE_SEC } from '../../../src/core/predict/behaviour-model.js';
import { poissonQuantile } from '../../../src/core/predict/arrival-rate.js';
import { WorkflowSchema, type ExecutionEvent, type Workflow } from '../../../src/core/model/index.js';
import { testOfferings, testPool } from '../../fakes/offerings.js';

const wf: Workflow = WorkflowSchema.parse({
  name: 'etl',
  variants: [
    { name: 'spot', defaultPool: 'batch', tasks: [
      { task_id: 'a', executable_code_location: 'x', resource_requirements: { vcpu: 2, memoryGiB: 4 }, runtime: { meanSec: 650, p50Sec: 600, p95Sec: 900 } },
      { task_id: 'b', executable_code_location: 'x', resource_requirements: { vcpu: 2, memoryGiB: 2 } },
      { task_id: 'c', executable_code_location: 'x', dependencies: ['a', 'b'], resource_requirements: { vcpu: 8, memoryGiB: 4 } },
    ] },
    { name: 'od', defaultPool: 'batch-od', tasks: [{ task_id: 'a', executable_code_location: 'x', resource_requirements: { vcpu: 4, memoryGiB: 4 } }] },
  ],
});

const base = (over: Partial<ArrivalHeadroomInput> = {}): ArrivalHeadroomInput => ({
  nowSec: 0, slotSec: 60, slots: 3, levels: [0.5, 0.9], leadTimeSec: 180, unitUsdPerHour: 0.01, waitValueUsdPerUnitHour: 0.04,
  roots: [{ key: { principal: 'p', workflow: 'etl' }, units: 4, runtimeSec: 600 }], expectedArrivals: () => 3, ...over,
});

describe('arrival headroom', () => {
  it('holds the root units × the arrivals\' quantile at the critical ratio, capped at the upper quantile', () => {
    // q* = 1 − (4 × 0.01 × 180) / ((4 × 0.04) × 180) = 0.75 < 0.9: the p90 level holds the 0.75 quantile
    const h = arrivalHeadroomUnits(base());
    expect(h.criticalLevels['p/etl']).toBeCloseTo(0.75, 12);
    expect(h.unitsByLevel['0.9']).toEqual([1, 2, 3].map(() => 4 * poissonQuantile(3, 0.75)));
    expect(h.unitsByLevel['0.5']).toEqual([1, 2, 3].map(() => 4 * poissonQuantile(3, 0.5)));
    expect(h.nowUnits).toBe(4 * poissonQuantile(3, 0.75));
    // cheap capacity and a latency value push the level to the cap
    const capped = arrivalHeadroomUnits(base({ unitUsdPerHour: 0.001, latencyValueUsdPerHour: 10 }));
    expect(capped.unitsByLevel['0.9'][0]).toBe(4 * poissonQuantile(3, 0.9));
  });

  it('holds nothing when the wait it saves is worth less than the capacity it costs', () => {
    // capacity as dear as the wait it saves, held over the whole lead time: q* = 0
    const h = arrivalHeadroomUnits(base({ unitUsdPerHour: 0.04 }));
    expect(h.criticalLevels['p/etl']).toBeCloseTo(0, 12);
    expect(h.nowUnits).toBe(0);
    // a sparse workflow (0.2 chains per lead time) under q* = 0.75 < e^−0.2: nothing either
    expect(arrivalHeadroomUnits(base({ expectedArrivals: () => 0.2 })).nowUnits).toBe(0);
  });

  it('holds more where the model predicts more arrivals, slot by slot', () => {
    const h = arrivalHeadroomUnits(base({ expectedArrivals: (_k, from) => (from >= 120 ? 10 : 0) }));
    expect(h.unitsByLevel['0.9'][0]).toBe(0);
    expect(h.unitsByLevel['0.9'][2]).toBe(4 * poissonQuantile(10, 0.75));
  });

  it('rejects a non-positive lead time', () => {
    expect(() => arrivalHeadroomUnits(base({ leadTimeSec: 0 }))).toThrow(/leadTimeSec 0/);
  });

  it('counts the root steps on each pool, split over the variants', () => {
    expect(rootDemandOn('batch', { principal: 'p', workflow: 'etl' }, wf, { spot: 1 })).toEqual({ key: { principal: 'p', workflow: 'etl' }, units: 4, runtimeSec: 600 });
    expect(rootDemandOn('batch-od', { principal: 'p', workflow: 'etl' }, wf, { spot: 0.5, od: 0.5 })?.units).toBe(2);
    expect(rootDemandOn('web', { principal: 'p', workflow: 'etl' }, wf, { spot: 1 })).toBeUndefined();
  });
});

describe('the behaviour model learned from execution events', () => {
  const submitted = (chainId: string, taskId: string, atSec: number, principal = 'alice', variant = 'spot'): ExecutionEvent => ({ chainId, workflow: 'etl', variant, taskId, taskType: taskId, kind: 'submitted', atSec, principal });
  const isRoot = (_w: string, v: string | undefined, t: string): boolean => (v === 'od' ? t === 'a' : t === 'a' || t === 'b');

  it('counts a chain once, at its root steps\' submission, per principal, with its variant', () => {
    const s = emptyBehaviourState();
    const n = observeArrivals(s, [submitted('c1', 'a', 100), submitted('c1', 'b', 100), submitted('c1', 'c', 100), submitted('c2', 'a', 90, 'bob', 'od')], isRoot, 100);
    expect(n).toBe(2);
    expect(observeArrivals(s, [submitted('c1', 'a', 100)], isRoot, 200)).toBe(0);
    expect(Object.values(s.arrivals.keys).map((k) => [k.key.principal, k.total])).toEqual([['bob', 1], ['alice', 1]]);
    expect(s.variants).toEqual({ 'alice\u0000etl': { spot: 1 }, 'bob\u0000etl': { od: 1 } });
    // the state is plain data: a JSON round trip keeps it
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    // chain ids are forgotten after the dedupe window
    observeArrivals(s, [], isRoot, 100 + ARRIVAL_DEDUPE_SEC + 1);
    expect(s.arrived).toEqual({});
  });

  it('feeds the planner\'s headroom for a periodic workflow from its own variant split', () => {
    const s = emptyBehaviourState();
    // one chain every 60 s for a day: about 3 per 180 s lead time
    const events: ExecutionEvent[] = [];
    for (let t = 0; t < 86_400; t += 60) events.push(submitted(`c${t}`, 'a', t), submitted(`c${t}`, 'b', t));
    observeArrivals(s, events, isRoot, 86_400);
    const pool = testPool();
    const offers = testOfferings();
    const out = arrivalHeadroomByPool({ nowSec: 86_400, slotSec: 60, slots: 4, levels: [0.5, 0.9], pools: [pool], offeringsByPool: new Map([[pool.id, offers]]), workflows: [{ ...wf, variants: wf.variants.map((v) => ({ ...v, defaultPool: pool.id })) }], behaviour: s });
    const h = out.get(pool.id)!;
    expect(h.nowUnits).toBeGreaterThan(0);
    expect(h.unitsByLevel['0.9'][3]).toBeGreaterThanOrEqual(h.unitsByLevel['0.5'][3]);
  });
});
