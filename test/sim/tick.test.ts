/**
 * The controller tick through its ports: a FakeCloud, fixed metrics, no workflow events, the real
 * greedy planner and seasonal-naive forecaster, and the SQLite state store for crash/resume.
 */
import { describe, expect, it } from 'vitest';
import { ControllerConfigSchema, type Command, type MetricSeries } from '../../src/core/model/index.js';
import { createForecaster } from '../../src/core/forecast/index.js';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import { createNextStepModel } from '../../src/core/predict/index.js';
import { createControllerTick, type TickDeps } from '../../src/app/tick.js';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import type { MetricsSource, MetricQuery } from '../../src/ports/metrics-source.js';
import type { EventSource } from '../../src/ports/event-source.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';
import { FakeCloud } from '../fakes/fake-cloud.js';
import { testOfferings, testPool } from '../fakes/offerings.js';
import { clockReading } from '../fakes/manual-clock.js';

const NOW = 1_767_571_200;

/** A metric steady at `value` (units × 100 with metricPerUnit 100). */
const steady = (value: number): MetricsSource => ({
  async fetch(q: MetricQuery): Promise<MetricSeries[]> {
    const n = Math.floor((q.endSec - q.startSec) / q.periodSec);
    return q.seriesIds.map((id) => ({ id, startSec: q.startSec, periodSec: q.periodSec, values: new Array(n).fill(value) }));
  },
});
const noEvents: EventSource = { drainCloudEvents: async () => [], executionEvents: async () => [] };

function deps(cloud: CloudProvider, over: Partial<TickDeps> = {}, limits?: Record<string, number>): TickDeps {
  // an on-demand floor of half the demand makes the plan launch in two markets (two commands)
  const pool = testPool({ minSpotOfferings: 1, maxSpotSharePerOffering: 1, onDemandFloorShare: 0.5 });
  return {
    clock: clockReading(() => NOW),
    metrics: steady(1600),
    events: noEvents,
    cloud,
    forecaster: createForecaster('seasonal-naive'),
    nextStep: createNextStepModel('markov1'),
    planner: createGreedyPlanner({ tickSec: 60 }),
    config: ControllerConfigSchema.parse({ mode: 'active', pools: [pool], demandSignals: [{ seriesId: 'rps', poolId: pool.id, metricPerUnit: 100 }], ...(limits ? { limits } : {}) }),
    ...over,
  };
}

const unitsLaunched = (cloud: FakeCloud): number => cloud.applied.filter((c): c is Extract<Command, { kind: 'launch' }> => c.kind === 'launch')
  .reduce((s, c) => s + c.count * testOfferings().find((o) => o.id === c.offeringId)!.capacityUnits, 0);

