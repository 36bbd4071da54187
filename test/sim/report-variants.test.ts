/**
 * The report's composer and prefetch parts: variant choices and switches, cost attribution per
 * principal and workflow, and the prefetch table ("no prefetch" for policies without it).
 */
import { describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown, type PolicyRawResult } from '../../src/app/report/index.js';

const raw = (policy: string, over: Partial<PolicyRawResult> = {}): PolicyRawResult => ({
  policy, spotUsd: 1, onDemandUsd: 0, cacheUsd: 0, waitSec: [], makespanSec: [], unmetDemandUnitSec: 0, idleUnitSec: 0,
  spotInterruptions: 0, tasksRequeued: 0, tasksSubmitted: 0, tasksCompleted: 0, chainsSubmitted: 0, chainsCompleted: 0, launches: 0, terminations: 0,
  forecastError: null, nextStep: null, prefetch: null, variants: null, decisionCounts: {}, endSec: 0, ...over,
});
const scenario = { name: 'x', seed: 1, startSec: 0, endSec: 60, days: 1, tickSec: 60, pools: [], series: [], workflows: [], sources: [] };

describe('report: variants, attribution and prefetch', () => {
  const report = buildReport(scenario, [
    raw('reactive', {
      variants: { choices: { 'etl/spot-batch': 3, 'etl/on-demand': 1 }, switches: 1, switchReasons: { 'spot-interruption': 1 }, switchPaths: { 'etl/spot-batch->on-demand': 1 }, fallbacks: 0, chainsDenied: 2, tasksCancelled: 3 },
      chainCosts: [
        { principal: 't2', workflow: 'etl', costUsd: 0.123456 },
        { principal: 't1', workflow: 'etl', costUsd: 0.2 },
        { principal: 't1', workflow: 'report', costUsd: 0.05 },
      ],
    }),
    raw('prescale', { prefetch: { preparations: 5, hits: 3, aborted: 1, expired: 1, evicted: 0, setupSecSaved: 120.456, wastedCpuSec: 40, wastedUsd: 0.000712345, wastedMemoryGiBSec: 900 } }),
  ], []);

  it('sorts variant choices and reasons and keeps the switch details', () => {
    const v = report.policies[0].variants!;
    expect(Object.keys(v.choices)).toEqual(['etl/on-demand', 'etl/spot-batch']);
    expect(v).toMatchObject({ switches: 1, switchReasons: { 'spot-interruption': 1 }, chainsDenied: 2, tasksCancelled: 3 });
  });

  it('attributes chains and cost per principal and per workflow, rounded to 4 decimals', () => {
    expect(report.policies[0].attribution).toEqual({
      byPrincipal: { t1: { chains: 2, costUsd: 0.25 }, t2: { chains: 1, costUsd: 0.1235 } },
      byWorkflow: { etl: { chains: 2, costUsd: 0.3235 }, report: { chains: 1, costUsd: 0.05 } },
    });
    expect(report.policies[1].attribution).toBeUndefined();
  });

  it('writes the prefetch, variants and attribution tables into report.md', () => {
    expect(report.policies[1].prefetch).toEqual({ preparations: 5, hits: 3, setupSecSaved: 120.46, wastedCpuSec: 40, wastedUsd: 0.0007, aborted: 1, expired: 1, evicted: 0, wastedMemoryGiBSec: 900 });
    const md = reportMarkdown(report);
    expect(md).toContain('| reactive | no prefetch |');
    expect(md).toContain('| prescale | 5 | 3 | 1 | 1 | 0 | 120 | 40 | $0.0007 |');
    expect(md).toContain('| reactive | etl/on-demand 1, etl/spot-batch 3 | 1 | spot-interruption 1 | etl/spot-batch->on-demand 1 | 0 | 2 |');
    expect(md).toContain('| prescale | not composed |');
    expect(md).toContain('| reactive | principal | t1 | 2 | $0.2500 |');
  });
});
