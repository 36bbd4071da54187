import { describe, expect, it } from 'vitest';
import { readMetricSeriesFile } from '../../../src/adapters/files/metric-file.js';
import { dataPath, HAVE_DATA } from './real-data.js';

describe.skipIf(!HAVE_DATA)('readMetricSeriesFile on the shared NAB CloudWatch files', () => {
  it('reads nyc_taxi as 10,320 half-hourly values from 2014-07-01 UTC with nothing to repair', async () => {
    const [r] = await readMetricSeriesFile(dataPath('cloudwatch/realKnownCause/nyc_taxi.csv'));
    expect(r!.series).toMatchObject({ id: 'nyc_taxi', startSec: Date.UTC(2014, 6, 1) / 1000, periodSec: 1800 });
    expect(r!.series.values).toHaveLength(10_320);
    expect(r!.series.values.slice(0, 3)).toEqual([10844, 8127, 6210]);
    expect(r!.report).toEqual({ pointsRead: 10_320, duplicatesMerged: 0, gapPeriods: 0, gapsFilled: 0, periodSec: 1800 });
  });

  it('fills the 8 one-period gaps of elb_request_count_8c0756 (irregular steps)', async () => {
    const [r] = await readMetricSeriesFile(dataPath('cloudwatch/realAWSCloudwatch/elb_request_count_8c0756.csv'));
    expect(r!.report).toEqual({ pointsRead: 4032, duplicatesMerged: 0, gapPeriods: 8, gapsFilled: 8, periodSec: 300 });
    expect(r!.series.values.some(Number.isNaN)).toBe(false);
  });

  it('reports the daylight-saving jump of ec2_disk_write_bytes_1ef3de: 12 duplicates merged, a 12-period gap kept NaN', async () => {
    // 2014-03-09 01:59 is followed by thirteen rows stamped 03:00 (local time recorded as if UTC).
    const [r] = await readMetricSeriesFile(dataPath('cloudwatch/realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv'));
    expect(r!.report).toEqual({ pointsRead: 4730, duplicatesMerged: 12, gapPeriods: 12, gapsFilled: 0, periodSec: 300 });
    expect(r!.series.values.filter(Number.isNaN)).toHaveLength(12);
  });

  it('regularises the irregular realTraffic occupancy series onto a 300 s grid of percentages', async () => {
    const [r] = await readMetricSeriesFile(dataPath('cloudwatch/realTraffic/occupancy_6005.csv'));
    const { series, report } = r!;
    expect(report.periodSec).toBe(300);
    expect(report.pointsRead).toBe(2380);
    expect(report.gapPeriods).toBeGreaterThan(0);
    expect(report.gapsFilled).toBeGreaterThan(0);
    expect(series.startSec % 300).toBe(0);
    // every raw point is counted once: in its own period or as a merged duplicate
    const filledByData = series.values.length - report.gapPeriods;
    expect(filledByData + report.duplicatesMerged).toBe(report.pointsRead);
    expect(Math.min(...series.values.filter((v) => !Number.isNaN(v)))).toBeGreaterThanOrEqual(0);
  });

  it('reads every realAWSCloudwatch file at a 300 s step with at most a few repairs', async () => {
    const { readdirSync } = await import('node:fs');
    const dir = dataPath('cloudwatch/realAWSCloudwatch');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv')).sort()) {
      const [r] = await readMetricSeriesFile(`${dir}/${f}`);
      expect(r!.report.periodSec, f).toBe(300);
      expect(r!.report.gapPeriods, f).toBeLessThanOrEqual(13);
    }
  });

  it('gives identical series on a second read (determinism)', async () => {
    const path = dataPath('cloudwatch/realTraffic/occupancy_t4013.csv');
    const a = await readMetricSeriesFile(path);
    const b = await readMetricSeriesFile(path);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
