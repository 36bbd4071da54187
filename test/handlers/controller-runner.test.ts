import 'aws-sdk-client-mock-vitest/extend';
import { CreateFleetCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import type { ApplyResult, CapacitySnapshot, Command, Ec2Pool, Offering } from '../../src/core/model/index.js';
import { createControllerRunner, METRIC, type TickMetricsSink } from '../../src/handlers/controller-runner.js';
import { parseDeploymentConfig } from '../../src/handlers/deployment-config.js';
import { SafetyGuardProvider } from '../../src/handlers/safety-guard.js';
import { SimEventSource, SimMetricsSource } from '../../src/sim/sources.js';
import type { CloudProvider } from '../../src/ports/index.js';
import { makeAwsProvider } from '../adapters/aws/provider-fixture.js';
import { AwsThrottledError } from '../../src/adapters/aws/errors.js';
import { deploymentInput, START_SEC } from './sim-harness.js';
import { simWorld } from './sim-world.js';
import { readSavedTickMemory } from '../../src/app/tick/state.js';
import { decodeValue, restoreTickMemory } from '../../src/core/tick/memory-codec.js';

function recordingSink(): TickMetricsSink & { rows: Array<{ name: string; value: number; dims?: Record<string, string> }> } {
  const rows: Array<{ name: string; value: number; dims?: Record<string, string> }> = [];
  return { rows, add: (name, _unit, value, dims) => { rows.push({ name, value, ...(dims ? { dims: { ...dims } } : {}) }); } };
}

describe('controller runner', () => {
  it('in dry-run mode sends the planned launches to EC2 with DryRun and launches nothing', async () => {
    const config = parseDeploymentConfig(deploymentInput('dry-run'));
    const world = simWorld(config);
    const { fake, provider } = makeAwsProvider({ dryRun: true }, config.controller.pools[0] as Ec2Pool);
    const sink = recordingSink();
    const runner = createControllerRunner({
      config: config.controller, metrics: new SimMetricsSource(world), events: new SimEventSource(world), cloud: provider,
      store: new SqliteStateStore(':memory:'), sink, providerDryRun: true, tickOptions: { historySec: 2 * 86_400 },
    });
    world.advanceTo(START_SEC);
    const summary = await runner.runTick(START_SEC + 7);
    expect(summary).toMatchObject({ tickSec: START_SEC, mode: 'dry-run', status: 'completed' });
    expect(summary.commands).toBeGreaterThan(0);
    expect(fake.mock).toHaveReceivedCommandWith(CreateFleetCommand, { DryRun: true });
    expect(fake.instances.size).toBe(0);
    expect(sink.rows.find((r) => r.name === METRIC.plannedUnits)?.dims).toEqual({ pool: 'web' });
  });

  it('backs the tick off when AWS throttles a read, instead of failing the invocation', async () => {
    const config = parseDeploymentConfig(deploymentInput('active'));
    const world = simWorld(config);
    const throttled: CloudProvider = {
      describeCapacity: async () => { throw new AwsThrottledError('ec2:DescribeInstances', 60); },
      offerings: (p) => world.cloud.offerings(p),
      apply: (c) => world.cloud.apply(c),
    };
    const sink = recordingSink();
    const runner = createControllerRunner({
      config: config.controller, metrics: new SimMetricsSource(world), events: new SimEventSource(world), cloud: throttled,
      store: new SqliteStateStore(':memory:'), sink, tickOptions: { historySec: 2 * 86_400 },
    });
    world.advanceTo(START_SEC);
    expect(await runner.runTick(START_SEC)).toMatchObject({ status: 'backed-off' });
    expect(sink.rows).toEqual([{ name: METRIC.throttled, value: 1 }]);
  });

  it('runs the tick the backtest measures: calibrated quantiles and incremental forecasts, kept in its saved memory', async () => {
    const config = parseDeploymentConfig(deploymentInput('active'));
    const world = simWorld(config);
    const store = new SqliteStateStore(':memory:');
    const runner = createControllerRunner({
      config: config.controller, metrics: new SimMetricsSource(world), events: new SimEventSource(world), cloud: world.cloud,
      store, sink: recordingSink(), tickOptions: { historySec: 2 * 86_400 },
    });
    for (const t of [START_SEC, START_SEC + 60]) {
      world.advanceTo(t);
      expect(await runner.runTick(t)).toMatchObject({ status: 'completed' });
    }
    const saved = await readSavedTickMemory(store);
    const json = JSON.parse(saved!.text) as { memory: unknown };
    const parts = decodeValue(json.memory) as { calibrators?: unknown; forecasts: { states: Map<string, unknown> } };
    // the calibrators exist only with recalibrate; fitted states only in incremental mode
    expect(parts.calibrators).toBeDefined();
    expect(parts.forecasts.states.size).toBeGreaterThan(0);
    const state = { lastTickSec: saved!.throughSec, plannerMemory: {} };
    expect(restoreTickMemory(json, { workflows: config.controller.workflows, recalibrate: true, state }).ok).toBe(true);
    expect(restoreTickMemory(json, { workflows: config.controller.workflows, recalibrate: false, state })).toMatchObject({ ok: false, reason: expect.stringContaining('with recalibration') });
  });
});

describe('SafetyGuardProvider', () => {
  const offering: Offering = {
    id: 'm5.large/on-demand/us-east-1a', instanceType: 'm5.large', family: 'm5', market: 'on-demand', az: 'us-east-1a', vcpu: 2, memoryGiB: 8,
    arch: 'x86_64', capacityUnits: 2, priceUsdPerHour: 0.096, interruptionHazardPerHour: 0, launchLeadTimeSec: 60, available: true,
  };
  const launch = (id: string, count: number): Command => ({ kind: 'launch', id, poolId: 'web', reason: 't', offeringId: offering.id, count, needAtSec: 0, expectedCostUsdPerHour: 0 });
  function inner(): CloudProvider & { applied: string[] } {
    const applied: string[] = [];
    const snap: CapacitySnapshot = { atSec: 0, instances: [], caches: [] };
    return {
      applied,
      describeCapacity: async () => snap,
      offerings: async () => [offering],
      apply: async (c): Promise<ApplyResult> => { applied.push(c.id); return { commandId: c.id, status: 'applied', instanceIds: c.kind === 'launch' ? Array.from({ length: c.count }, (_, i) => `${c.id}-${i}`) : [] }; },
    };
  }

  it('refuses the command that would breach a limit and every later command of the tick', async () => {
    const cloud = inner();
    const guard = new SafetyGuardProvider(cloud, { maxInstances: 3, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 100 });
    await guard.offerings({} as Ec2Pool);
    await guard.describeCapacity();
    expect((await guard.apply(launch('a', 2))).status).toBe('applied');
    const refused = await guard.apply(launch('b', 2));
    expect(refused.error).toEqual({ code: 'limit-exceeded', message: 'safety stop: would hold 4 instances > maxInstances 3' });
    expect((await guard.apply(launch('c', 1))).error?.code).toBe('limit-exceeded');
    expect(cloud.applied).toEqual(['a']);
    expect(guard.breach).toMatch(/maxInstances/);
  });

  it('counts spend per hour and units changed per tick', async () => {
    const spend = new SafetyGuardProvider(inner(), { maxInstances: 100, maxSpendUsdPerHour: 0.2, maxChangeUnitsPerTick: 100 });
    await spend.offerings({} as Ec2Pool);
    await spend.describeCapacity();
    expect((await spend.apply(launch('a', 3))).error?.message).toMatch(/0\.29 USD\/h > maxSpendUsdPerHour 0\.2/);
    const change = new SafetyGuardProvider(inner(), { maxInstances: 100, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 4 });
    await change.offerings({} as Ec2Pool);
    expect((await change.apply(launch('a', 2))).status).toBe('applied');
    expect((await change.apply(launch('b', 1))).error?.message).toMatch(/would change 6 units > maxChangeUnitsPerTick 4/);
  });

  it('counts Auto Scaling launches (no instance ids, launchedCount) against maxInstances, spend and change', async () => {
    const asgCloud: CloudProvider = {
      describeCapacity: async () => ({ atSec: 0, instances: [], caches: [] }),
      offerings: async () => [offering],
      apply: async (c): Promise<ApplyResult> => ({ commandId: c.id, status: 'applied', instanceIds: [], launchedCount: c.kind === 'launch' ? c.count : 0 }),
    };
    const count = new SafetyGuardProvider(asgCloud, { maxInstances: 4, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 100 });
    await count.offerings({} as Ec2Pool);
    await count.describeCapacity();
    expect((await count.apply(launch('a', 3))).status).toBe('applied');
    expect((await count.apply(launch('b', 2))).error?.message).toMatch(/5 instances > maxInstances 4/);
    const spend = new SafetyGuardProvider(asgCloud, { maxInstances: 100, maxSpendUsdPerHour: 0.3, maxChangeUnitsPerTick: 100 });
    await spend.offerings({} as Ec2Pool);
    expect((await spend.apply(launch('a', 2))).status).toBe('applied');
    expect((await spend.apply(launch('b', 2))).error?.message).toMatch(/maxSpendUsdPerHour/);
    const change = new SafetyGuardProvider(asgCloud, { maxInstances: 100, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 4 });
    await change.offerings({} as Ec2Pool);
    expect((await change.apply(launch('a', 2))).status).toBe('applied');
    expect((await change.apply(launch('b', 1))).error?.message).toMatch(/maxChangeUnitsPerTick/);
  });

  it('counts the cache groups in the spend, and refuses a cache growth over maxSpendUsdPerHour (core/plan/limits.ts)', async () => {
    const cache: CapacitySnapshot['caches'][number] = { poolId: 'state', replicationGroupId: 'g', nodeType: 'cache.t4g.medium', shards: 1, replicasPerShard: 0, priceUsdPerNodeHour: 0.1 };
    const withCache: CloudProvider = { ...inner(), describeCapacity: async () => ({ atSec: 0, instances: [], caches: [cache] }) };
    const guard = new SafetyGuardProvider(withCache, { maxInstances: 100, maxSpendUsdPerHour: 0.25, maxChangeUnitsPerTick: 100 });
    await guard.offerings({} as Ec2Pool);
    await guard.describeCapacity();
    // 0.1 USD/h of cache + 2 × 0.096 = 0.292 > 0.25 (the cache counts)
    expect((await guard.apply(launch('a', 2))).error?.message).toMatch(/would spend 0\.29 USD\/h > maxSpendUsdPerHour 0\.25/);
    const grow = new SafetyGuardProvider(withCache, { maxInstances: 100, maxSpendUsdPerHour: 0.25, maxChangeUnitsPerTick: 100 });
    await grow.describeCapacity();
    const scale = (shards: number): Command => ({ kind: 'scale-cache', id: `s${shards}`, poolId: 'state', reason: 't', shards, replicasPerShard: 0 });
    expect((await grow.apply(scale(2))).status).toBe('applied');
    expect((await grow.apply(scale(3))).error?.message).toMatch(/would spend 0\.30 USD\/h > maxSpendUsdPerHour 0\.25/);
  });

  it('keeps counting this tick\'s launches after a re-describe that does not list them yet (eventual consistency)', async () => {
    const cloud = inner();
    const guard = new SafetyGuardProvider(cloud, { maxInstances: 3, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 100 });
    await guard.offerings({} as Ec2Pool);
    await guard.describeCapacity();
    expect((await guard.apply(launch('a', 2))).status).toBe('applied');
    await guard.describeCapacity(); // EC2 does not list a or its instances yet
    expect((await guard.apply(launch('b', 2))).error?.message).toMatch(/4 instances > maxInstances 3/);
  });
});
