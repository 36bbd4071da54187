/**
 * The scheduled report writer against real AWS APIs (a moto server serving DynamoDB and S3): the
 * controller's state (executions, chains, decisions) is written into a DynamoDB state store, the
 * handler runs from its environment, and the report files land in the bucket under reports/latest/
 * and reports/<date>/ with their content types; the learning loop's figures come from the tick memory
 * the controller saved in the same table. Skips with a message without moto; fails on CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../src/adapters/aws/dynamodb-state-store.js';
import { parseReportJson } from '../../src/app/report/html/index.js';
import { InputError } from '../../src/core/model/errors.js';
import { createReportWriterHandler } from '../../src/handlers/report-writer.js';
import { motoMissing, startMoto, type Moto } from '../adapters/aws/moto-server.js';
import { LIVE_T0, seedLiveStore } from '../unit/report/live-fixture.js';
import { LAST_TICK, seedLearning } from '../unit/report/live-learning-fixture.js';

let moto: Moto;
beforeAll(async () => { if (!motoMissing) moto = await startMoto(); }, 60_000);
afterAll(async () => { await moto?.close(); });

const silent = { info: () => {}, error: () => {} } as never;
const FILES = ['report.json', 'report.md', 'timeline.csv', 'events.csv', 'attribution.csv', 'report.html'];

describe.skipIf(!!motoMissing)('report writer on a moto server (DynamoDB state store → S3 reports bucket)', () => {
  let s3: S3Client;
  let dynamodb: DynamoDBClient;
  const table = 'prescale-state-report';
  const bucket = 'prescale-reports-test';
  beforeAll(async () => {
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    dynamodb = new DynamoDBClient(moto.clientConfig);
    await createStateTable(dynamodb, table);
    await seedLiveStore(new DynamoDbStateStore(dynamoDbApi(dynamodb), table));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }, 60_000);

  const body = async (key: string) => {
    const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: await o.Body!.transformToString(), contentType: o.ContentType };
  };

  it('writes every report file under reports/latest/ and reports/<date>/ with its content type, for the window ending at the event time', async () => {
    const end = new Date((LIVE_T0 + 3 * 3600) * 1000).toISOString();
    const handler = createReportWriterHandler({ PRESCALE_STATE_TABLE: table, PRESCALE_REPORTS_BUCKET: bucket, PRESCALE_REPORT_WINDOW_SEC: String(3 * 3600) }, { s3, dynamodb, logger: silent });
    const out = await handler({ time: end });
    expect(out).toMatchObject({ fromSec: LIVE_T0, toSec: LIVE_T0 + 3 * 3600 });
    const listed = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/' }))).Contents!.map((c) => c.Key).sort();
    expect(listed).toEqual([...FILES.map((f) => `reports/2026-01-05/${f}`), ...FILES.map((f) => `reports/latest/${f}`)].sort());

    const json = await body('reports/latest/report.json');
    expect(json.contentType).toBe('application/json');
    const report = parseReportJson(json.text, 'report.json');
    expect(report.policies[0]).toMatchObject({ chainsSubmitted: 2, cost: { totalUsd: 0.27 } });
    const md = await body('reports/2026-01-05/report.md');
    expect(md.contentType).toBe('text/markdown; charset=utf-8');
    expect(md.text.split('\n')[2]).toMatch(/^## Verdict: /);
    const html = await body('reports/latest/report.html');
    expect(html.contentType).toBe('text/html; charset=utf-8');
    expect(html.text).toContain('<svg role="img"');
    expect(html.text).toContain(`s3://${bucket}/reports/2026-01-05/`);
    expect(html.text).not.toContain(tmpdir());
    expect((await body('reports/latest/timeline.csv')).text.split('\n').length).toBeGreaterThan(30);
  }, 120_000);

  it('reports the learning loop from the tick memory the controller saved in the DynamoDB state table: reliability per decile, Brier over time, bundles against single steps (issue 22)', async () => {
    const learningTable = 'prescale-state-learning';
    await createStateTable(dynamodb, learningTable);
    const store = new DynamoDbStateStore(dynamoDbApi(dynamodb), learningTable);
    await seedLiveStore(store);
    const model = await seedLearning(store);
    const handler = createReportWriterHandler({ PRESCALE_STATE_TABLE: learningTable, PRESCALE_REPORTS_BUCKET: bucket, PRESCALE_REPORT_WINDOW_SEC: String(4 * 3600) }, { s3, dynamodb, logger: silent });
    await handler({ time: new Date((LIVE_T0 + 4 * 3600) * 1000).toISOString() });
    const p = parseReportJson((await body('reports/latest/report.json')).text, 'report.json').policies[0];
    const c = p.nextStep!.calibration!;
    expect(c.outcomes).toBe(model.summary().outcomes);
    expect(c.deciles.map((d) => d.n)).toEqual(model.summary().reliability.bins.map((b) => b.n));
    expect(c.brierOverTime.map((b) => b.startSec)).toEqual([LIVE_T0, LIVE_T0 + 3600, LIVE_T0 + 7200, LIVE_T0 + 10_800]);
    expect(p.bundles).toMatchObject({ asOfSec: LAST_TICK, edges: 1, bundle: { settled: 10, hits: 8, savedPerWastedCpuSec: 2 }, single: { settled: 10, hits: 5, savedPerWastedCpuSec: 1 } });
    const html = (await body('reports/latest/report.html')).text;
    expect(html).toContain('data-chart="calibration"');
    expect(html).toContain('data-chart="bundles"');
  }, 120_000);

  it('fails with one line naming the bucket when the upload is refused, and throws so the Lambda retries', async () => {
    const lines: string[] = [];
    const handler = createReportWriterHandler({ PRESCALE_STATE_TABLE: table, PRESCALE_REPORTS_BUCKET: 'no-such-bucket-prescale' }, { s3, dynamodb, logger: { info: () => {}, error: (m: string) => lines.push(m) } as never });
    await expect(handler({ time: new Date(LIVE_T0 * 1000 + 3_600_000).toISOString() })).rejects.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^report writer failed: .*bucket/i);
    expect(lines[0]).not.toContain('\n');
  }, 60_000);

  it('runs as the Lambda bundle (esbuild ESM, as cdk bundles it) from a directory with no node_modules, writing to the bucket from its environment', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prescale-report-lambda-'));
    await build({
      entryPoints: [path.resolve(__dirname, '../../src/handlers/report-writer.ts')], outfile: path.join(dir, 'index.mjs'),
      bundle: true, platform: 'node', format: 'esm', target: 'node20', mainFields: ['module', 'main'], logLevel: 'silent',
      banner: { js: "import { createRequire as __r } from 'module'; const require = __r(import.meta.url);" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'prescale-reports-bundle' }));
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(path.join(dir, 'index.mjs'))}); await m.handler({ time: ${JSON.stringify(new Date((LIVE_T0 + 3600) * 1000).toISOString())} });`], {
      cwd: dir, encoding: 'utf8', timeout: 60_000,
      env: {
        PATH: process.env.PATH, AWS_ENDPOINT_URL: moto.clientConfig.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
        PRESCALE_STATE_TABLE: table, PRESCALE_REPORTS_BUCKET: 'prescale-reports-bundle',
      },
    });
    expect(run.status, run.stderr).toBe(0);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'prescale-reports-bundle', Prefix: 'reports/latest/' }))).Contents!.map((c) => c.Key).sort();
    expect(keys).toEqual(FILES.map((f) => `reports/latest/${f}`).sort());
    const md = await (await s3.send(new GetObjectCommand({ Bucket: 'prescale-reports-bundle', Key: 'reports/latest/report.md' }))).Body!.transformToString();
    expect(md).toMatch(/^# .*\n\n## Verdict: /);
  }, 120_000);

  it('rejects a bad PRESCALE_REPORT_WINDOW_SEC with one line naming the variable before any AWS call', async () => {
    const handler = createReportWriterHandler({ PRESCALE_STATE_TABLE: table, PRESCALE_REPORTS_BUCKET: bucket, PRESCALE_REPORT_WINDOW_SEC: '7d' }, { s3, dynamodb, logger: silent });
    await expect(handler({})).rejects.toThrow(InputError);
    await expect(handler({})).rejects.toThrow(/PRESCALE_REPORT_WINDOW_SEC.*7d/);
  });
});
