import { describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown, type PolicyRawResult } from '../../../src/app/report/index.js';
import { abTestSummary } from '../../../src/app/history/ab-report.js';
import { fixtureCalibration } from './fixture.js';

const raw = (policy: string, extra: Partial<PolicyRawResult>): PolicyRawResult => ({
  policy, spotUsd: 1, onDemandUsd: 1, cacheUsd: 0, waitSec: [0, 1], makespanSec: [10], unmetDemandUnitSec: 0, idleUnitSec: 0, spotInterruptions: 0,
  tasksRequeued: 0, tasksSubmitted: 2, tasksCompleted: 2, chainsSubmitted: 1, chainsCompleted: 1, launches: 1, terminations: 1,
  forecastError: null, nextStep: null, prefetch: null, variants: null, decisionCounts: {}, endSec: 3600, ...extra,
});

describe('report sections of the learning loop', () => {
  it('puts the calibration (reliability per decile, Brier) and the A/B test (tests, winner) into report.json and report.md, rounded', () => {
    const preps = Array.from({ length: 400 }, (_, i) => ({ arm: i < 200 ? 'control' : 'wide', hit: i < 200 ? i % 2 === 0 : i % 4 !== 0, setupSecSaved: 1.23456, wastedCpuSec: 0.5, wastedUsd: 0.000001 }));
    const ab = abTestSummary(['control', 'wide'], 'control', preps, [{ arm: 'control', latencySec: 10 }, { arm: 'control', latencySec: 12 }, { arm: 'wide', latencySec: 9 }, { arm: 'wide', latencySec: 10 }]);
    const report = buildReport(
      { name: 'r', seed: 1, startSec: 0, endSec: 3600, days: 1, tickSec: 60, pools: ['batch'], series: [], workflows: [], sources: [] },
      [raw('prescale', { nextStep: { predictions: 10, hits: 5, hitRate: 0.5, calibration: fixtureCalibration() }, abTest: ab })],
      [],
    );
    const p = report.policies[0];
    expect(p.nextStep?.calibration?.deciles).toHaveLength(10);
    expect(String(p.nextStep!.calibration!.brier).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(4);
    expect(p.abTest?.winner.arm).toBe('wide');
    expect(p.abTest?.arms[1].hitRate).toBe(0.75);
    const md = reportMarkdown(report);
    expect(md).toContain('## Calibration of next-step probabilities');
    expect(md).toMatch(/\| 0\.9–1\.0 \| \d+ \|/);
    expect(md).toContain('## A/B test of prefetch configurations');
    expect(md).toContain('winner **wide** with confidence');
    expect(md).toContain('two-proportion z-test');
  });
});
