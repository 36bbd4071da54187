import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchApi } from '../../../src/adapters/aws/sdk.js';
import { parseMetricCsv } from '../../../src/adapters/files/metric-file.js';
import { parseWhen, registerExportMetrics } from '../../../src/cli/commands/export-metrics.js';
import { awsError } from './fake-ec2.js';

const cw = mockClient(CloudWatchClient);
const START = Date.UTC(2026, 10, 1) / 1000;

function program(): Command {
  const p = new Command().exitOverride();
  registerExportMetrics(p, () => cloudWatchApi(new CloudWatchClient({ region: 'eu-west-1' })));
  return p;
}

function setup(): { dir: string; seriesFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-export-'));
  const seriesFile = join(dir, 'series.json');
  writeFileSync(seriesFile, JSON.stringify({
    'web/cpu': { kind: 'metric', namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'web' } },
    rps: { kind: 'expression', expression: 'm1 / 300', metrics: { m1: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', stat: 'Sum' } } },
  }));
  return { dir, seriesFile };
}

describe('prescale export-metrics', () => {
  beforeEach(() => cw.reset());

  it('writes one timestamp,value CSV per series that the backtest metric reader parses back', async () => {
    cw.on(GetMetricDataCommand).callsFake((i: GetMetricDataCommandInput) => ({
      MetricDataResults: i.MetricDataQueries!.filter((q) => q.ReturnData).map((q, n) => ({
        Id: q.Id, StatusCode: 'Complete', Timestamps: [0, 1, 3].map((k) => new Date((START + k * 300) * 1000)), Values: [1 + n, 2 + n, 4 + n],
      })),
    }));
    const { dir, seriesFile } = setup();
    const out = join(dir, 'out');
    await program().parseAsync(['node', 'prescale', 'export-metrics', '--series', seriesFile, '--start', '2026-11-01T00:00:00Z', '--end', '2026-11-01T00:20:00Z', '--period', '300', '--out', out, '--region', 'eu-west-1']);
    expect(readdirSync(out).sort()).toEqual(['rps.csv', 'web_cpu.csv']);
    const text = readFileSync(join(out, 'web_cpu.csv'), 'utf8');
    expect(text).toBe('timestamp,value\n2026-11-01T00:00:00Z,1\n2026-11-01T00:05:00Z,2\n2026-11-01T00:15:00Z,4\n');
    const back = parseMetricCsv(text, 'web_cpu.csv', 'web_cpu');
    expect(back.series.startSec).toBe(START);
    expect(back.series.periodSec).toBe(300);
    expect(back.series.values[0]).toBe(1);
  });

  it('writes nothing when CloudWatch refuses, and explains the options in --help', async () => {
    cw.on(GetMetricDataCommand).rejects(awsError('AccessDenied', 'not authorized to perform cloudwatch:GetMetricData'));
    const { dir, seriesFile } = setup();
    const out = join(dir, 'out');
    await expect(program().parseAsync(['node', 'prescale', 'export-metrics', '--series', seriesFile, '--start', '1d', '--out', out, '--region', 'eu-west-1'])).rejects.toThrow(/cloudwatch:GetMetricData/);
    expect(existsSync(out)).toBe(false);
    const help = program().commands.find((c) => c.name() === 'export-metrics')!.helpInformation();
    expect(help).toMatch(/--series <file>/);
    expect(help).toMatch(/backtest --metrics/);
  });

  it('parses start and end as ISO times, epoch seconds or durations ago, rejecting anything else', () => {
    expect(parseWhen('14d', '--start', 2_000_000)).toBe(2_000_000 - 14 * 86_400);
    expect(parseWhen('90m', '--start', 10_000)).toBe(10_000 - 5_400);
    expect(parseWhen('1700000000', '--start', 0)).toBe(1_700_000_000);
    expect(parseWhen('2026-11-01T00:00:00Z', '--start', 0)).toBe(START);
    expect(() => parseWhen('last tuesday', '--start', 0)).toThrow(/--start: got "last tuesday"/);
  });
});
