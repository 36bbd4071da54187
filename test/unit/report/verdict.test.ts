/**
 * The verdict report.html and report.md open with: one sentence per FinOps question, four cards, and
 * the settings to deploy per pool, generic over the list of policies.
 */
import { describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown, type PolicyRawResult } from '../../../src/app/report/index.js';
import { buildVerdict, configJson, usd } from '../../../src/app/report/verdict.js';

const DAY = 86_400;

function raw(policy: string, o: { spot: number; od: number; cache?: number; waits: number[]; unmet: number; interruptions?: number; requeued?: number; mix?: Array<[string, 'spot' | 'on-demand', number]> }): PolicyRawResult {
  return {
    policy, spotUsd: o.spot, onDemandUsd: o.od, cacheUsd: o.cache ?? 0, waitSec: o.waits, makespanSec: [100], idleUnitSec: 0,
    unmetDemandUnitSec: o.unmet, spotInterruptions: o.interruptions ?? 0, tasksRequeued: o.requeued ?? 0, tasksSubmitted: 10, tasksCompleted: 10,
    chainsSubmitted: 5, chainsCompleted: 5, launches: 3, terminations: 2, forecastError: null, nextStep: null, prefetch: null, variants: null, decisionCounts: {},
    pools: [{ poolId: 'web', ec2Usd: o.spot + o.od, demandUnitTicks: 10 * 100, readyUnitTicks: 12 * 100, ticks: 100, idleUnitSec: 0, unmetUnitSec: o.unmet }],
    instanceMix: (o.mix ?? [['m6i.large', 'on-demand', 3600]]).map(([instanceType, market, unitSec]) => ({ poolId: 'web', instanceType, market, unitSec })),
    endSec: 2 * DAY,
  };
}

const scenario = {
  name: 't', seed: 1, startSec: 0, endSec: 2 * DAY, days: 2, tickSec: 60, pools: ['web'], series: ['s'], workflows: [], sources: ['x'],
  settings: [{ name: 'metric per vCPU (every series)', value: '500', source: '--metric-per-vcpu' }],
  config: { pools: [{ kind: 'ec2', id: 'web', minUnits: 4, maxUnits: 64, onDemandFloorShare: 0.2, markets: ['spot', 'on-demand'], instanceRequirements: { vcpuMin: 2, vcpuMax: 8 } }], demandSignals: [{ seriesId: 's', poolId: 'web', metricPerUnit: 500 }] },
};

function report(extra: PolicyRawResult[] = [], baseline?: string) {
  return buildReport({ ...scenario, ...(baseline ? { baseline } : {}) }, [
    raw('reactive', { spot: 10, od: 30, waits: [0, 60, 120], unmet: 7200, interruptions: 1 }),
    ...extra,
    raw('prescale', { spot: 20, od: 10, cache: 2, waits: [0, 0, 30], unmet: 3600, interruptions: 3, requeued: 4, mix: [['c7g.large', 'spot', 7200], ['m6i.large', 'on-demand', 3600]] }),
    raw('oracle', { spot: 15, od: 10, waits: [0], unmet: 0 }),
  ], ['a']);
}

