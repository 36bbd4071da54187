import { describe, expect, it } from 'vitest';
import { buildReport, percentile, poolTable, roundTo, summarise, timelineLine, type PolicyRawResult, type PoolRaw } from '../../src/app/report/index.js';

const raw = (policy: string, usd: number): PolicyRawResult => ({
  policy, spotUsd: usd, onDemandUsd: 0, cacheUsd: 0, waitSec: [], makespanSec: [], unmetDemandUnitSec: 0, idleUnitSec: 7200,
  spotInterruptions: 0, tasksRequeued: 0, tasksSubmitted: 0, tasksCompleted: 0, chainsSubmitted: 0, chainsCompleted: 0, launches: 0, terminations: 0,
  forecastError: null, nextStep: null, prefetch: null, variants: null, decisionCounts: { plan: 2, forecast: 1 }, endSec: 0,
});

describe('report builder', () => {
  it('uses nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 99)).toBe(99);
    expect(summarise([3, 1, 2])).toMatchObject({ count: 3, p50Sec: 2, maxSec: 3, meanSec: 2 });
    expect(summarise([])).toMatchObject({ count: 0, p95Sec: 0 });
  });

  it('rounds half away from zero and never writes -0', () => {
    expect(roundTo(2.5, 0)).toBe(3);
    expect(roundTo(-2.5, 0)).toBe(-3);
    expect(roundTo(0.125, 2)).toBe(0.13);
    expect(roundTo(-0.00001, 2)).toBe(0);
    expect(Object.is(roundTo(-0.00001, 2), -0)).toBe(false);
  });

  it('sets cost ratios against the oracle and sorts decision counts', () => {
    const r = buildReport({ name: 'x', seed: 1, startSec: 0, endSec: 60, days: 1, tickSec: 60, pools: [], series: [], workflows: [], sources: [] }, [raw('reactive', 3), raw('oracle', 2)], []);
    expect(r.policies[0].costRatioToOracle).toBe(1.5);
    expect(r.policies[1].costRatioToOracle).toBe(1);
    expect(Object.keys(r.policies[0].decisionCounts)).toEqual(['forecast', 'plan']);
    expect(r.policies[0].idleUnitHours).toBe(2);
  });

  it('writes timeline rows with the column order and fixed precision', () => {
    expect(timelineLine({ timestamp: 60, policy: 'p', pool: 'a,b', demand_units: 1.23456, ready_units: 2, pending_units: 0, spot_units: 2, ondemand_units: 0, cost_usd: 0.0000004 }))
      .toBe('60,p,"a,b",1.2346,2,0,2,0,0\n');
  });

  it('reports each pool\'s EC2 cost against the oracle\'s same pool, with mean demand, ready capacity and the share of ticks short', () => {
    const pool = (poolId: string, ec2Usd: number, ticks = 4): PoolRaw => ({ poolId, ec2Usd, demandUnitTicks: 10 * ticks, readyUnitTicks: 12 * ticks, ticks, idleUnitSec: 7200, unmetUnitSec: 30, shortTicks: 1 });
    const scenario = { name: 'x', seed: 1, startSec: 0, endSec: 60, days: 1, tickSec: 60, pools: ['web', 'batch'], series: [], workflows: [], sources: [] };
    const r = buildReport(scenario, [
      { ...raw('prescale', 3), pools: [pool('web', 2.4), pool('batch', 0.6)] },
      { ...raw('oracle', 2), pools: [pool('web', 2), pool('batch', 0)] },
      raw('reactive', 4),
    ], []);
    expect(r.policies[0].pools).toEqual([
      { poolId: 'web', ec2CostUsd: 2.4, costRatioToOracle: 1.2, demandAvgUnits: 10, readyAvgUnits: 12, idleUnitHours: 2, unmetDemandUnitSec: 30, metricShortShare: 0.25 },
      // the oracle spent nothing on batch: no ratio
      { poolId: 'batch', ec2CostUsd: 0.6, costRatioToOracle: null, demandAvgUnits: 10, readyAvgUnits: 12, idleUnitHours: 2, unmetDemandUnitSec: 30, metricShortShare: 0.25 },
    ]);
    expect(r.policies[2].pools).toBeUndefined();
    const md = poolTable(r);
    expect(md).toContain('| prescale | web | $2.40 | 1.20 | 10.00 | 12.00 | 2.0 | 30 | 25.00 |');
    expect(md).toContain('| prescale | batch | $0.60 | n/a |');
    expect(md).not.toContain('| reactive |');
    expect(poolTable(buildReport(scenario, [raw('reactive', 1)], []))).toBe('No per-pool figures were recorded.');
  });
});