describe('controller tick', () => {
  it('launches capacity for forecast demand and logs forecast and plan decisions', async () => {
    const cloud = new FakeCloud(testOfferings(), NOW);
    const tick = createControllerTick(deps(cloud));
    const r = await tick.run();
    expect(r.skipped).toBe(false);
    expect(unitsLaunched(cloud)).toBeGreaterThanOrEqual(16);
    expect(r.decisions.some((d) => d.kind === 'forecast')).toBe(true);
    expect(r.decisions.some((d) => d.kind === 'plan')).toBe(true);
    expect(tick.stats().decisionCounts.plan).toBe(1);
  });

  it('does nothing when run again for a tick time already completed', async () => {
    const cloud = new FakeCloud(testOfferings(), NOW);
    const store = new SqliteStateStore(':memory:');
    await createControllerTick(deps(cloud, { store })).run();
    const applied = cloud.applied.length;
    const again = await createControllerTick(deps(cloud, { store })).run();
    expect(again.skipped).toBe(true);
    expect(cloud.applied.length).toBe(applied);
    await store.close();
  });

  it('resumes a tick that crashed mid-act without applying any command twice', async () => {
    const reference = new FakeCloud(testOfferings(), NOW);
    await createControllerTick(deps(reference)).run();
    const planned = reference.applied.map((c) => c.id);
    expect(planned.length).toBeGreaterThan(1);

    const cloud = new FakeCloud(testOfferings(), NOW);
    const store = new SqliteStateStore(':memory:');
    let calls = 0;
    const crashing: CloudProvider = {
      describeCapacity: () => cloud.describeCapacity(),
      offerings: (p) => cloud.offerings(p),
      apply: async (c) => {
        if (++calls === 2) throw new Error('process killed');
        return cloud.apply(c);
      },
    };
    await expect(createControllerTick(deps(crashing, { store })).run()).rejects.toThrow('process killed');
    expect(cloud.applied.length).toBe(1);
    const resumed = await createControllerTick(deps(cloud, { store })).run();
    expect(resumed.skipped).toBe(false);
    expect(cloud.applied.map((c) => c.id).sort()).toEqual([...planned].sort());
    expect(new Set(cloud.applied.map((c) => c.id)).size).toBe(cloud.applied.length);
    await store.close();
  });

  it('plans within a binding safety limit (the planner, not validate, keeps launches under maxInstances)', async () => {
    const cloud = new FakeCloud(testOfferings(), NOW);
    const r = await createControllerTick(deps(cloud, {}, { maxInstances: 1, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 512 })).run();
    const launched = cloud.applied.filter((c) => c.kind === 'launch');
    const count = launched.reduce((s, c) => s + (c.kind === 'launch' ? c.count : 0), 0);
    expect(count).toBe(1);
    expect(r.decisions.some((d) => d.kind === 'plan' && /max instances/.test(d.reason))).toBe(true);
    expect(r.decisions.filter((d) => d.kind === 'safety' || d.kind === 'validate')).toEqual([]);
  });

  it('changes nothing in forecast-only mode', async () => {
    const cloud = new FakeCloud(testOfferings(), NOW);
    const d = deps(cloud);
    const r = await createControllerTick({ ...d, config: { ...d.config, mode: 'forecast-only' } }).run();
    expect(cloud.applied).toHaveLength(0);
    expect(r.decisions.some((x) => x.kind === 'plan')).toBe(true);
  });

  it('does not launch again on the next tick after a crash right after a launch while EC2 does not list it yet', async () => {
    const reference = new FakeCloud(testOfferings(), NOW);
    await createControllerTick(deps(reference)).run();
    const expected = unitsLaunched(reference);
    expect(expected).toBe(16);
    const launches = reference.applied.filter((c) => c.kind === 'launch').length;
    for (let crashAfter = 1; crashAfter <= launches; crashAfter++) {
      const cloud = new FakeCloud(testOfferings(), NOW);
      cloud.describeLagSec = 300;
      const store = new SqliteStateStore(':memory:');
      let calls = 0;
      const crashing: CloudProvider = {
        describeCapacity: () => cloud.describeCapacity(),
        offerings: (p) => cloud.offerings(p),
        apply: async (c) => {
          const r = await cloud.apply(c);
          if (++calls === crashAfter) throw new Error('process killed after the side effect, before the save');
          return r;
        },
      };
      await expect(createControllerTick(deps(crashing, { store })).run()).rejects.toThrow('process killed');
      // the next tick, in a new process, while DescribeInstances still lists nothing new
      cloud.advance(60);
      const next = deps(cloud, { store, clock: clockReading(() => NOW + 60) });
      const r = await createControllerTick(next).run();
      expect(r.skipped).toBe(false);
      expect(unitsLaunched(cloud), `crash after apply #${crashAfter}`).toBe(expected);
      await store.close();
    }
  });

  it('keeps an offering that failed as Unsupported, over quota or without capacity out of the next ticks for 3 minutes, across processes', async () => {
    for (const error of [
      { code: 'unsupported' as const, message: 'Unsupported: m5.large is not supported in us-east-1a' },
      { code: 'quota-exceeded' as const, message: 'VcpuLimitExceeded: You have requested more vCPU capacity than your current vCPU limit' },
      { code: 'insufficient-capacity' as const, message: 'InsufficientInstanceCapacity' },
    ]) {
      const probe = new FakeCloud(testOfferings(), NOW);
      await createControllerTick(deps(probe)).run();
      const first = probe.applied.find((c) => c.kind === 'launch')!;
      const failing = first.kind === 'launch' ? first.offeringId : '';
      const cloud = new FakeCloud(testOfferings(), NOW);
      cloud.launchFailures.set(failing, error);
      const store = new SqliteStateStore(':memory:');
      await createControllerTick(deps(cloud, { store })).run();
      const tried = (from: number) => cloud.applied.slice(from).filter((c) => c.kind === 'launch' && c.offeringId === failing).length;
      expect(tried(0), error.code).toBe(1);
      const before = cloud.applied.length;
      // later ticks, each in a new process (a Lambda cold start), while the failure would still answer
      for (const dt of [60, 120]) {
        cloud.advance(60);
        await createControllerTick(deps(cloud, { store, clock: clockReading(() => NOW + dt) })).run();
      }
      expect(tried(before), `${error.code}: not retried within 3 minutes`).toBe(0);
      const state = await store.get<{ unavailableOfferings?: Record<string, number> }>('tick', 'state');
      const scope = error.code === 'quota-exceeded' ? `*/${failing.split('/')[1]}/*` : failing;
      expect(state?.value.unavailableOfferings?.[scope]).toBe(NOW + 180);
      await store.close();
    }
  });

  it('acknowledges the drained spot events only after the tick persisted, never when it crashed before', async () => {
    let commits = 0;
    const events: EventSource = { ...noEvents, commit: async () => { commits++; } };
    const cloud = new FakeCloud(testOfferings(), NOW);
    const store = new SqliteStateStore(':memory:');
    const crashing: CloudProvider = { describeCapacity: () => cloud.describeCapacity(), offerings: (p) => cloud.offerings(p), apply: async () => { throw new Error('process killed'); } };
    await expect(createControllerTick(deps(crashing, { store, events })).run()).rejects.toThrow('process killed');
    expect(commits).toBe(0);
    await createControllerTick(deps(cloud, { store, events })).run();
    expect(commits).toBe(1);
    expect((await store.get<{ lastTickSec: number }>('tick', 'state'))?.value.lastTickSec).toBe(NOW);
    await store.close();
  });
});
