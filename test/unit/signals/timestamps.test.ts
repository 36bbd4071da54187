import { describe, expect, it } from 'vitest';
import { parseTimestampSec } from '../../../src/core/signals/timestamps.js';

describe('parseTimestampSec', () => {
  it('reads epoch seconds, integer and decimal', () => {
    expect(parseTimestampSec('1404172800')).toBe(1404172800);
    expect(parseTimestampSec('1404172800.25')).toBe(1404172800.25);
  });

  it("reads NAB's YYYY-MM-DD HH:MM:SS as UTC", () => {
    expect(parseTimestampSec('2014-07-01 00:30:00')).toBe(1404174600);
  });

  it('reads ISO 8601 with Z, offsets, fractions, and a bare date', () => {
    expect(parseTimestampSec('2014-07-01T00:30:00Z')).toBe(1404174600);
    expect(parseTimestampSec('2014-07-01T02:30:00+02:00')).toBe(1404174600);
    expect(parseTimestampSec('2014-06-30T14:30:00-1000')).toBe(1404174600);
    expect(parseTimestampSec('2014-07-01T00:30:00.500Z')).toBe(1404174600.5);
    expect(parseTimestampSec('2014-07-01')).toBe(1404172800);
  });

  it('reads the WfCommons variants YYYYMMDDTHHMMSS+0000 and MM-DD-YYTHH:MM:SSZ', () => {
    expect(parseTimestampSec('20200401T035043+0000')).toBe(Date.UTC(2020, 3, 1, 3, 50, 43) / 1000);
    expect(parseTimestampSec('03-23-21T06:04:36Z')).toBe(Date.UTC(2021, 2, 23, 6, 4, 36) / 1000);
  });

  it('rejects text, impossible dates and times', () => {
    for (const bad of ['', 'yesterday', '2014-02-30 00:00:00', '2014-13-01', '2014-07-01 24:00:00', '2014-07-01T00:00:00+25:00', '1e9', '-5']) {
      expect(parseTimestampSec(bad), bad).toBeUndefined();
    }
  });
});

describe('parseTimestampSec calendar checks', () => {
  it('knows leap years (2000 and 2024 yes, 1900 and 2023 no)', () => {
    expect(parseTimestampSec('2000-02-29')).toBe(Date.UTC(2000, 1, 29) / 1000);
    expect(parseTimestampSec('2024-02-29 12:00:00')).toBe(Date.UTC(2024, 1, 29, 12) / 1000);
    expect(parseTimestampSec('1900-02-29')).toBeUndefined();
    expect(parseTimestampSec('2023-02-29')).toBeUndefined();
    expect(parseTimestampSec('2023-04-31')).toBeUndefined();
    expect(parseTimestampSec('2023-12-31T23:59:59Z')).toBe(Date.UTC(2023, 11, 31, 23, 59, 59) / 1000);
  });
});
