/**
 * The scheduled report writer Lambda: reads the controller's DynamoDB state store (decision log,
 * executions, chains) for the last window, builds the report directory with `exportLiveReport`
 * (report.json, report.md, timeline.csv, events.csv, attribution.csv and report.html; the HTML's
 * charts are ECharts server-side SVG strings, no browser) under the Lambda's /tmp, and uploads every
 * file to the reports bucket twice: `reports/latest/<file>` and `reports/<YYYY-MM-DD>/<file>` (the
 * UTC date of the window's end; a later run the same day replaces that day's files, and the bucket's
 * versioning keeps the replaced ones for 30 days).
 *
 * - Event: an EventBridge scheduled event; its `time` is the window's end (else the clock's now).
 * - Environment: `PRESCALE_STATE_TABLE`, `PRESCALE_REPORTS_BUCKET`, `PRESCALE_REPORT_WINDOW_SEC`
 *   (window length, seconds, default 7 days, at most the log retention of 35 days),
 *   `PRESCALE_REPORT_STEP_SEC` (timeline step, seconds, default 300), `AWS_REGION`.
 * - Errors: one line in the log (`report writer failed: …`) and the error is thrown, so the Lambda's
 *   asynchronous retries and the stack's error alarm see it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { DEFAULT_LOG_RETENTION_SEC, DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { exportLiveReport } from '../adapters/report/index.js';
import { InputError } from '../core/model/errors.js';
import type { StateStore } from '../ports/state-store.js';

/** Default window of the scheduled report: 7 days, in seconds. */
export const DEFAULT_REPORT_WINDOW_SEC = 7 * 86_400;
/** Default timeline step of the scheduled report, seconds (the `export-report --step` default). */
export const DEFAULT_REPORT_STEP_SEC = 300;
/** Key prefix of the reports in the bucket (the function may write only under it). */
export const REPORTS_PREFIX = 'reports/';

/** Content-Type of each file the report directory holds (IANA media types; text as UTF-8). */
export const REPORT_CONTENT_TYPES: Readonly<Record<string, string>> = {
  'report.json': 'application/json',
  'report.md': 'text/markdown; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
  'timeline.csv': 'text/csv; charset=utf-8',
  'events.csv': 'text/csv; charset=utf-8',
  'attribution.csv': 'text/csv; charset=utf-8',
};

/** The one S3 call the writer makes (a subset of S3Client, so tests can point it at moto). */
export interface ReportObjectApi {
  putObject(input: PutObjectCommandInput): Promise<unknown>;
}

/** S3Client as {@link ReportObjectApi}. */
export function reportObjectApi(c: S3Client): ReportObjectApi {
  return { putObject: (i) => c.send(new PutObjectCommand(i)) };
}

/** What one run needs. */
export interface ReportWriterDeps {
  readonly store: StateStore;
  readonly s3: ReportObjectApi;
  readonly bucket: string;
  /** Window length, seconds. */
  readonly windowSec: number;
  /** Timeline step, seconds. */
  readonly stepSec: number;
  /** Where the data comes from, recorded in report.json's sources and the page footer. */
  readonly source: string;
  /** Clock, epoch seconds (used when the event carries no `time`). */
  readonly nowSec: () => number;
  readonly logger?: Pick<Logger, 'info' | 'error'>;
}

/** The EventBridge scheduled event (only `time` is read). */
export interface ReportWriterEvent {
  /** ISO 8601 time the schedule fired. */
  readonly time?: string;
}

/** What a run wrote. */
export interface ReportWriterResult {
  readonly bucket: string;
  /** Object keys written, latest and dated. */
  readonly keys: string[];
  readonly fromSec: number;
  readonly toSec: number;
}

/**
 * Reads a positive whole number of seconds from the environment.
 * @throws InputError naming the variable, the value and the accepted range
 */
export function envSeconds(env: NodeJS.ProcessEnv, name: string, fallback: number, maxSec: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0 || v > maxSec) throw new InputError({ field: name }, raw, `a whole number of seconds 1..${maxSec}`);
  return v;
}

