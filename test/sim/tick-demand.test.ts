import { describe, expect, it } from 'vitest';
import type { Forecast } from '../../src/core/model/index.js';
import { buildDemandSlots } from '../../src/core/tick/demand.js';
import { forecastAt } from '../../src/core/model/forecast.js';

const f = (id: string, p50: number, spread: number): Forecast => ({
  seriesId: id, model: 'test', originSec: 0, periodSec: 300, mean: [p50, p50],
  quantiles: { '0.5': [p50, p50], '0.9': [p50 + spread, p50 + spread] },
});

describe('tick demand slots', () => {
  it('reads a forecast quantile at a time between steps by linear interpolation', () => {
    const g: Forecast = { ...f('a', 0, 0), mean: [10, 20], quantiles: { '0.5': [10, 20], '0.9': [12, 24] } };
    expect(forecastAt(g, 0.5, 300)).toBe(10);
    expect(forecastAt(g, 0.5, 450)).toBe(15);
    expect(forecastAt(g, 0.7, 600)).toBe(22);
    expect(forecastAt(undefined, 0.9, 0)).toBe(0);
  });

  it('adds series as independent: medians add, spreads add in quadrature, recent values floor it', () => {
    const slots = buildDemandSlots({
      poolId: 'web', nowSec: 300, slotSec: 60, slots: 2, levels: [0.5, 0.9],
      signals: [{ seriesId: 'a', poolId: 'web', metricPerUnit: 10 }, { seriesId: 'b', poolId: 'web', metricPerUnit: 10 }, { seriesId: 'c', poolId: 'other', metricPerUnit: 1 }],
      backlogSignals: [{ seriesId: 'q', poolId: 'web' }],
      forecasts: new Map([['a', f('a', 100, 30)], ['b', f('b', 200, 40)], ['c', f('c', 999, 0)], ['q', f('q', 6, 50)]]),
      recent: new Map([['a', 50], ['b', 50]]),
      committedUnits: 4,
      predictedUnits: [1.5],
    });
    // medians 10 + 20 units; spreads 3 and 4 units → 5; backlog beyond 4 committed + 1.5 predicted:
    // q0.5 6 → 0.5, q0.9 56 → 50.5
    expect(slots[0].quantiles['0.5']).toBeCloseTo(30.5, 9);
    expect(slots[0].quantiles['0.9']).toBeCloseTo(85.5, 9);
    expect(slots[0].committedUnits).toBe(4);
    expect(slots[0].predictedStepUnits).toBe(1.5);
    expect(slots[1].predictedStepUnits).toBe(0);

    const floored = buildDemandSlots({
      poolId: 'web', nowSec: 300, slotSec: 60, slots: 1, levels: [0.5], signals: [{ seriesId: 'a', poolId: 'web', metricPerUnit: 10 }],
      backlogSignals: [], forecasts: new Map([['a', f('a', 100, 30)]]), recent: new Map([['a', 400]]), committedUnits: 0, predictedUnits: [],
    });
    expect(floored[0].quantiles['0.5']).toBe(40);
  });

  it('holds task demand at each level at max(committed + predicted, backlog quantile), never below the known steps', () => {
    const build = (committedUnits: number, predicted: number) => buildDemandSlots({
      poolId: 'batch', nowSec: 300, slotSec: 60, slots: 1, levels: [0.5, 0.9], signals: [],
      backlogSignals: [{ seriesId: 'q', poolId: 'batch' }], forecasts: new Map([['q', f('q', 8, 12)]]),
      committedUnits, predictedUnits: [predicted],
    })[0];
    // backlog median 8 and q0.9 20: with 3 committed and 1 predicted the planner adds 4, so 4 and 16 more
    const s = build(3, 1);
    expect(s.quantiles['0.5']).toBeCloseTo(4, 9);
    expect(s.quantiles['0.9']).toBeCloseTo(16, 9);
    // known steps above the backlog's quantile: nothing more is added
    const busy = build(25, 2);
    expect(busy.quantiles['0.5']).toBe(0);
    expect(busy.quantiles['0.9']).toBe(0);
  });
});