describe('buildVerdict', () => {
  it('answers cost per month against the current policy, waiting, unmet demand, mix and spot risk, in that order', () => {
    const v = buildVerdict(report());
    expect(v.baseline).toBe('reactive');
    expect(v.sentences.map((s) => s.id)).toEqual(['cost', 'wait', 'unmet', 'mix', 'spot']);
    // prescale 32 USD over 2 days vs reactive 40: per month 16 × 30.4375 = 487 vs 608.75
    expect(v.sentences[0].text).toBe('prescale would cost $487.00 a month, 20.0% less than your current policy (replayed as reactive) at $608.75: $121.75 saved a month.');
    expect(v.sentences[1].text).toMatch(/wait 30 s at the 95th percentile .* against 2\.0 min with reactive: 1\.5 min less waiting/);
    expect(v.sentences[2].text).toMatch(/^Demand left unserved: 1 vCPU-hour .* against 2 vCPU-hours with reactive and 0 vCPU-hours with the oracle\.$/);
    expect(v.sentences[3].text).toMatch(/67% of its capacity on spot and 33% on on-demand; by pool, web: c7g\.large spot 67%, m6i\.large on-demand 33%/);
    expect(v.sentences[4].text).toBe('Spot risk: 3 spot interruptions survived (reactive: 1): 4 running steps re-run elsewhere, every one of 5 chains completed.');
    expect(v.cards.map((c) => [c.id, c.value, c.better])).toEqual([['cost', '$487.00', true], ['wait', '30 s', true], ['unmet', '1 vCPU-hour', true], ['spot', '67%', null]]);
  });

  it('says when prescale costs more', () => {
    const r = buildReport(scenario, [raw('reactive', { spot: 5, od: 5, waits: [0], unmet: 0 }), raw('prescale', { spot: 10, od: 10, waits: [0], unmet: 0 })], []);
    expect(buildVerdict(r).sentences[0].text).toMatch(/100\.0% more than your current policy .*: \$152\.19 more a month\.$/);
  });

  it('compares with the scenario\'s baseline, and renders a policy it has never heard of', () => {
    const v = buildVerdict(report([raw('karpenter', { spot: 12, od: 12, waits: [0, 10], unmet: 100 })], 'karpenter'));
    expect(v.baseline).toBe('karpenter');
    expect(v.sentences[0].text).toMatch(/replayed as karpenter/);
    const md = reportMarkdown(report([raw('karpenter', { spot: 12, od: 12, waits: [0, 10], unmet: 100 })]));
    expect(md).toMatch(/\| karpenter \| \$24\.00 \|/);
  });

  it('recommends each pool in the CDK config\'s keys, in the example config\'s order', () => {
    const v = buildVerdict(report());
    expect(v.recommendations).toHaveLength(1);
    const parsed = JSON.parse(configJson(v.recommendations[0]));
    expect(Object.keys(parsed.pools[0])).toEqual(['kind', 'id', 'instanceRequirements', 'markets', 'minUnits', 'maxUnits', 'onDemandFloorShare']);
    expect(parsed.demandSignals).toEqual([{ seriesId: 's', poolId: 'web', metricPerUnit: 500 }]);
    expect(configJson(v.recommendations[0])).toContain('"markets": ["spot", "on-demand"]');
  });
});

describe('report.md and report.html share one cost breakdown', () => {
  it('lists spot / on-demand / cache in report.md and mentions no column that does not exist', () => {
    const md = reportMarkdown(report());
    expect(md).toMatch(/\| prescale \| \$32\.00 \| \$20\.00 \/ \$10\.00 \/ \$2\.00 \|/);
    expect(md).not.toMatch(/cache column/);
    expect(md.indexOf('## Verdict')).toBeLessThan(md.indexOf('## Comparison'));
  });
});

describe('usd', () => {
  it('never rounds a non-zero amount to $0.00', () => {
    expect(usd(0.0042)).toBe('$0.0042');
    expect(usd(0.5)).toBe('$0.5');
    expect(usd(1234.5)).toBe('$1,234.50');
    expect(usd(0)).toBe('$0.00');
  });
});

describe('the scaling line at the top of report.html', () => {
  it('names the scaling and its source, and warns when it is the default rather than the user\'s', async () => {
    const { scalingLine } = await import('../../../src/app/report/html/verdict-parts.js');
    const mine = scalingLine(report());
    expect(mine).toMatch(/metric per vCPU \(every series\) = <strong>500<\/strong>, from --metric-per-vcpu/);
    expect(mine).not.toMatch(/not your fleet/);
    const defaulted = buildReport({ ...scenario, settings: [{ name: 'metric per vCPU (s)', value: '12.5', source: "default: the series' p95 / 8, so its p95 needs 8 vCPU (set --metric-per-vcpu for your fleet's scale)" }] }, [raw('prescale', { spot: 1, od: 1, waits: [0], unmet: 0 })], []);
    expect(scalingLine(defaulted)).toMatch(/not your fleet's scale: pass --metric-per-vcpu or --policies-json/);
  });
});