/**
 * Builds the report for the window ending at the event's `time` (or now) and uploads its files.
 * @throws Error when the state store cannot be read, the report cannot be built or an upload fails
 */
export async function writeScheduledReport(deps: ReportWriterDeps, event: ReportWriterEvent = {}): Promise<ReportWriterResult> {
  const eventMs = event.time === undefined ? Number.NaN : Date.parse(event.time);
  const toSec = Number.isFinite(eventMs) ? Math.floor(eventMs / 1000) : Math.floor(deps.nowSec());
  const fromSec = toSec - deps.windowSec;
  const day = new Date(toSec * 1000).toISOString().slice(0, 10);
  const work = await mkdtemp(path.join(tmpdir(), 'prescale-report-'));
  try {
    const files = await exportLiveReport(deps.store, path.join(work, 'report'), {
      fromSec, toSec, bucketSec: deps.stepSec, policy: 'prescale', source: deps.source,
      htmlSource: `${deps.source}, published to s3://${deps.bucket}/${REPORTS_PREFIX}${day}/`,
    });
    const keys: string[] = [];
    const puts: Array<Promise<unknown>> = [];
    for (const file of files) {
      const name = path.basename(file);
      const body = await readFile(file);
      const contentType = REPORT_CONTENT_TYPES[name] ?? 'application/octet-stream';
      for (const key of [`${REPORTS_PREFIX}${day}/${name}`, `${REPORTS_PREFIX}latest/${name}`]) {
        keys.push(key);
        puts.push(deps.s3.putObject({ Bucket: deps.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: 'no-cache' }));
      }
    }
    await Promise.all(puts);
    deps.logger?.info(`report written to s3://${deps.bucket}/${REPORTS_PREFIX}latest/ and ${REPORTS_PREFIX}${day}/`, { fromSec, toSec, objects: keys.length });
    return { bucket: deps.bucket, keys, fromSec, toSec };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Clients the handler uses (defaults: the SDK's from the Lambda environment). */
export interface ReportWriterClients {
  readonly dynamodb?: DynamoDBClient;
  readonly s3?: S3Client;
  readonly logger?: Logger;
}

/**
 * Builds the handler from the environment (see module documentation). A missing or bad variable
 * makes every invocation fail with one line naming it, before any AWS call.
 */
export function createReportWriterHandler(env: NodeJS.ProcessEnv = process.env, clients: ReportWriterClients = {}): (event?: ReportWriterEvent) => Promise<ReportWriterResult> {
  const logger = clients.logger ?? new Logger({ serviceName: 'prescale-report-writer' });
  return async (event = {}) => {
    try {
      const table = env.PRESCALE_STATE_TABLE ?? '';
      const bucket = env.PRESCALE_REPORTS_BUCKET ?? '';
      if (table === '') throw new InputError({ field: 'PRESCALE_STATE_TABLE' }, table, 'the name of the controller\'s DynamoDB state table');
      if (bucket === '') throw new InputError({ field: 'PRESCALE_REPORTS_BUCKET' }, bucket, 'the name of the reports bucket');
      const windowSec = envSeconds(env, 'PRESCALE_REPORT_WINDOW_SEC', DEFAULT_REPORT_WINDOW_SEC, DEFAULT_LOG_RETENTION_SEC);
      const stepSec = envSeconds(env, 'PRESCALE_REPORT_STEP_SEC', DEFAULT_REPORT_STEP_SEC, 86_400);
      const dynamodb = clients.dynamodb ?? new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5 });
      const s3 = clients.s3 ?? new S3Client({});
      const store = new DynamoDbStateStore(dynamoDbApi(dynamodb), table);
      return await writeScheduledReport({
        store, s3: reportObjectApi(s3), bucket, windowSec, stepSec, source: `DynamoDB state table ${table}`,
        nowSec: () => Date.now() / 1000, logger,
      }, event);
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
      logger.error(`report writer failed: ${msg}`);
      throw e;
    }
  };
}

/** The Lambda entry point. */
export const handler = createReportWriterHandler();
