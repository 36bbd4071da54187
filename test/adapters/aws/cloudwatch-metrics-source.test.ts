import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { alignWindow, CloudWatchMetricsSource, parseSeriesDefs, periodServedAt } from '../../../src/adapters/aws/cloudwatch-metrics-source.js';
import { AwsThrottledError, AwsUnauthorizedError } from '../../../src/adapters/aws/errors.js';
import { cloudWatchApi } from '../../../src/adapters/aws/sdk.js';
import { InputError } from '../../../src/core/model/index.js';

const cw = mockClient(CloudWatchClient);
const api = () => cloudWatchApi(new CloudWatchClient({ region: 'us-east-1' }));
const cpu = { kind: 'metric', namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'web' }, unit: 'Percent' };
const t = (sec: number) => new Date(sec * 1000);

describe('CloudWatchMetricsSource', () => {
  beforeEach(() => cw.reset());

  it('sends one GetMetricData per 500 queries and maps results back to series ids', async () => {
    const series: Record<string, unknown> = {};
    for (let i = 0; i < 501; i++) series[`s${i}`] = cpu;
    const calls: GetMetricDataCommandInput[] = [];
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      calls.push(input);
      return { MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [t(600)], Values: [Number(q.Id!.slice(3))] })) };
    });
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs(series) });
    const out = await src.fetch({ seriesIds: Object.keys(series), startSec: 600, endSec: 1200, periodSec: 300 });
    expect(calls.map((c) => c.MetricDataQueries!.length)).toEqual([500, 1]);
    expect(out).toHaveLength(501);
    expect(out[500]).toMatchObject({ id: 's500', startSec: 600, periodSec: 300, unit: 'Percent' });
    expect(out[500].values[0]).toBe(500);
    expect(Number.isNaN(out[500].values[1])).toBe(true);
  });

  it('follows NextToken through PartialData pages and merges values by timestamp', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ NextToken: 'p2', MetricDataResults: [{ Id: 'ps_0', StatusCode: 'PartialData', Timestamps: [t(0), t(60)], Values: [1, 2] }] })
      .resolvesOnce({ MetricDataResults: [{ Id: 'ps_0', StatusCode: 'Complete', Timestamps: [t(180)], Values: [4] }] });
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs({ cpu }) });
    const [s] = await src.fetch({ seriesIds: ['cpu'], startSec: 0, endSec: 240, periodSec: 60 });
    expect(s.values.slice(0, 2)).toEqual([1, 2]);
    expect(Number.isNaN(s.values[2])).toBe(true);
    expect(s.values[3]).toBe(4);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cw).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'p2' });
  });

  it('fetchMany puts queries of different periods and windows in one request over their union, each answer trimmed to its window', async () => {
    const calls: GetMetricDataCommandInput[] = [];
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      calls.push(input);
      // every query answers one value per period over the whole request window
      return { MetricDataResults: input.MetricDataQueries!.map((q) => {
        const p = q.MetricStat!.Period!;
        const ts: Date[] = [];
        for (let x = input.StartTime!.getTime() / 1000; x < input.EndTime!.getTime() / 1000; x += p) ts.push(t(x));
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: ts, Values: ts.map((d) => d.getTime() / 1000 + p) };
      }) };
    });
    const now = 86_400;
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs({ cpu, mem: cpu }), nowSec: () => now });
    const [hist, latest] = await src.fetchMany([
      { seriesIds: ['cpu', 'mem'], startSec: now - 3_600, endSec: now, periodSec: 300 },
      { seriesIds: ['cpu'], startSec: now - 180, endSec: now, periodSec: 60 },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ StartTime: t(now - 3_600), EndTime: t(now) });
    expect(calls[0].MetricDataQueries!.map((q) => [q.Label, q.MetricStat!.Period])).toEqual([['cpu', 300], ['mem', 300], ['cpu', 60]]);
    expect(hist.map((s) => [s.id, s.startSec, s.values.length])).toEqual([['cpu', now - 3_600, 12], ['mem', now - 3_600, 12]]);
    expect(latest).toEqual([{ id: 'cpu', startSec: now - 180, periodSec: 60, unit: 'Percent', values: [now - 120, now - 60, now] }]);
  });

  it('fetchMany gives a query its own request where CloudWatch would not serve its period from the union start (60 s beyond 15 days)', async () => {
    const calls: GetMetricDataCommandInput[] = [];
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => { calls.push(input); return { MetricDataResults: [] }; });
    const now = 100 * 86_400;
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs({ cpu }), nowSec: () => now });
    await src.fetchMany([
      { seriesIds: ['cpu'], startSec: now - 20 * 86_400, endSec: now, periodSec: 300 },
      { seriesIds: ['cpu'], startSec: now - 180, endSec: now, periodSec: 60 },
    ]);
    expect(calls.map((c) => [c.StartTime!.getTime() / 1000, c.MetricDataQueries![0].MetricStat!.Period])).toEqual([[now - 20 * 86_400, 300], [now - 180, 60]]);
    expect([periodServedAt(60, 15 * 86_400), periodServedAt(60, 16 * 86_400), periodServedAt(300, 63 * 86_400), periodServedAt(300, 64 * 86_400), periodServedAt(10, 3 * 3600 + 1)])
      .toEqual([true, false, true, false, false]);
  });

  it('aligns the window to the period and asks for ascending timestamps with the metric stat', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs({ cpu: { ...cpu, stat: 'p90' } }) });
    const [s] = await src.fetch({ seriesIds: ['cpu'], startSec: 3_610, endSec: 7_190, periodSec: 300 });
    expect(s.startSec).toBe(3_600);
    expect(s.values).toHaveLength(12);
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: t(3_600), EndTime: t(7_200), ScanBy: 'TimestampAscending',
      MetricDataQueries: [{ Id: 'ps_0', Label: 'cpu', ReturnData: true, MetricStat: {
        Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web' }] },
        Period: 300, Stat: 'p90', Unit: 'Percent' } }],
    });
    expect(alignWindow(61, 61, 60)).toEqual({ startSec: 60, endSec: 120 });
  });

  it('sends metric math: referenced metrics with ReturnData false, the expression returned under the series id', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'ps_0', StatusCode: 'Complete', Timestamps: [t(0)], Values: [7] }] });
    const series = parseSeriesDefs({ rps: { kind: 'expression', expression: 'm1 / 60', metrics: { m1: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', stat: 'Sum' } } } });
    const [s] = await new CloudWatchMetricsSource({ api: api(), series }).fetch({ seriesIds: ['rps'], startSec: 0, endSec: 60, periodSec: 60 });
    expect(s.values).toEqual([7]);
    const input = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.MetricDataQueries).toEqual([
      expect.objectContaining({ Id: 'm1', ReturnData: false }),
      { Id: 'ps_0', Label: 'rps', Expression: 'm1 / 60', Period: 60, ReturnData: true },
    ]);
  });

  it('rejects unknown series, invalid periods and reserved query ids with InputError', async () => {
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs({ cpu }) });
    await expect(src.fetch({ seriesIds: ['nope'], startSec: 0, endSec: 60, periodSec: 60 })).rejects.toThrow(InputError);
    await expect(src.fetch({ seriesIds: ['cpu'], startSec: 0, endSec: 60, periodSec: 90 })).rejects.toThrow(/multiple of 60/);
    expect(() => parseSeriesDefs({ x: { kind: 'expression', expression: 'ps_1', metrics: { ps_1: cpu } } })).toThrow(/reserved/);
    expect(() => parseSeriesDefs({ x: { kind: 'metric', metricName: 'CPU' } })).toThrow(/x\.namespace/);
  });

  it('maps Forbidden status, throttling and access denied to clear errors', async () => {
    const src = new CloudWatchMetricsSource({ api: api(), series: parseSeriesDefs({ cpu }) });
    const q = { seriesIds: ['cpu'], startSec: 0, endSec: 60, periodSec: 60 };
    cw.on(GetMetricDataCommand).resolvesOnce({ MetricDataResults: [{ Id: 'ps_0', StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'no access to namespace' }] }] });
    await expect(src.fetch(q)).rejects.toThrow(/Forbidden for series cpu .*no access/);
    cw.reset();
    cw.on(GetMetricDataCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(src.fetch(q)).rejects.toBeInstanceOf(AwsThrottledError);
    cw.reset();
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(src.fetch(q)).rejects.toThrow(AwsUnauthorizedError);
    await expect(src.fetch(q)).rejects.toThrow(/not allowed cloudwatch:GetMetricData/);
  });
});
