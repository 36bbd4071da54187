import { describe, expect, it } from 'vitest';
import type { LaunchCommand } from '../../src/core/model/index.js';
import { runBacktest } from '../../src/sim/backtest.js';
import { lateTasks, ORACLE_STRATEGIES } from '../../src/sim/policies/oracle.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { simCloud, T0 } from './sim-cloud-setup.js';

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
  });
});
