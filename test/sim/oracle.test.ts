import { describe, expect, it } from 'vitest';
import type { LaunchCommand } from '../../src/core/model/index.js';
import { runBacktest } from '../../src/sim/backtest.js';
import type { Offering } from '../../src/core/model/index.js';
import { bySizeToNeed, floorOffering, lateTasks, ORACLE_STRATEGIES } from '../../src/sim/policies/oracle.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { simCloud, T0 } from './sim-cloud-setup.js';
import { parseScenario } from '../../src/sim/scenario/schema.js';
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';

describe('the oracle\'s perfect-timing cloud', () => {
  it('makes capacity ready at once but bills the lead time the launch would have needed', () => {
    const s = simCloud({ leadTime: { instant: true, billBoot: true, defaultRangeSec: [100, 100] } });
    const od = s.offerings.find((o) => o.market === 'on-demand')!;
    const launch: LaunchCommand = { kind: 'launch', id: 'l1', poolId: 'batch', reason: 'test', offeringId: od.id, count: 1, needAtSec: T0, expectedCostUsdPerHour: 0 };
    const r = s.cloud.applyNow(launch);
    expect(s.cloud.snapshot().instances.find((i) => i.id === r.instanceIds[0])!.state).toBe('running');
    s.advanceTo(T0 + 60);
    s.cloud.applyNow({ kind: 'terminate', id: 't1', poolId: 'batch', reason: 'test', instanceIds: r.instanceIds });
    const usd = s.cloud.collectCost().reduce((x, c) => x + c.onDemandUsd, 0);
    expect(usd).toBeCloseTo((od.priceUsdPerHour * 160) / 3600, 10);
  });
});

describe('the oracle policy', () => {
  it('keeps the web pool\'s on-demand floor and minimum size at every tick while serving all demand', async () => {
    const sc = defaultScenario({ days: 0.25, seed: 5 });
    const web = sc.pools.find((p) => p.id === 'web')!;
    const { report, timeline } = await runBacktest(sc, { policies: ['oracle'] });
    expect(report.policies[0].unmetDemandUnitSec).toBe(0);
    const rows = timeline.filter((r) => r.pool === 'web' && r.timestamp > sc.startSec);
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      expect(r.ready_units).toBeGreaterThanOrEqual(web.minUnits);
      expect(r.ondemand_units).toBeGreaterThanOrEqual(Math.ceil(web.onDemandFloorShare * r.demand_units - 1e-9));
      expect(r.spot_units + r.ondemand_units).toBeGreaterThanOrEqual(r.demand_units - 1e-9);
    }
  });
});

describe('the oracle\'s strategies', () => {
  it('lets queued tasks wait only when capacity freeing up starts them within the budget', () => {
    // two vCPU: one free now, one free at t=30; tasks of 1 vCPU running 20 s each
    const q = [{ vcpu: 1, runtimeSec: 20 }, { vcpu: 1, runtimeSec: 20 }, { vcpu: 1, runtimeSec: 20 }, { vcpu: 1, runtimeSec: 20 }, { vcpu: 2, runtimeSec: 5 }];
    // starts: 0, 20, 30, 40, then the 2-vCPU task at 50 (both servers free at 40 and 50)
    expect(lateTasks([0, 30], q, 0, 45)).toEqual([4]);
    expect(lateTasks([0, 30], q, 0, 60)).toEqual([]);
    expect(lateTasks([0, 30], q, 0, 0)).toEqual([1, 2, 3, 4]);
    expect(lateTasks([], q.slice(0, 1), 0, 1000)).toEqual([0]);
  });

  it('reports the cheapest strategy that serves all demand, never dearer than any single one', async () => {
    const sc = defaultScenario({ days: 0.2, seed: 4 });
    const cost = async (strategies: typeof ORACLE_STRATEGIES): Promise<number> => {
      const { report } = await runBacktest(sc, { policies: ['oracle'], oracleStrategies: strategies });
      expect(report.policies[0].unmetDemandUnitSec).toBe(0);
      return report.policies[0].cost.spotUsd + report.policies[0].cost.onDemandUsd;
    };
    const singles = [await cost([ORACLE_STRATEGIES[0]]), await cost([ORACLE_STRATEGIES[3]])];
    const both = await cost([ORACLE_STRATEGIES[0], ORACLE_STRATEGIES[3]]);
    expect(both).toBeCloseTo(Math.min(...singles), 9);
    const { oracleStrategies } = await runBacktest(sc, { policies: ['oracle'], oracleStrategies: [ORACLE_STRATEGIES[0], ORACLE_STRATEGIES[3]] });
    expect(oracleStrategies!.map((x) => x.name)).toEqual([ORACLE_STRATEGIES[0].name, ORACLE_STRATEGIES[3].name]);
    expect(Math.min(...oracleStrategies!.map((x) => x.costUsd))).toBeCloseTo(both, 3);
  });
});

