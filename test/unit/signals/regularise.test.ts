import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/model/errors.js';
import { medianStepSec, regularise } from '../../../src/core/signals/regularise.js';

const pts = (pairs: Array<[number, number]>) => pairs.map(([tSec, value]) => ({ tSec, value }));

describe('regularise', () => {
  it('keeps a regular series as it is, with an empty report', () => {
    const { series, report } = regularise(pts([[600, 1], [900, 2], [1200, 3]]), { id: 's' });
    expect(series).toEqual({ id: 's', startSec: 600, periodSec: 300, values: [1, 2, 3] });
    expect(report).toEqual({ pointsRead: 3, duplicatesMerged: 0, gapPeriods: 0, gapsFilled: 0, periodSec: 300 });
  });

  it('chooses the median raw step, ignoring a few irregular ones', () => {
    const raw = pts([[0, 1], [300, 1], [600, 1], [1500, 1], [1800, 1], [2100, 1]]);
    expect(medianStepSec(raw)).toBe(300);
    expect(regularise(raw, { id: 's' }).report.periodSec).toBe(300);
  });

  it('aligns the grid to a multiple of the period and buckets points by floor', () => {
    const { series } = regularise(pts([[1_020, 1], [1_320, 2], [1_620, 3]]), { id: 's' });
    expect(series.startSec).toBe(900);
    expect(series.values).toEqual([1, 2, 3]);
  });

  it('merges points in one period by their mean and counts the extra ones', () => {
    const { series, report } = regularise(pts([[0, 2], [60, 4], [60, 6], [120, 8]]), { id: 's' });
    expect(series.values).toEqual([2, 5, 8]);
    expect(report.duplicatesMerged).toBe(1);
  });

  it('aggregates to a forced coarser period by the mean of each bucket', () => {
    const raw = pts(Array.from({ length: 12 }, (_, i) => [i * 300, i] as [number, number]));
    const { series, report } = regularise(raw, { id: 's', periodSec: 3600 });
    expect(series.values).toEqual([5.5]);
    expect(report).toMatchObject({ duplicatesMerged: 11, periodSec: 3600 });
  });

  it('fills short gaps by linear interpolation and leaves long gaps NaN, counting both', () => {
    // one missing period (60) and four missing periods (180..360), step 60
    const raw = pts([[0, 0], [120, 20], [180, 30], [480, 80], [540, 90]]);
    const { series, report } = regularise(raw, { id: 's', periodSec: 60, maxGapFillPeriods: 3 });
    expect(series.values.slice(0, 3)).toEqual([0, 10, 20]);
    expect(series.values.slice(4, 8).every(Number.isNaN)).toBe(true);
    expect(report).toMatchObject({ gapPeriods: 5, gapsFilled: 1 });
  });

  it('interpolates a gap of exactly maxGapFillPeriods linearly', () => {
    const { series } = regularise(pts([[0, 0], [400, 40]]), { id: 's', periodSec: 100, maxGapFillPeriods: 3 });
    expect(series.values).toEqual([0, 10, 20, 30, 40]);
  });

  it('uses 60 s for a single point unless a period is forced', () => {
    expect(regularise(pts([[90, 5]]), { id: 's' }).series).toMatchObject({ startSec: 60, periodSec: 60, values: [5] });
    expect(regularise(pts([[90, 5]]), { id: 's', periodSec: 30 }).series).toMatchObject({ startSec: 90, values: [5] });
  });

  it('rejects an empty series naming the file', () => {
    expect(() => regularise([], { id: 's', file: 'x.csv' })).toThrow(InputError);
    expect(() => regularise([], { id: 's', file: 'x.csv' })).toThrow(/^x\.csv: got "no data points", expected at least one .*empty series/);
  });

  it('rejects a timestamp going backwards naming file, line, field, value and the previous timestamp', () => {
    const raw = [{ tSec: 100, value: 1, line: 2 }, { tSec: 200, value: 1, line: 3 }, { tSec: 150, value: 1, line: 4 }];
    expect(() => regularise(raw, { id: 's', file: 'm.csv' })).toThrow('m.csv:4: timestamp: got 150, expected a timestamp >= the previous row\'s 200 (timestamps must not go backwards)');
  });

  it('rejects non-finite values and a bad forced period', () => {
    expect(() => regularise(pts([[0, Number.NaN]]), { id: 's', file: 'f' })).toThrow(/f:1: value: got .*, expected a finite number/);
    expect(() => regularise(pts([[0, 1]]), { id: 's', file: 'f', periodSec: 0 })).toThrow(/periodSec: got 0, expected a period in seconds > 0/);
  });

  it('refuses a grid too long to hold, hinting at millisecond timestamps', () => {
    expect(() => regularise(pts([[0, 1], [1_700_000_000_000, 2]]), { id: 's', periodSec: 1 })).toThrow(/are the timestamps epoch seconds/);
  });

  it('gives the same output for the same input (determinism)', () => {
    const raw = pts(Array.from({ length: 500 }, (_, i) => [i * 61 + (i % 7), Math.sin(i)] as [number, number]));
    expect(JSON.stringify(regularise(raw, { id: 's' }))).toBe(JSON.stringify(regularise(raw, { id: 's' })));
  });
});
