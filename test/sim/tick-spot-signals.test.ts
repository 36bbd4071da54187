/**
 * The tick's reaction to spot signals (core/tick/spot.ts): a notice on a running spot instance is
 * answered in the same tick by a replacement in another offering, the next tick does not replace it
 * again, units running a critical step are replaced on on-demand, and the signalled offering stays
 * out of the plans across a restart (tick state in the StateStore).
 */
import { describe, expect, it } from 'vitest';
import { ControllerConfigSchema, type CloudEvent, type Command, type ExecutionEvent, type Instance, type LaunchCommand, type MetricSeries } from '../../src/core/model/index.js';
import { createForecaster } from '../../src/core/forecast/index.js';
import { createGreedyPlanner } from '../../src/core/plan/index.js';
import { createNextStepModel } from '../../src/core/predict/index.js';
import { createControllerTick, type TickDeps, type TickState } from '../../src/app/tick.js';
import { TICK_STATE_KEY, TICK_STATE_TABLE } from '../../src/app/tick/state.js';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import type { CloudProvider } from '../../src/ports/cloud-provider.js';
import type { MetricQuery } from '../../src/ports/metrics-source.js';
import type { StateStore } from '../../src/ports/state-store.js';
import { FakeCloud } from '../fakes/fake-cloud.js';
import { testOfferings, testPool } from '../fakes/offerings.js';
import { task, workflow } from '../builders/tasks.js';
import { clockReading } from '../fakes/manual-clock.js';

const NOW = 1_767_571_200;

/** A FakeCloud whose instances can be put under an interruption notice, with a scripted event source. */
function harness() {
  const cloud = new FakeCloud(testOfferings(), NOW, 90);
  const interrupting = new Set<string>();
  const provider: CloudProvider = {
    describeCapacity: async () => {
      const s = await cloud.describeCapacity();
      return { ...s, instances: s.instances.map((i): Instance => (interrupting.has(i.id) ? { ...i, state: 'interrupting', interruptionAtSec: cloud.nowSec + 120 } : i)) };
    },
    offerings: (p) => cloud.offerings(p),
    apply: (c) => cloud.apply(c),
  };
  const cloudEvents: CloudEvent[] = [];
  const exec: ExecutionEvent[] = [];
  const level = { value: 1600 };
  const deps = (store?: StateStore): TickDeps => {
    const pool = testPool({ minSpotOfferings: 1, maxSpotSharePerOffering: 1, onDemandFloorShare: 0.5 });
    return {
      clock: clockReading(() => cloud.nowSec),
      metrics: {
        fetch: async (q: MetricQuery): Promise<MetricSeries[]> => q.seriesIds.map((id) => ({
          id, startSec: q.startSec, periodSec: q.periodSec, values: new Array(Math.floor((q.endSec - q.startSec) / q.periodSec)).fill(level.value),
        })),
      },
      events: { drainCloudEvents: async () => cloudEvents.splice(0), executionEvents: async (a, b) => exec.filter((e) => e.atSec >= a && e.atSec < b) },
      cloud: provider,
      forecaster: createForecaster('seasonal-naive'),
      nextStep: createNextStepModel('markov1'),
      planner: createGreedyPlanner({ tickSec: 60 }),
      config: ControllerConfigSchema.parse({
        mode: 'active', pools: [pool], demandSignals: [{ seriesId: 'rps', poolId: pool.id, metricPerUnit: 100 }],
        workflows: [workflow('pay', [task('charge', [], { critical: true, vcpu: 2 })])],
      }),
      ...(store ? { store } : {}),
    };
  };
  /** Runs the first tick (the fleet), lets it become ready and returns a spot instance. */
  const start = async (tick: { run: () => Promise<unknown> }): Promise<Instance> => {
    await tick.run();
    cloud.advance(120);
    const snap = await cloud.describeCapacity();
    const victim = snap.instances.find((i) => i.market === 'spot' && i.state === 'running');
    if (!victim) throw new Error('the first tick launched no spot instance');
    return victim;
  };
  const notice = (i: Instance): void => {
    interrupting.add(i.id);
    cloudEvents.push({ kind: 'spot-interruption-notice', atSec: cloud.nowSec, instanceId: i.id, offeringId: i.offeringId, actionAtSec: cloud.nowSec + 120 });
  };
  return { cloud, deps, start, notice, exec, level };
}

