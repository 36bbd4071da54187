/** Starts dynalite (a DynamoDB implementation on LevelDB) in-process on a free port. */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A running dynalite with a client factory. */
export interface Dynalite {
  readonly endpoint: string;
  client(): DynamoDBClient;
  close(): Promise<void>;
}

/** Starts dynalite in memory with instant table creation. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    client: () => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
