/**
 * One CloudWatch request per tick for every series, on a real GetMetricData (moto): the tick's read
 * plan with the default periods (forecast 300 s, slot 60 s) goes to CloudWatchMetricsSource.fetchMany
 * in one call, which puts every series at both periods into one GetMetricData request and trims each
 * answer to its query's window. Requests are counted on the SDK client (each one an HTTP request to
 * moto); the control without fetchMany shows the count sees two requests on a tick the forecast is due.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetricsSource, parseSeriesDefs } from '../../../src/adapters/aws/cloudwatch-metrics-source.js';
import { cloudWatchApi, type CloudWatchApi } from '../../../src/adapters/aws/sdk.js';
import { createControllerTick } from '../../../src/app/tick.js';
import { createForecaster } from '../../../src/core/forecast/index.js';
import { ControllerConfigSchema } from '../../../src/core/model/index.js';
import { createGreedyPlanner } from '../../../src/core/plan/index.js';
import { createNextStepModel } from '../../../src/core/predict/index.js';
import type { MetricsSource } from '../../../src/ports/metrics-source.js';
import { simCloud, T0 } from '../../sim/sim-cloud-setup.js';
import { motoMissing, startMoto, type Moto } from './moto-server.js';

let moto: Moto | undefined;
beforeAll(async () => { if (!motoMissing) moto = await startMoto(); }, 60_000);
afterAll(async () => { await moto?.close(); });

const IDS = ['backlog', 'queue', 'rps'];
const HISTORY_SEC = 2 * 3600;
const series = parseSeriesDefs(Object.fromEntries(IDS.map((id) => [id, { kind: 'metric', namespace: 'Prescale/Test', metricName: id, stat: 'Average' }])));

/** One datum a minute for every series from T0 − history to T0 + 20 min (a daily wave plus the series' offset). */
async function putHistory(): Promise<void> {
  // (PutMetricData bodies over 10 KB are gzipped by the SDK, which moto does not read)
  const client = new CloudWatchClient({ ...moto!.clientConfig, disableRequestCompression: true });
  const data = IDS.flatMap((id, k) => Array.from({ length: (HISTORY_SEC + 1200) / 60 }, (_, i) => {
    const t = T0 - HISTORY_SEC + i * 60;
    return { MetricName: id, Timestamp: new Date(t * 1000), Value: 40 + 20 * Math.sin((2 * Math.PI * t) / 86_400) + k };
  }));
  for (let i = 0; i < data.length; i += 500) await client.send(new PutMetricDataCommand({ Namespace: 'Prescale/Test', MetricData: data.slice(i, i + 500) }));
}

/** GetMetricData requests per tick over 16 one-minute ticks (forecast due at the first and every 600 s). */
async function requestsPerTick(batch: boolean): Promise<{ requests: number[]; seriesPerRequest: string[][] }> {
  const client = new CloudWatchClient(moto!.clientConfig);
  const inner = cloudWatchApi(client);
  const requests: number[] = [];
  const seriesPerRequest: string[][] = [];
  let count = 0;
  const api: CloudWatchApi = {
    getMetricData: (input) => {
      count++;
      seriesPerRequest.push([...new Set((input.MetricDataQueries ?? []).map((q) => q.Label ?? ''))].sort());
      return inner.getMetricData(input);
    },
  };
  const { cloud, clock, advanceTo, pool } = simCloud();
  const source = new CloudWatchMetricsSource({ api, series, nowSec: () => clock.nowSec() });
  // the control: the same adapter seen through fetch only, as before the tick's one-call read
  const metrics: MetricsSource = batch ? source : { fetch: (q) => source.fetch(q) };
  const config = ControllerConfigSchema.parse({
    mode: 'active', pools: [pool], demandSignals: [{ seriesId: 'rps', poolId: pool.id, metricPerUnit: 10 }, { seriesId: 'queue', poolId: pool.id, metricPerUnit: 5 }],
  });
  const tick = createControllerTick({
    clock, metrics, cloud, forecaster: createForecaster('seasonal-naive'), nextStep: createNextStepModel('markov1'),
    planner: createGreedyPlanner({ tickSec: 60 }), config, events: { drainCloudEvents: async () => [], executionEvents: async () => [] },
    options: { forecastPeriodSec: 300, historySec: HISTORY_SEC, refitEverySec: 600, recalibrate: true, taskBacklogSignals: [{ seriesId: 'backlog', poolId: pool.id }] },
  });
  for (let t = T0; t <= T0 + 15 * 60; t += 60) {
    advanceTo(t);
    await tick.run();
    requests.push(count);
    count = 0;
  }
  return { requests, seriesPerRequest };
}

describe.skipIf(!!motoMissing)('CloudWatch requests per tick (moto)', () => {
  beforeAll(async () => { await putHistory(); }, 60_000);

  it('fetchMany answers every query as fetch answers it alone: one request over the union window, trimmed', async () => {
    let count = 0;
    const inner = cloudWatchApi(new CloudWatchClient(moto!.clientConfig));
    const src = new CloudWatchMetricsSource({ api: { getMetricData: (i) => { count++; return inner.getMetricData(i); } }, series, nowSec: () => T0 });
    const end = Math.floor(T0 / 300) * 300; // on both grids, as the tick's reads are
    const history = { seriesIds: IDS, startSec: end - HISTORY_SEC, endSec: end, periodSec: 300 };
    const latest = { seriesIds: ['queue', 'rps'], startSec: end - 180, endSec: end, periodSec: 60 };
    const many = await src.fetchMany([history, latest]);
    expect(count).toBe(1);
    const alone = [await src.fetch(history), await src.fetch(latest)];
    expect(count).toBe(3);
    expect(many).toEqual(alone);
    expect(many[0][2].values).toHaveLength(HISTORY_SEC / 300);
    expect(many[1][1].values).toHaveLength(3);
    expect(many[1][1].values.every((v) => Number.isFinite(v))).toBe(true);
    expect(many[0][2].values.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('the tick with forecast period 300 s and slot 60 s sends one GetMetricData per tick for its three series, both periods in it', async () => {
    const { requests, seriesPerRequest } = await requestsPerTick(true);
    expect(requests).toEqual(new Array(16).fill(1)); // ≤ one per series (3) on every tick
    for (const ids of seriesPerRequest) expect(ids).toEqual(IDS);
  }, 60_000);

  it('control: read query by query, the count sees two requests on the ticks the forecast is due', async () => {
    const { requests } = await requestsPerTick(false);
    expect(requests[0]).toBe(2);
    expect(requests[10]).toBe(2); // refit again after 600 s
    expect(requests[1]).toBe(1);
  }, 60_000);
});
