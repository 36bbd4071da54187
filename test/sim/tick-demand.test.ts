import { describe, expect, it } from 'vitest';
import type { Forecast } from '../../src/core/model/index.js';
import { buildDemandSlots } from '../../src/app/tick/demand.js';
import { forecastAt } from '../../src/app/tick/forecast.js';

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
    // medians 10 + 20 units; spreads 3 and 4 units → 5; backlog median 6 beyond 4 committed → 2
    expect(slots[0].quantiles['0.5']).toBeCloseTo(32, 9);
    expect(slots[0].quantiles['0.9']).toBeCloseTo(37, 9);
    expect(slots[0].committedUnits).toBe(4);
    expect(slots[0].predictedStepUnits).toBe(1.5);
    expect(slots[1].predictedStepUnits).toBe(0);

    const floored = buildDemandSlots({
      poolId: 'web', nowSec: 300, slotSec: 60, slots: 1, levels: [0.5], signals: [{ seriesId: 'a', poolId: 'web', metricPerUnit: 10 }],
      backlogSignals: [], forecasts: new Map([['a', f('a', 100, 30)]]), recent: new Map([['a', 400]]), committedUnits: 0, predictedUnits: [],
    });
    expect(floored[0].quantiles['0.5']).toBe(40);
  });
});