describe('the oracle\'s instance sizes', () => {
  // one family, prices linear in size (as EC2's are within a family): 0.1 USD per vCPU-hour on-demand
  const off = (vcpu: number, market: Offering['market'], usdPerVcpuHour: number): Offering => ({
    id: `c7g.${vcpu}/${market}/a`, instanceType: `c7g.${vcpu}`, family: 'c7g', market, az: 'a', vcpu, memoryGiB: 2 * vcpu, arch: 'arm64', capacityUnits: vcpu,
    priceUsdPerHour: vcpu * usdPerVcpuHour, interruptionHazardPerHour: 0, launchLeadTimeSec: 60, available: true,
  });
  const od = [off(8, 'on-demand', 0.1), off(2, 'on-demand', 0.1), off(4, 'on-demand', 0.1)];

  it('meets the on-demand floor with the smallest sizes that cover it, not the largest the growth allows', () => {
    expect(floorOffering(od, 2)!.capacityUnits).toBe(2);
    expect(floorOffering(od, 1)!.capacityUnits).toBe(2);
    expect(floorOffering(od, 9)!.capacityUnits).toBe(8);
    expect(floorOffering(od, 3, (o) => o.vcpu >= 4)!.capacityUnits).toBe(4);
    expect(floorOffering([], 3)).toBeUndefined();
  });

  it('follows metric demand in the size that covers the need at the lowest price per needed unit', () => {
    const spot = [off(8, 'spot', 0.03), off(2, 'spot', 0.03), off(4, 'spot', 0.03)];
    // a need of 3 units: 2 units are fully used (0.03 per needed unit), a 4 wastes one (0.04), an 8 five
    expect(bySizeToNeed(spot, 3).map((o) => o.capacityUnits)).toEqual([2, 4, 8]);
    expect(bySizeToNeed(spot, 1.5)[0].capacityUnits).toBe(2);
    expect(bySizeToNeed(spot, 20)[0].capacityUnits).toBe(8);
    // a cheaper per-unit large size still wins when the need fills it
    expect(bySizeToNeed([off(8, 'spot', 0.02), off(2, 'spot', 0.03)], 8)[0].capacityUnits).toBe(8);
    expect(bySizeToNeed([off(8, 'spot', 0.02), off(2, 'spot', 0.03)], 2)[0].capacityUnits).toBe(2);
  });
});

describe('the oracle\'s waiting strategies on EC2 alone', () => {
  const T0 = 1_767_571_200;
  // one chain of 100 one-vCPU steps of 2 s into an empty pool of 4-vCPU on-demand instances
  const fanOut = () => parseScenario({
    name: 'fan-out', seed: 1, startSec: T0, days: 0.05, lambdaBurst: true,
    pools: [{ kind: 'ec2', id: 'batch', instanceRequirements: { vcpuMin: 4, vcpuMax: 4, allowedFamilies: ['m6i'] }, markets: ['on-demand'], availabilityZones: ['us-east-1a'] }],
    prices: DEFAULT_PRICE_TABLE.map((p) => ({ ...p })),
    workflows: [{
      name: 'w', variants: [{ name: 'v', defaultPool: 'batch', tasks: Array.from({ length: 100 }, (_, i) => (
        { task_id: `t${i}`, executable_code_location: 'x', resource_requirements: { vcpu: 1, memoryGiB: 1 }, runtime: { meanSec: 2, p50Sec: 2, p95Sec: 2, samplesSec: [2] } }
      )) }],
    }],
    arrivals: [{ atSec: T0 + 10, chainId: 'c1', workflow: 'w' }],
    leadTime: { defaultRangeSec: [90, 90] },
  });
  const run = async (strategy: (typeof ORACLE_STRATEGIES)[number]) => (await runBacktest(fanOut(), { policies: ['oracle'], oracleStrategies: [strategy] })).report.policies[0];

  it('launches one instance at a time until every queued step starts within the budget, not one per step of a fan-out', async () => {
    const waiting = ORACLE_STRATEGIES.find((s) => s.name === 'wait-1800s-release-60s-ec2')!;
    expect(waiting.lambda).toBe(false);
    const w = await run(waiting);
    // one 4-vCPU instance runs the 200 vCPU-seconds in 50 s, far inside the 1,800 s budget
    expect(w.launches).toBe(1);
    expect(w.chainsCompleted).toBe(1);
    // the zero-wait strategy on EC2 alone opens an instance per 4 steps
    const now = await run({ name: 'zero-wait-ec2', idleReleaseSec: 60, lambda: false });
    expect(now.launches).toBe(25);
    expect(w.cost.onDemandUsd).toBeLessThan(now.cost.onDemandUsd / 10);
  });

  it('keeps Lambda out of a strategy with lambda: false (the tier would take the whole fan-out)', async () => {
    const withTier = await run({ name: 'wait-tier', idleReleaseSec: 60, waitBudgetSec: 1800 });
    const ec2 = await run({ name: 'wait-ec2', idleReleaseSec: 60, waitBudgetSec: 1800, lambda: false });
    expect(ec2.launches).toBe(1);
    expect(withTier.launches).toBeLessThanOrEqual(ec2.launches);
    expect(withTier.decisionCounts?.['lambda-burst'] ?? 0).toBeGreaterThan(0);
    expect(ec2.decisionCounts?.['lambda-burst'] ?? 0).toBe(0);
  });
});
