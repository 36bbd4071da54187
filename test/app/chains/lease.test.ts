import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../../src/adapters/aws/dynamodb-state-store.js';
import { SqliteStateStore } from '../../../src/adapters/sqlite/sqlite-state-store.js';
import { Lease } from '../../../src/app/chains/lease.js';
import type { StateStore } from '../../../src/ports/index.js';
import { startDynalite, type Dynalite } from '../../adapters/aws/dynalite-server.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrincipalSchema } from '../../../src/core/model/index.js';
import { baseConfig, buildService, recordRef, tempDir } from '../../fixtures/tasks/service.js';
import { driveUntilSettled, ManualClock } from '../../fakes/manual-clock.js';

let dynalite: Dynalite;
let n = 0;
beforeAll(async () => { dynalite = await startDynalite(); });
afterAll(async () => { await dynalite.close(); });

const stores: Array<[string, () => Promise<StateStore>]> = [
  ['SQLite', async () => new SqliteStateStore(':memory:')],
  ['DynamoDB (dynalite)', async () => {
    const client = dynalite.client();
    const table = `prescale-lease-${n++}`;
    await createStateTable(client, table);
    return new DynamoDbStateStore(dynamoDbApi(client), table);
  }],
];

describe.each(stores)('execution lease on the %s state store', (_name, open) => {
  it('one owner at a time: another takes over only after expiry, and the first then loses its renewal', async () => {
    const store = await open();
    const clock = new ManualClock(1000);
    const a = new Lease(store, clock, 'alice/c/e1', 'proc-a', 30);
    const b = new Lease(store, clock, 'alice/c/e1', 'proc-b', 30);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    clock.advanceTo(clock.nowSec() + 20);
    expect(await a.renew()).toBe(true); // expires at 1050 now
    clock.advanceTo(clock.nowSec() + 25);
    expect(await b.acquire()).toBe(false); // 1045 < 1050: still a's
    clock.advanceTo(clock.nowSec() + 10);
    expect(await b.acquire()).toBe(true); // expired: taken over
    expect(await a.renew()).toBe(false);
    expect(a.isHeld).toBe(false);
    await b.release();
    expect(await a.acquire()).toBe(true); // released: no need to wait for expiry
    await store.close();
  });

  it('two chain services on one store: the second one\'s resume leaves the running execution to the first, every step runs once', async () => {
    const store = await open();
    const clock = new ManualClock(1_700_000_000);
    const a = buildService(baseConfig({ leaseSec: 30 }), { store, ownerId: 'proc-a', clock }).service;
    const b = buildService(baseConfig({ leaseSec: 30 }), { store, ownerId: 'proc-b', clock }).service;
    const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
    const chain = await a.createChain(alice, { tasks: [recordRef('a'), recordRef('b', ['a']), recordRef('c', ['b'])], pool: 'od' });
    const dir = tempDir();
    const { executionId } = await a.trigger(alice, chain.chainId, { runsDir: dir, sleepMs: 150 });
    // b resumes every 20 s of simulated time for 100 s, more than three lease periods: a's renewals
    // (every leaseSec / 3) keep the execution a's, however slowly the steps run on this machine
    for (let i = 0; i < 5; i++) {
      await b.resume();
      await clock.advanceMs(20_000);
    }
    await driveUntilSettled(clock, Promise.all([a.idle(), b.idle()]), 50);
    expect((await a.getExecution(alice, chain.chainId, executionId)).status).toBe('succeeded');
    const count = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim().split('\n').length : 0);
    for (const t of ['a', 'b', 'c']) expect([count(`${t}.start`), count(`${t}.done`)]).toEqual([1, 1]);
    await a.close();
    await b.close();
    await store.close();
  });

  it('two owners racing for a free lease: exactly one wins', async () => {
    const store = await open();
    const clock = new ManualClock(5000);
    const leases = Array.from({ length: 8 }, (_, i) => new Lease(store, clock, 'bob/c/e2', `proc-${i}`, 30));
    const won = await Promise.all(leases.map((l) => l.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
    await store.close();
  });
});
