import { describe, expect, it } from 'vitest';
import { buildReport, type PolicyRawResult } from '../../../src/app/report/index.js';
import { buildSummary, DAYS_PER_MONTH, formatSec, formatUsd, groupAssumptions } from '../../../src/app/report/html/index.js';

function raw(policy: string, usd: number, waits: number[]): PolicyRawResult {
  return {
    policy, spotUsd: usd / 2, onDemandUsd: usd / 2, cacheUsd: 0, waitSec: waits, makespanSec: [], unmetDemandUnitSec: 0, idleUnitSec: 0,
    spotInterruptions: 0, tasksRequeued: 0, tasksSubmitted: 0, tasksCompleted: 0, chainsSubmitted: 0, chainsCompleted: 0, launches: 0, terminations: 0,
    forecastError: null, nextStep: null, prefetch: null, variants: null, decisionCounts: {}, endSec: 0,
  };
}

const scenario = { name: 's', seed: 1, startSec: 0, endSec: 2 * 86_400, days: 2, tickSec: 60, pools: [], series: [], workflows: [], sources: [] };

describe('report summary', () => {
  it('compares prescale with each policy: cost ratio, saving per day over the covered days, and per month', () => {
    const report = buildReport(scenario, [raw('reactive', 100, [0, 50]), raw('prescale', 60, [0, 10]), raw('oracle', 40, [0])], []);
    const s = buildSummary(report);
    expect(s.focus?.policy).toBe('prescale');
    expect(s.coveredDays).toBe(2);
    expect(s.comparisons.map((c) => c.policy)).toEqual(['reactive', 'oracle']);
    const [reactive, oracle] = s.comparisons;
    expect(reactive.costRatio).toBeCloseTo(0.6, 10);
    expect(reactive.savedUsdPerDay).toBeCloseTo(20, 10);
    expect(reactive.savedUsdPerMonth).toBeCloseTo(20 * DAYS_PER_MONTH, 10);
    expect(reactive.p95WaitSec).toBe(50);
    expect(oracle.costRatio).toBeCloseTo(1.5, 10);
    expect(oracle.savedUsdPerDay).toBeCloseTo(-10, 10);
  });

  it('has no comparison when the focus policy is absent, and no ratio against a policy that cost nothing', () => {
    const report = buildReport(scenario, [raw('reactive', 0, []), raw('prescale', 10, [])], []);
    expect(buildSummary(report, 'nope')).toMatchObject({ focus: null, comparisons: [] });
    expect(buildSummary(report).comparisons[0].costRatio).toBeNull();
  });

  it('formats money and durations for people', () => {
    expect(formatUsd(1234.567)).toBe('$1,234.57');
    expect(formatUsd(-3.2)).toBe('−$3.20');
    expect(formatUsd(-0.001)).toBe('−$0.001');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatSec(0)).toBe('0 s');
    expect(formatSec(4.25)).toBe('4.3 s');
    expect(formatSec(102)).toBe('1.7 min');
    expect(formatSec(7560)).toBe('2.1 h');
  });

  it('sorts assumptions into prices, lead times, interruption hazards and the rest', () => {
    const g = groupAssumptions([
      'EC2 billing is per second.', 'Launch lead time is 60-180 s.', 'Spot interruptions arrive as a Poisson process.', 'One unit is one vCPU.',
      'On-demand prices from the 2024-04 snapshot.',
    ]);
    expect(g).toEqual({
      prices: ['EC2 billing is per second.', 'On-demand prices from the 2024-04 snapshot.'],
      leadTimes: ['Launch lead time is 60-180 s.'],
      hazards: ['Spot interruptions arrive as a Poisson process.'],
      other: ['One unit is one vCPU.'],
    });
  });
});
