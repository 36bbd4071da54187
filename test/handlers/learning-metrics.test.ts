/**
 * issue 22 on the dashboard: the controller publishes the learning loop's change per tick — the
 * next-step feedback loop's scored outcomes and Brier sum, and per selection (bundle members, single
 * steps) the settled commanded preparations, hits, setup seconds saved and CPU-seconds wasted — from
 * the tick's cumulative figures (`learning()`), the first tick of a process only setting the baseline.
 */
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import type { TickLearningStats } from '../../src/app/tick.js';
import { createControllerRunner, emitLearningMetrics, METRIC, SELECTION_DIMENSION, type TickMetricsSink } from '../../src/handlers/controller-runner.js';
import { parseDeploymentConfig } from '../../src/handlers/deployment-config.js';
import { SimEventSource, SimMetricsSource } from '../../src/sim/sources.js';
import { deploymentInput, START_SEC } from './sim-harness.js';
import { simWorld } from './sim-world.js';

type Row = { name: string; value: number; dims?: Record<string, string> };
function recordingSink(): TickMetricsSink & { rows: Row[] } {
  const rows: Row[] = [];
  return { rows, add: (name, _unit, value, dims) => { rows.push({ name, value, ...(dims ? { dims: { ...dims } } : {}) }); } };
}
const totals = (settled: number, hits: number, savedSec: number, wastedCpuSec: number) => ({ settled, hits, savedSec, wastedCpuSec });

describe('learning-loop metrics of the controller', () => {
  it('publishes the change of the scored outcomes, Brier sum and bundle / single-step outcomes between two ticks', () => {
    const before: TickLearningStats = { calibration: { outcomes: 40, brierSum: 6 }, bundles: { single: totals(10, 6, 120, 30), bundle: totals(4, 3, 90, 10), edges: 2 } };
    const after: TickLearningStats = { calibration: { outcomes: 52, brierSum: 8.5 }, bundles: { single: totals(13, 7, 140, 45), bundle: totals(6, 4, 120, 12), edges: 2 } };
    const sink = recordingSink();
    emitLearningMetrics(sink, before, after);
    const v = (name: string, sel?: string): number | undefined => sink.rows.find((r) => r.name === name && r.dims?.[SELECTION_DIMENSION] === sel)?.value;
    expect(v(METRIC.nextStepOutcomes)).toBe(12);
    expect(v(METRIC.nextStepBrierSum)).toBeCloseTo(2.5, 12);
    expect([v(METRIC.selectionSettled, 'bundle'), v(METRIC.selectionHits, 'bundle'), v(METRIC.selectionSetupSecSaved, 'bundle'), v(METRIC.selectionWastedCpuSec, 'bundle')]).toEqual([2, 1, 30, 2]);
    expect([v(METRIC.selectionSettled, 'single-step'), v(METRIC.selectionHits, 'single-step'), v(METRIC.selectionSetupSecSaved, 'single-step'), v(METRIC.selectionWastedCpuSec, 'single-step')]).toEqual([3, 1, 20, 15]);
  });

  it('counts from zero when the figures went down (the model or the hooks started over), and skips calibration without a feedback loop', () => {
    const sink = recordingSink();
    emitLearningMetrics(sink, { calibration: { outcomes: 90, brierSum: 9 }, bundles: { single: totals(10, 5, 50, 5), bundle: totals(0, 0, 0, 0), edges: 0 } },
      { calibration: { outcomes: 3, brierSum: 0.5 }, bundles: { single: totals(2, 1, 10, 1), bundle: totals(0, 0, 0, 0), edges: 0 } });
    expect(sink.rows.find((r) => r.name === METRIC.nextStepOutcomes)?.value).toBe(3);
    expect(sink.rows.find((r) => r.name === METRIC.selectionSettled && r.dims?.[SELECTION_DIMENSION] === 'single-step')?.value).toBe(2);
    const none = recordingSink();
    emitLearningMetrics(none, { bundles: { single: totals(0, 0, 0, 0), bundle: totals(0, 0, 0, 0), edges: 0 } }, { bundles: { single: totals(0, 0, 0, 0), bundle: totals(0, 0, 0, 0), edges: 0 } });
    expect(none.rows.map((r) => r.name)).not.toContain(METRIC.nextStepOutcomes);
    expect(none.rows.filter((r) => r.name === METRIC.selectionSettled).map((r) => r.dims?.[SELECTION_DIMENSION])).toEqual(['bundle', 'single-step']);
  });

  it('the runner publishes them from the second tick of a process on (the first one sets the baseline)', async () => {
    const config = parseDeploymentConfig(deploymentInput('dry-run'));
    const world = simWorld(config);
    const sink = recordingSink();
    const runner = createControllerRunner({
      config: config.controller, metrics: new SimMetricsSource(world), events: new SimEventSource(world), cloud: world.cloud,
      store: new SqliteStateStore(':memory:'), sink, tickOptions: { historySec: 2 * 86_400 },
    });
    world.advanceTo(START_SEC);
    await runner.runTick(START_SEC);
    expect(sink.rows.some((r) => r.name === METRIC.selectionSettled || r.name === METRIC.nextStepOutcomes)).toBe(false);
    world.advanceTo(START_SEC + config.controller.tickSec);
    await runner.runTick(START_SEC + config.controller.tickSec);
    expect(sink.rows.filter((r) => r.name === METRIC.selectionSettled).map((r) => r.dims?.[SELECTION_DIMENSION])).toEqual(['bundle', 'single-step']);
    const outcomes = sink.rows.find((r) => r.name === METRIC.nextStepOutcomes);
    expect(outcomes?.value).toBeGreaterThanOrEqual(0);
    expect(sink.rows.find((r) => r.name === METRIC.nextStepBrierSum)?.value).toBeGreaterThanOrEqual(0);
  });
});
