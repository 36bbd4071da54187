import { afterAll, beforeAll } from 'vitest';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../../src/adapters/aws/dynamodb-state-store.js';
import { describeStateStoreContract } from '../../contract/state-store.contract.js';
import { startDynalite, type Dynalite } from './dynalite-server.js';

let db: Dynalite;
let n = 0;
beforeAll(async () => { db = await startDynalite(); });
afterAll(async () => { await db.close(); });

describeStateStoreContract('DynamoDB (dynalite)', async () => {
  const client = db.client();
  const table = `prescale-state-${n++}`;
  await createStateTable(client, table);
  return new DynamoDbStateStore(dynamoDbApi(client), table);
});
