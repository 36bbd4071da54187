import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../../src/adapters/aws/dynamodb-state-store.js';
import { InputError } from '../../../src/core/model/index.js';
import { VersionConflictError } from '../../../src/ports/index.js';
import { startDynalite, type Dynalite } from './dynalite-server.js';

let db: Dynalite;
let n = 0;
beforeAll(async () => { db = await startDynalite(); });
afterAll(async () => { await db.close(); });

async function store(): Promise<DynamoDbStateStore> {
  const client = db.client();
  const table = `state-${n++}`;
  await createStateTable(client, table);
  return new DynamoDbStateStore(dynamoDbApi(client), table);
}

describe('DynamoDbStateStore', () => {
  it('lets only one of two overlapping ticks take the tick lease for the same minute', async () => {
    const a = await store();
    const claims = await Promise.allSettled([0, 1].map((i) => a.put('ticks', '2026-11-21T12:00:00Z', { holder: `tick-${i}` }, { ifVersion: 0 })));
    expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    expect(claims.find((c) => c.status === 'rejected')).toMatchObject({ reason: expect.any(VersionConflictError) });
    await a.close();
  });

  it('appends more entries than one BatchWriteItem takes (25) and reads them back with a window and a limit', async () => {
    const s = await store();
    await s.append('decisions', Array.from({ length: 60 }, (_, i) => ({ atSec: i * 10, i })));
    const all = await s.readLog<{ i: number }>('decisions');
    expect(all.map((e) => e.i)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect((await s.readLog<{ i: number }>('decisions', { fromSec: 300, limit: 3 })).map((e) => e.i)).toEqual([30, 31, 32]);
    await s.close();
  });

  it('rejects empty keys and non-JSON values with InputError before writing', async () => {
    const s = await store();
    await expect(s.put('t', '', 1)).rejects.toBeInstanceOf(InputError);
    await expect(s.put('t', 'k', undefined)).rejects.toBeInstanceOf(InputError);
    expect(await s.list('t')).toEqual([]);
    await s.close();
  });
});
