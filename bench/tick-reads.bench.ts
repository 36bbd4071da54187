/**
 * DynamoDB reads of one controller tick against days of execution history: the execution log read
 * from the stored cursor (execution-log-cursor.ts) against the former time-window read from sequence
 * 0, on dynalite (DynamoDB's API on LevelDB, in-process). Counts the items each tick's Query calls read
 * (DynamoDB bills what a Query reads, filtered or not) and its read requests (the tick state GetItem,
 * the cursor GetItem, the log Query pages). History: one execution event every 2 minutes for 1, 7 and
 * 28 days; then 10 warm ticks, one minute apart, each after one new event. Writes its section of
 * docs/benchmarks.md. Run: `npm run bench:tick-reads` (about a minute).
 */
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { CursorLogReader } from '../src/adapters/aws/execution-log-cursor.js';
import { createStateTable, DynamoDbStateStore, dynamoDbApi, type DynamoDbApi } from '../src/adapters/aws/dynamodb-state-store.js';
import type { ExecutionEvent } from '../src/core/model/index.js';
import { writeBenchSection } from './lib/write-section.js';

const DAYS = [1, 7, 28];
const EVENT_EVERY_SEC = 120;
const TICKS = 10;
const T0 = 1_795_000_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const ev = (atSec: number, i: number): ExecutionEvent => ({ chainId: `c${i % 50}`, workflow: 'w', taskId: `t${i}`, taskType: 'x', kind: 'started', atSec });

async function run(): Promise<void> {
  const loadAtStart = loadavg()[0];
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const rows: string[] = [];
  for (const days of DAYS) {
    const table = `bench-${days}`;
    await createStateTable(client, table);
    const api = dynamoDbApi(client);
    const count = { items: 0, requests: 0 };
    const counted: DynamoDbApi = {
      ...api,
      query: async (i) => { const r = await api.query(i); count.items += r.ScannedCount ?? 0; count.requests++; return r; },
      getItem: async (i) => { count.requests++; return api.getItem(i); },
    };
    const store = new DynamoDbStateStore(counted, table);
    const n = Math.floor((days * 86_400) / EVENT_EVERY_SEC);
    for (let i = 0; i < n; i += 1000) {
      await store.append('execution-events', Array.from({ length: Math.min(1000, n - i) }, (_, k) => ev(T0 + (i + k) * EVENT_EVERY_SEC, i + k)));
    }
    let now = T0 + n * EVENT_EVERY_SEC;
    const reader = new CursorLogReader<ExecutionEvent>(store, 'execution-events');
    await reader.read(now - 7 * 86_400, now); // the cold start that sets the cursor
    const cursor: number[][] = [];
    const window: number[][] = [];
    for (let t = 0; t < TICKS; t++) {
      await store.append('execution-events', [ev(now + 30, n + t)]);
      const since = now;
      now += 60;
      count.items = 0; count.requests = 0;
      await store.get('tick', 'state');
      const a = await reader.read(since, now);
      cursor.push([count.items, count.requests, a.length]);
      count.items = 0; count.requests = 0;
      await store.get('tick', 'state');
      const b = await store.readLog<ExecutionEvent>('execution-events', { fromSec: since, toSec: now });
      window.push([count.items, count.requests, b.length]);
      if (a.length !== b.length) throw new Error(`cursor read ${a.length} events, window read ${b.length}`);
    }
    const m = (xs: number[][], k: number) => median(xs.map((x) => x[k]));
    rows.push(`| ${days} | ${n.toLocaleString('en-US')} | ${m(cursor, 0)} | ${m(cursor, 1)} | ${m(window, 0).toLocaleString('en-US')} | ${m(window, 1)} |`);
    console.log(rows[rows.length - 1]);
  }
  client.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  writeBenchSection('tick-reads', 'DynamoDB reads per tick against days of history', [
    `One execution event every ${EVENT_EVERY_SEC} s of history; ${TICKS} warm ticks a minute apart, one new event each; medians per tick.`,
    'Items read = what the tick\'s Query calls read (DynamoDB bills them, FilterExpression or not); requests = GetItem (tick state, cursor) + Query pages.',
    '',
    '| days of history | log entries | cursor read: items read | cursor read: requests | former read from sequence 0: items read | former: requests |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'With the cursor a tick reads the one new entry whatever the history; the former read grew with every entry ever logged (TTL now also expires entries after 35 days).',
    `1-minute load average when the run started: ${loadAtStart.toFixed(1)} (dynalite in-process; request counts do not depend on the machine).`,
  ].join('\n'), 'npm run bench:tick-reads');
}

await run();
