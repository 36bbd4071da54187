import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorLogReader } from '../../../src/adapters/aws/execution-log-cursor.js';
import { createStateTable, DEFAULT_LOG_RETENTION_SEC, DynamoDbStateStore, dynamoDbApi, type DynamoDbApi } from '../../../src/adapters/aws/dynamodb-state-store.js';
import type { ExecutionEvent } from '../../../src/core/model/index.js';
import { EXECUTION_LOG, executionEventsReader } from '../../../src/handlers/aws-ports.js';
import { startDynalite, type Dynalite } from './dynalite-server.js';

let db: Dynalite;
let n = 0;
beforeAll(async () => { db = await startDynalite(); });
afterAll(async () => { await db.close(); });

/** A store over dynalite whose Query calls count the items they read. */
async function countingStore(): Promise<{ store: DynamoDbStateStore; client: DynamoDBClient; table: string; readItems: () => number }> {
  const client = db.client();
  const table = `cursor-${n++}`;
  await createStateTable(client, table);
  const api = dynamoDbApi(client);
  let items = 0;
  const counted: DynamoDbApi = { ...api, query: async (i) => { const r = await api.query(i); items += r.ScannedCount ?? r.Items?.length ?? 0; return r; } };
  return { store: new DynamoDbStateStore(counted, table), client, table, readItems: () => items };
}

const ev = (atSec: number, i: number): ExecutionEvent => ({ chainId: `c${i}`, workflow: 'w', taskId: 't', taskType: 'x', kind: 'started', atSec });
const T0 = 1_795_000_000;

describe('execution log read from a stored cursor', () => {
  it('a warm tick reads only the entries appended since the previous tick, not the log from sequence 0', async () => {
    const { store, readItems } = await countingStore();
    await store.append(EXECUTION_LOG, Array.from({ length: 400 }, (_, i) => ev(T0 + i * 60, i)));
    const read = executionEventsReader(store);
    const now = T0 + 400 * 60;
    expect(await read(now - 7 * 86_400, now)).toHaveLength(400);
    await store.append(EXECUTION_LOG, [ev(now + 5, 400), ev(now + 30, 401)]);
    const before = readItems();
    const next = await read(now, now + 60);
    expect(next.map((e) => e.chainId)).toEqual(['c400', 'c401']);
    expect(readItems() - before).toBe(2);
    // nothing new: nothing read
    const quiet = readItems();
    expect(await read(now + 60, now + 120)).toEqual([]);
    expect(readItems() - quiet).toBe(0);
  });

  it('returns an entry stamped after the window on the read whose window holds it', async () => {
    const { store } = await countingStore();
    const read = executionEventsReader(store);
    await store.append(EXECUTION_LOG, [ev(T0 + 10, 0), ev(T0 + 90, 1), ev(T0 + 20, 2)]);
    expect((await read(T0, T0 + 60)).map((e) => e.chainId)).toEqual(['c0', 'c2']);
    expect((await read(T0 + 60, T0 + 120)).map((e) => e.chainId)).toEqual(['c1']);
  });

  it('a cold start re-reading the history window starts at the checkpoint before it, not at sequence 0', async () => {
    const { store, readItems } = await countingStore();
    const warm = new CursorLogReader<ExecutionEvent>(store, EXECUTION_LOG, { checkpointEverySec: 3600 });
    // ten "days" of 1 entry per hour, read every hour (scaled: an hour of history per step)
    let t = T0;
    for (let h = 0; h < 240; h++, t += 3600) {
      await store.append(EXECUTION_LOG, [ev(t + 1, h)]);
      await warm.read(t, t + 3600);
    }
    const cold = new CursorLogReader<ExecutionEvent>(store, EXECUTION_LOG);
    const before = readItems();
    const got = await cold.read(t - 2 * 86_400, t);
    expect(got).toHaveLength(48);
    expect(readItems() - before).toBeLessThanOrEqual(49);
  });

  it('gives every log entry a TTL of its time plus the retention (35 days by default)', async () => {
    const { store, client, table } = await countingStore();
    await store.append('decisions', [{ atSec: T0 }]);
    const res = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'l#decisions' } } }));
    expect(res.Items?.[0].expiresAt).toEqual({ N: String(T0 + DEFAULT_LOG_RETENTION_SEC) });
  });
});
