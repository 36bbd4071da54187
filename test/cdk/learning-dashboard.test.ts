/**
 * issue 22: the learning loop on the CloudWatch dashboard — the next-step Brier score (Σ(p − o)² ÷
 * predictions scored) and, per selection (bundle members, single steps), hit rate and setup seconds
 * saved per wasted CPU-second, over the metrics src/handlers/controller-runner.ts
 * `emitLearningMetrics` publishes. Drawn with or without an A/B test (the template's cfn-lint check
 * is test/cdk/cfn-lint.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { METRIC, SELECTION_DIMENSION } from '../../src/handlers/controller-runner.js';
import { dashboardWidgets, synthStack } from './stack-fixture.js';

describe('prescale CDK stack: the learning loop on the dashboard', () => {
  const widgets = dashboardWidgets(synthStack().template);
  const byTitle = (t: string): string => JSON.stringify((widgets.find((w) => w.properties.title?.startsWith(t)) ?? expect.unreachable(`no widget ${t}`)).properties.metrics);

  it('draws the Brier score as the Brier sum over the predictions scored', () => {
    const json = byTitle('Next-step Brier score');
    expect(json).toContain(METRIC.nextStepBrierSum);
    expect(json).toContain(METRIC.nextStepOutcomes);
    expect(json).toContain('IF(d0 > 0, n0 / d0, 0)');
  });

  it('draws bundle against single-step hit rate and setup seconds saved per wasted CPU-second, over the Selection dimension', () => {
    for (const [title, names] of [
      ['Bundles vs single steps: hit rate', [METRIC.selectionHits, METRIC.selectionSettled]],
      ['Bundles vs single steps: setup seconds saved per wasted', [METRIC.selectionSetupSecSaved, METRIC.selectionWastedCpuSec]],
      ['Learning loop over the time range', [METRIC.nextStepBrierSum, METRIC.selectionSettled, METRIC.selectionHits, METRIC.selectionSetupSecSaved]],
    ] as const) {
      const json = byTitle(title);
      for (const n of names) expect(json, title).toContain(n);
      for (const sel of ['bundle', 'single-step']) expect(json, title).toContain(`"${SELECTION_DIMENSION}","${sel}"`);
    }
    expect(byTitle('Bundles vs single steps: hit rate')).toContain('100 * n1 / d1');
  });
});
