/**
 * The chain service's composer inside a simulated world: arriving chains are composed per principal
 * (authorization, spend, availability), and a running chain switches variant on a spot interruption
 * notice or an overrun, with the reason recorded.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../src/sim/world.js';
import { metricDemandByPool } from '../../src/sim/demand-grid.js';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario/schema.js';
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';

const T0 = 1_767_571_200;
const req = { vcpuMin: 4, vcpuMax: 4, allowedFamilies: ['m6i'] };

function tasks(p95Sec = 100): Array<Record<string, unknown>> {
  const runtime = { meanSec: 100, p50Sec: 100, p95Sec, samplesSec: [100] };
  return [
    { task_id: 'a', executable_code_location: 'x', resource_requirements: { vcpu: 2, memoryGiB: 2 }, runtime },
    { task_id: 'b', executable_code_location: 'x', dependencies: ['a'], resource_requirements: { vcpu: 2, memoryGiB: 2 }, runtime },
  ];
}

function world(over: Partial<ScenarioInput> = {}, p95Sec = 100): World {
  const sc = parseScenario({
    name: 'compose', seed: 1, startSec: T0, days: 1,
    pools: [
      { kind: 'ec2', id: 'spot', instanceRequirements: req, markets: ['spot'], availabilityZones: ['us-east-1a'] },
      { kind: 'ec2', id: 'od', instanceRequirements: req, markets: ['on-demand'], availabilityZones: ['us-east-1a'] },
    ],
    prices: DEFAULT_PRICE_TABLE.map((p) => ({ ...p })),
    workflows: [{ name: 'w', variants: [
      { name: 'spot-batch', defaultPool: 'spot', tasks: tasks(p95Sec) },
      { name: 'on-demand', defaultPool: 'od', tasks: tasks(p95Sec) },
    ] }],
    principals: [
      { id: 'p1', kind: 'tenant', memberOf: ['tenants'] },
      { id: 'p2', kind: 'tenant', memberOf: ['tenants', 'regulated'] },
      { id: 'p3', kind: 'user' },
    ],
    policies: [
      { id: 'allow-tenants', effect: 'allow', principals: ['tenants'] },
      { id: 'no-spot-for-regulated', effect: 'deny', principals: ['regulated'], variants: ['spot-batch'] },
    ],
    arrivals: [{ atSec: T0 + 10, chainId: 'c1', workflow: 'w', principal: 'p1' }],
    leadTime: { defaultRangeSec: [0, 0] },
    ...over,
  });
  return new World(sc, metricDemandByPool(sc, 10));
}

const launch = (w: World, pool: string, market: string): void => {
  w.cloud.applyNow({ kind: 'launch', id: `l-${pool}-${w.clock.nowSec()}`, poolId: pool, offeringId: `m6i.xlarge/${market}/us-east-1a`, count: 1, needAtSec: T0, expectedCostUsdPerHour: 0, reason: 't' });
};

describe('composer in the simulated workload', () => {
  it('composes each chain for its principal: cheapest allowed variant, policy denials refuse the chain', () => {
    const w = world({ arrivals: [
      { atSec: T0 + 10, chainId: 'c1', workflow: 'w', principal: 'p1' },
      { atSec: T0 + 20, chainId: 'c2', workflow: 'w', principal: 'p2' },
      { atSec: T0 + 30, chainId: 'c3', workflow: 'w', principal: 'p3' },
    ] });
    w.advanceTo(T0 + 60);
    expect(w.workload.chains.get('c1')!.variant).toBe('spot-batch');
    expect(w.workload.chains.get('c2')!.variant).toBe('on-demand');
    expect(w.workload.chains.has('c3')).toBe(false);
    expect(w.workload.stats.chainsDenied).toBe(1);
    expect(w.workload.notes.find((n) => n.kind === 'chain-denied')!.detail).toContain('c3');
    expect(Object.fromEntries(w.composer!.choices)).toEqual({ 'w/on-demand': 1, 'w/spot-batch': 1 });
    expect(w.composer!.decisionCounts.get('compose')).toBe(3);
  });

  it('refuses a chain whose principal is over its spend cap', () => {
    const w = world({ policies: [{ id: 'tiny-cap', effect: 'allow', principals: ['tenants'], spendCapUsdPerHour: 0 }] });
    w.advanceTo(T0 + 60);
    expect(w.workload.stats.chainsDenied).toBe(1);
    expect(w.workload.notes[0].detail).toMatch(/spend cap/);
  });

  it('switches the remaining steps to the on-demand variant when the spot instance running a step gets an interruption notice', () => {
    const w = world();
    launch(w, 'spot', 'spot');
    w.advanceTo(T0 + 20);
    const a = w.workload.task('c1/a')!;
    expect(a.status).toBe('running');
    w.queue.push(T0 + 30, { kind: 'spot-notice', instanceId: a.instanceId! }, 0);
    w.advanceTo(T0 + 40);
    const chain = w.workload.chains.get('c1')!;
    expect(chain.variant).toBe('on-demand');
    expect(a.status).toBe('cancelled');
    expect(Object.fromEntries(w.composer!.switchReasons)).toEqual({ 'spot-interruption': 1 });
    const note = w.workload.notes.find((n) => n.kind === 'variant-switch')!;
    expect(note).toMatchObject({ timestamp: T0 + 30, pool: 'spot' });
    expect(note.detail).toMatch(/spot-batch -> on-demand: spot capacity of pool spot received an interruption notice/);
    expect(w.workload.pools.get('od')!.queue.map((t) => t.def.task_id)).toEqual(['a']);
    launch(w, 'od', 'on-demand');
    w.advanceTo(T0 + 3600);
    expect(chain.finishedAtSec).toBeDefined();
    expect(w.workload.stats).toMatchObject({ tasksCancelled: 2, tasksSubmitted: 2, tasksCompleted: 2, chainsCompleted: 1 });
    expect(chain.costUsd).toBeGreaterThan(0);
  });

  it('switches on an overrun of p95 × factor, letting the overrunning step finish where it is', () => {
    const w = world({ composer: { overrunFactor: 1.5 } }, 20);
    launch(w, 'spot', 'spot');
    w.advanceTo(T0 + 30);
    expect(w.workload.chains.get('c1')!.variant).toBe('spot-batch');
    w.advanceTo(T0 + 60);
    const chain = w.workload.chains.get('c1')!;
    expect(chain.variant).toBe('on-demand');
    expect(Object.fromEntries(w.composer!.switchReasons)).toEqual({ overrun: 1 });
    expect(w.workload.task('c1/a')!.status).toBe('running');
    launch(w, 'od', 'on-demand');
    w.advanceTo(T0 + 3600);
    expect(chain.tasks.map((t) => `${t.def.task_id}@${t.poolId}:${t.status}`)).toEqual(['a@spot:done', 'b@od:done']);
    expect(w.workload.stats.chainsCompleted).toBe(1);
  });

  it('switches queued work away from a pool whose every offering reports insufficient capacity, and composes new chains elsewhere', () => {
    const w = world({ arrivals: [
      { atSec: T0 + 10, chainId: 'c1', workflow: 'w', principal: 'p1' },
      { atSec: T0 + 200, chainId: 'c2', workflow: 'w', principal: 'p1' },
    ] });
    w.advanceTo(T0 + 60);
    expect(w.workload.chains.get('c1')!.variant).toBe('spot-batch');
    for (const o of w.offeringsByPool.get('spot')!) w.cloud.setOfferingAvailable(o.id, false);
    w.advanceTo(T0 + 120);
    expect(w.workload.chains.get('c1')!.variant).toBe('on-demand');
    expect(Object.fromEntries(w.composer!.switchReasons)).toEqual({ 'insufficient-capacity': 1 });
    expect(w.workload.pools.get('spot')!.queue).toEqual([]);
    w.advanceTo(T0 + 240);
    expect(w.workload.chains.get('c2')!.variant).toBe('on-demand');
  });

  it('keeps the arrival variant when the scenario disables the composer', () => {
    const w = world({ composer: { enabled: false } });
    w.advanceTo(T0 + 60);
    expect(w.composer).toBeUndefined();
    expect(w.workload.chains.get('c1')!.variant).toBe('spot-batch');
  });
});
