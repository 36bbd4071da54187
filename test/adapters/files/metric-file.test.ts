import { describe, expect, it } from 'vitest';
import { readMetricSeriesFile } from '../../../src/adapters/files/metric-file.js';
import { InputError } from '../../../src/core/model/errors.js';
import { getMetricDataJson, metricCsv } from '../../builders/metrics.js';
import { tempFiles } from './tmp-files.js';

const { write } = tempFiles('metric');
async function errorOf(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('readMetricSeriesFile: CSV', () => {
  it('reads epoch seconds, ISO 8601 and NAB timestamps into one regular series named after the file', async () => {
    const path = write('cpu.csv', metricCsv([[1_700_000_100, 1], ['2023-11-14T22:20:00Z', 2], ['2023-11-14 22:25:00', 3]]));
    const [r] = await readMetricSeriesFile(path);
    expect(r!.series).toEqual({ id: 'cpu', startSec: 1_700_000_100, periodSec: 300, values: [1, 2, 3] });
    expect(r!.report).toMatchObject({ pointsRead: 3, gapPeriods: 0 });
  });

  it('accepts CRLF line ends, a BOM, blank lines and quoted fields', async () => {
    const path = write('q.csv', '\uFEFFtimestamp,value\r\n"2023-11-14 22:15:00","1.5"\r\n\r\n2023-11-14 22:20:00,2.5\r\n');
    const [r] = await readMetricSeriesFile(path);
    expect(r!.series.values).toEqual([1.5, 2.5]);
  });

  it('forces a period when asked', async () => {
    const path = write('p.csv', metricCsv([[0, 1], [60, 3], [120, 5], [180, 7]]));
    const [r] = await readMetricSeriesFile(path, { periodSec: 120 });
    expect(r!.series.values).toEqual([2, 6]);
  });

  it('allows negative values only when asked', async () => {
    const path = write('neg.csv', metricCsv([[0, -1], [60, 2]]));
    await expect(readMetricSeriesFile(path, { allowNegative: true })).resolves.toHaveLength(1);
  });
});

describe('readMetricSeriesFile: bad CSV input gives a one-line error naming file, line, field, value and expectation', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a malformed row', 'timestamp,value\n0,1\n60,2,3\n', /^.+bad\.csv:3: got "60,2,3", expected 2 comma-separated fields \(timestamp,value\), found 3$/],
    ['a row with one field', 'timestamp,value\n0,1\n60\n', /bad\.csv:3: got "60", expected 2 comma-separated fields/],
    ['a non-numeric value', 'timestamp,value\n0,1\n60,abc\n', /bad\.csv:3: value: got "abc", expected a finite number$/],
    ['an empty value', 'timestamp,value\n0,\n', /bad\.csv:2: value: got "", expected a finite number$/],
    ['a negative value', 'timestamp,value\n0,1\n60,-4\n', /bad\.csv:3: value: got -4, expected a number >= 0/],
    ['a bad timestamp', 'timestamp,value\nyesterday,1\n', /bad\.csv:2: timestamp: got "yesterday", expected epoch seconds, ISO 8601/],
    ['epoch milliseconds', 'timestamp,value\n1404172800000,1\n', /bad\.csv:2: timestamp: got "1404172800000", expected .*this looks like epoch milliseconds \(divide by 1000\)$/],
    ['an impossible date', 'timestamp,value\n2014-02-30 00:00:00,1\n', /bad\.csv:2: timestamp: got "2014-02-30 00:00:00", expected/],
    ['a timestamp going backwards', 'timestamp,value\n2014-07-01 00:30:00,1\n2014-07-01 00:00:00,2\n', /bad\.csv:3: timestamp: got "2014-07-01 00:00:00", expected a timestamp >= the previous row's 2014-07-01 00:30:00 \(timestamps must not go backwards\)$/],
    ['an empty series (header only)', 'timestamp,value\n', /bad\.csv: got "no data points", expected at least one timestamp,value data point \(empty series\)$/],
    ['an empty file', '', /bad\.csv: got "an empty file", expected a header timestamp,value/],
    ['a missing header', '0,1\n60,2\n', /bad\.csv:1: header: got "0,1", expected the header timestamp,value$/],
    ['an unterminated quote', 'timestamp,value\n"0,1\n', /bad\.csv:2: got .*, expected a closing double quote/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}`, async () => {
      const e = await errorOf(readMetricSeriesFile(write('bad.csv', text)));
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
      expect(e.location.file).toMatch(/bad\.csv$/);
    });
  }
});

describe('readMetricSeriesFile: aws cloudwatch get-metric-data JSON', () => {
  it('reads every result, sorts descending timestamps and names series <base>:<Id>', async () => {
    const path = write('gmd.json', getMetricDataJson([
      { id: 'cpu', points: [[1_700_000_100, 10], [1_700_000_400, 20], [1_700_000_700, 30]] },
      { id: 'req', points: [[1_700_000_100, 5], [1_700_000_160, 6]], descending: false },
    ]));
    const out = await readMetricSeriesFile(path);
    expect(out.map((r) => r.series.id)).toEqual(['gmd:cpu', 'gmd:req']);
    expect(out[0]!.series).toMatchObject({ startSec: 1_700_000_100, periodSec: 300, values: [10, 20, 30] });
    expect(out[1]!.series).toMatchObject({ periodSec: 60, values: [5, 6] });
  });

  it('reads JSON saved with a byte-order mark', async () => {
    const path = write('bom.json', `\uFEFF${getMetricDataJson([{ id: 'm', points: [[0, 1]] }])}`);
    expect((await readMetricSeriesFile(path))[0]!.series.id).toBe('bom:m');
  });

  it('reads PartialData results', async () => {
    const path = write('p.json', getMetricDataJson([{ id: 'm', points: [[0, 1]], statusCode: 'PartialData' }]));
    expect((await readMetricSeriesFile(path))[0]!.series.values).toEqual([1]);
  });

  it('reads get-metric-statistics output: unordered datapoints, the first statistic present, its unit', async () => {
    const path = write('stats.json', JSON.stringify({
      Label: 'CPUUtilization',
      Datapoints: [
        { Timestamp: '2024-01-01T00:10:00+00:00', Average: 30, Maximum: 90, Unit: 'Percent' },
        { Timestamp: '2024-01-01T00:00:00+00:00', Average: 10, Maximum: 70, Unit: 'Percent' },
        { Timestamp: '2024-01-01T00:05:00+00:00', Average: 20, Maximum: 80, Unit: 'Percent' },
      ],
    }));
    const [avg] = await readMetricSeriesFile(path);
    expect(avg!.series).toEqual({ id: 'stats', startSec: Date.UTC(2024, 0, 1) / 1000, periodSec: 300, values: [10, 20, 30], unit: 'Percent' });
    const [max] = await readMetricSeriesFile(path, { statistic: 'Maximum' });
    expect(max!.series.values).toEqual([70, 80, 90]);
    const e = await errorOf(readMetricSeriesFile(path, { statistic: 'Sum' }));
    expect(e.message).toMatch(/stats\.json: Datapoints\[0\]\.Sum: got nothing, expected a number \(the Sum statistic\)$/);
    const empty = await errorOf(readMetricSeriesFile(write('none.json', '{"Label":"x","Datapoints":[]}')));
    expect(empty.message).toMatch(/none\.json: Datapoints: got \[\], expected at least one datapoint \(empty series\)$/);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['invalid JSON', '{"MetricDataResults": [', /bad\.json: got ".+", expected valid JSON \(the output of aws cloudwatch get-metric-data or get-metric-statistics\)$/],
    ['a missing Values array', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: [] }] }), /bad\.json: MetricDataResults\[0\]\.Values: got nothing, expected/],
    ['a non-numeric value', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: ['2024-01-01T00:00:00Z'], Values: ['x'] }] }), /MetricDataResults\[0\]\.Values\[0\]: got "x", expected/],
    ['mismatched lengths', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: ['2024-01-01T00:00:00Z'], Values: [1, 2] }] }), /MetricDataResults\[0\]\.Values: got "2 values", expected one value per timestamp \(1\)$/],
    ['a bad timestamp', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: ['soon'], Values: [1] }] }), /MetricDataResults\[0\]\.Timestamps\[0\]: got "soon", expected epoch seconds/],
    ['a negative value', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: ['2024-01-01T00:00:00Z'], Values: [-1] }] }), /MetricDataResults\[0\]\.Values\[0\]: got -1, expected a number >= 0/],
    ['an empty result', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [] }] }), /MetricDataResults\[0\]\.Timestamps: got \[\], expected at least one data point for Id "a" \(empty series\)$/],
    ['no results', JSON.stringify({ MetricDataResults: [] }), /MetricDataResults: got \[\], expected at least one metric data result \(empty series\)$/],
    ['a truncated (paginated) output', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: ['2024-01-01T00:00:00Z'], Values: [1] }], NextToken: 'abc' }), /bad\.json: NextToken: got "abc", expected a complete result: run the CLI without --max-items \/ --no-paginate so it fetches every page$/],
    ['a Forbidden result', JSON.stringify({ MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [], StatusCode: 'Forbidden' }] }), /MetricDataResults\[0\]\.StatusCode: got "Forbidden", expected Complete or PartialData$/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}`, async () => {
      const e = await errorOf(readMetricSeriesFile(write('bad.json', text)));
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
    });
  }
});