const launches = (cmds: readonly Command[]): LaunchCommand[] => cmds.filter((c): c is LaunchCommand => c.kind === 'launch');
const isReplacement = (c: Command): boolean => c.id.includes('/replace/');

describe('tick reaction to spot signals', () => {
  it('replaces an instance under a notice in another spot offering in the same tick, and not again on the next tick', async () => {
    const h = harness();
    const tick = createControllerTick(h.deps());
    const victim = await h.start(tick);
    h.notice(victim);
    const r = await tick.run();
    const replace = launches(r.commands).filter(isReplacement);
    expect(replace.length).toBeGreaterThan(0);
    expect(replace.reduce((s, c) => s + c.count * testOfferings().find((o) => o.id === c.offeringId)!.capacityUnits, 0)).toBeGreaterThanOrEqual(victim.capacityUnits);
    for (const c of replace) {
      expect(c.offeringId).not.toBe(victim.offeringId);
      expect(c.offeringId).toContain('/spot/');
    }
    // the planner saw the replacement as pending capacity: no second launch for the same units
    expect(launches(r.commands).filter((c) => !isReplacement(c))).toEqual([]);
    const d = r.decisions.find((x) => x.kind === 'plan' && x.chosen.startsWith('replace ahead'));
    expect(d?.chosen).toContain(victim.id);
    expect(d?.reason).toContain('interruption notice');
    expect(h.cloud.applied.filter(isReplacement).map((c) => c.id)).toEqual(replace.map((c) => c.id));

    h.cloud.advance(60);
    const next = await tick.run();
    expect(launches(next.commands)).toEqual([]);
  });

  it('replaces the units of an instance running a critical step on on-demand', async () => {
    const h = harness();
    const tick = createControllerTick(h.deps());
    const victim = await h.start(tick);
    const at = h.cloud.nowSec - 30;
    h.exec.push(
      { chainId: 'c1', workflow: 'pay', variant: 'default', taskId: 'charge', taskType: 'charge', kind: 'submitted', atSec: at },
      { chainId: 'c1', workflow: 'pay', variant: 'default', taskId: 'charge', taskType: 'charge', kind: 'started', atSec: at, instanceId: victim.id },
    );
    h.notice(victim);
    const r = await tick.run();
    const replace = launches(r.commands).filter(isReplacement);
    expect(replace.length).toBeGreaterThan(0);
    for (const c of replace) expect(c.offeringId).toContain('/on-demand/');
    expect(replace[0].reason).toContain('critical step, on-demand');
  });

  it('keeps the signalled offering out of the plans after a restart on the same state store', async () => {
    const h = harness();
    const store = new SqliteStateStore(':memory:');
    const first = createControllerTick(h.deps(store));
    const victim = await h.start(first);
    // the planner's first choice for spot is the offering the victim is on
    h.notice(victim);
    await first.run();
    const saved = await store.get<TickState>(TICK_STATE_TABLE, TICK_STATE_KEY);
    expect(saved?.value.avoidOfferings?.[victim.offeringId]).toBeGreaterThan(h.cloud.nowSec);

    // restart: a new tick on the same store, demand doubled so the planner must launch more spot
    h.cloud.advance(60);
    h.level.value = 3200;
    const restarted = createControllerTick(h.deps(store));
    const r = await restarted.run();
    const more = launches(r.commands);
    expect(more.some((c) => c.offeringId.includes('/spot/'))).toBe(true);
    expect(more.map((c) => c.offeringId)).not.toContain(victim.offeringId);
    await store.close();
  });

  it('without a signal, the same doubled demand launches in the victim offering (the control)', async () => {
    const h = harness();
    const tick = createControllerTick(h.deps());
    const victim = await h.start(tick);
    await tick.run();
    h.cloud.advance(60);
    h.level.value = 3200;
    const r = await tick.run();
    expect(launches(r.commands).map((c) => c.offeringId)).toContain(victim.offeringId);
  });
});
