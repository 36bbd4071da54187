/**
 * DynamoDB as the {@link StateStore}: one table with a string partition key `pk` and sort key `sk`
 * (the CDK app creates it; {@link createStateTable} creates the same shape for tests).
 *
 * Items: `pk = "t#<table>"`, `sk = <key>`, `v` = the value as JSON, `ver` = version. Every put is an
 * `UpdateItem` that adds 1 to `ver`; `ifVersion` becomes a `ConditionExpression` (`attribute_not_exists`
 * for 0, `ver = :expected` otherwise), so of two overlapping ticks writing the same item only one
 * succeeds (DynamoDB Developer Guide, "Condition expressions" / optimistic locking).
 *
 * Logs: a counter item `pk = "c#<log>"` allocates sequence numbers atomically (`ADD n :count`), then
 * entries are written as `pk = "l#<log>"`, `sk` = zero-padded sequence, `at` = atSec (filtered on).
 * Sort keys compare by UTF-8 bytes, so key order matches the contract's byte order.
 *
 * Log entries carry `expiresAt` (epoch seconds, `atSec + logRetentionSec`), the table's TTL attribute
 * (cdk/lib/storage.ts), so DynamoDB deletes old entries and a log read never grows with the account's
 * age. {@link DynamoDbStateStore.readLogSince} reads from a sequence number (a key condition, so only
 * the entries after it are read) and returns where the next read starts: the controller keeps that
 * cursor (execution-log-cursor.ts) instead of reading the log from sequence 0 every tick.
 */
import {
  BatchWriteItemCommand, type BatchWriteItemCommandInput, type BatchWriteItemCommandOutput,
  CreateTableCommand, waitUntilTableExists, DeleteItemCommand, type DeleteItemCommandInput, type DeleteItemCommandOutput,
  DynamoDBClient, GetItemCommand, type GetItemCommandInput, type GetItemCommandOutput,
  QueryCommand, type QueryCommandInput, type QueryCommandOutput,
  UpdateItemCommand, type UpdateItemCommandInput, type UpdateItemCommandOutput, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { InputError } from '../../core/model/index.js';
import { VersionConflictError, type StateStore, type Versioned } from '../../ports/index.js';
import { awsErrorCode } from './errors.js';

/** The DynamoDB operations the store uses. */
export interface DynamoDbApi {
  getItem(i: GetItemCommandInput): Promise<GetItemCommandOutput>;
  updateItem(i: UpdateItemCommandInput): Promise<UpdateItemCommandOutput>;
  deleteItem(i: DeleteItemCommandInput): Promise<DeleteItemCommandOutput>;
  query(i: QueryCommandInput): Promise<QueryCommandOutput>;
  batchWriteItem(i: BatchWriteItemCommandInput): Promise<BatchWriteItemCommandOutput>;
  destroy(): void;
}

/** Wraps a DynamoDB client as {@link DynamoDbApi}. */
export function dynamoDbApi(c: DynamoDBClient): DynamoDbApi {
  return {
    getItem: (i) => c.send(new GetItemCommand(i)),
    updateItem: (i) => c.send(new UpdateItemCommand(i)),
    deleteItem: (i) => c.send(new DeleteItemCommand(i)),
    query: (i) => c.send(new QueryCommand(i)),
    batchWriteItem: (i) => c.send(new BatchWriteItemCommand(i)),
    destroy: () => c.destroy(),
  };
}

/**
 * Creates a table of the store's shape (on-demand billing) and waits until it is ACTIVE (DynamoDB,
 * dynalite and moto answer ResourceNotFoundException to item calls while a table is CREATING).
 * Used by tests against dynalite. @throws the SDK's error when the table is not ACTIVE within 60 s
 */
export async function createStateTable(c: DynamoDBClient, tableName: string): Promise<void> {
  await c.send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await waitUntilTableExists({ client: c, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
}

/** Sequence numbers are padded to this many digits so string order is numeric order. */
const SEQ_DIGITS = 15;
/** BatchWriteItem takes at most 25 requests (DynamoDB quotas). */
const BATCH = 25;

const seqKey = (n: number): string => String(n).padStart(SEQ_DIGITS, '0');

/** The TTL attribute of log entries (the state table's `timeToLiveAttribute`). */
export const TTL_ATTRIBUTE = 'expiresAt';
/** How long log entries are kept by default: 35 days (a 7-day history window with four weeks to spare for reports). */
export const DEFAULT_LOG_RETENTION_SEC = 35 * 86_400;

/** Options of {@link DynamoDbStateStore}. */
export interface DynamoDbStateStoreOptions {
  /** Seconds after its `atSec` a log entry expires (DynamoDB TTL). @default 35 days */
  readonly logRetentionSec?: number;
}

/** See module documentation. */
export class DynamoDbStateStore implements StateStore {
  private readonly logRetentionSec: number;

  constructor(private readonly api: DynamoDbApi, private readonly tableName: string, opts: DynamoDbStateStoreOptions = {}) {
    this.logRetentionSec = opts.logRetentionSec ?? DEFAULT_LOG_RETENTION_SEC;
  }

  /**
   * Log entries from sequence `fromSeq` on (a key condition: nothing before it is read), each with its
   * sequence number, and `nextSeq`, the sequence after the last entry read.
   */
  async readLogSince<T>(log: string, fromSeq: number): Promise<{ entries: Array<{ seq: number; value: T }>; nextSeq: number }> {
    const entries: Array<{ seq: number; value: T }> = [];
    let start: Record<string, AttributeValue> | undefined;
    let nextSeq = fromSeq;
    do {
      const res = await this.api.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :s',
        ExpressionAttributeValues: { ':pk': { S: `l#${log}` }, ':s': { S: seqKey(fromSeq) } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      });
      for (const it of res.Items ?? []) {
        const seq = Number(it.sk.S);
        entries.push({ seq, value: JSON.parse(it.v.S!) as T });
        nextSeq = Math.max(nextSeq, seq + 1);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return { entries, nextSeq };
  }

  async get<T>(table: string, key: string): Promise<Versioned<T> | undefined> {
    const res = await this.api.getItem({ TableName: this.tableName, Key: this.key(table, key), ConsistentRead: true });
    if (!res.Item) return undefined;
    return { value: JSON.parse(res.Item.v.S!) as T, version: Number(res.Item.ver.N) };
  }

  async put<T>(table: string, key: string, value: T, opts: { ifVersion?: number } = {}): Promise<number> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new InputError({ field: `${table}/${key}` }, value, 'a JSON-serialisable value');
    const cond = opts.ifVersion === undefined ? {}
      : opts.ifVersion === 0 ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'ver = :expected', ExpressionAttributeValues: { ':expected': { N: String(opts.ifVersion) } } };
    try {
      const res = await this.api.updateItem({
        TableName: this.tableName,
        Key: this.key(table, key),
        UpdateExpression: 'SET v = :v ADD ver :one',
        ...cond,
        ExpressionAttributeValues: { ':v': { S: json }, ':one': { N: '1' }, ...(cond.ExpressionAttributeValues ?? {}) },
        ReturnValues: 'UPDATED_NEW',
      });
      return Number(res.Attributes!.ver.N);
    } catch (err) {
      if (awsErrorCode(err) !== 'ConditionalCheckFailedException') throw err;
      const found = await this.get(table, key);
      throw new VersionConflictError(table, key, opts.ifVersion === 0 ? 'absent' : opts.ifVersion!, found ? found.version : 'absent');
    }
  }

  async delete(table: string, key: string): Promise<void> {
    await this.api.deleteItem({ TableName: this.tableName, Key: this.key(table, key) });
  }

  async list<T>(table: string, opts: { prefix?: string; limit?: number } = {}): Promise<Array<{ key: string } & Versioned<T>>> {
    const out: Array<{ key: string } & Versioned<T>> = [];
    let start: Record<string, AttributeValue> | undefined;
    const prefix = opts.prefix ?? '';
    do {
      const res = await this.api.query({
        TableName: this.tableName,
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `t#${table}` }, ...(prefix ? { ':p': { S: prefix } } : {}) },
        ConsistentRead: true,
        ...(opts.limit !== undefined ? { Limit: opts.limit - out.length } : {}),
        ExclusiveStartKey: start,
      });
      for (const it of res.Items ?? []) out.push({ key: it.sk.S!, value: JSON.parse(it.v.S!) as T, version: Number(it.ver.N) });
      start = res.LastEvaluatedKey;
    } while (start && (opts.limit === undefined || out.length < opts.limit));
    return out;
  }

  async append<T extends { readonly atSec: number }>(log: string, entries: readonly T[]): Promise<void> {
    if (entries.length === 0) return;
    entries.forEach((e, i) => {
      if (!Number.isFinite(e.atSec)) throw new InputError({ field: `${log}[${i}].atSec` }, e.atSec, 'a finite number of epoch seconds');
    });
    const res = await this.api.updateItem({
      TableName: this.tableName,
      Key: { pk: { S: `c#${log}` }, sk: { S: '#' } },
      UpdateExpression: 'ADD n :count',
      ExpressionAttributeValues: { ':count': { N: String(entries.length) } },
      ReturnValues: 'UPDATED_NEW',
    });
    const first = Number(res.Attributes!.n.N) - entries.length;
    const puts = entries.map((e, i) => ({
      PutRequest: {
        Item: {
          pk: { S: `l#${log}` }, sk: { S: seqKey(first + i) }, at: { N: String(e.atSec) }, v: { S: JSON.stringify(e) },
          [TTL_ATTRIBUTE]: { N: String(Math.ceil(e.atSec + this.logRetentionSec)) },
        },
      },
    }));
    for (let i = 0; i < puts.length; i += BATCH) {
      let pending: BatchWriteItemCommandInput['RequestItems'] = { [this.tableName]: puts.slice(i, i + BATCH) };
      for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
        if (attempt > 8) throw new Error(`DynamoDB left log ${log} entries unprocessed after ${attempt} attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await this.api.batchWriteItem({ RequestItems: pending });
        pending = out.UnprocessedItems;
      }
    }
  }

  async readLog<T>(log: string, opts: { fromSeq?: number; fromSec?: number; toSec?: number; limit?: number } = {}): Promise<T[]> {
    const out: T[] = [];
    const filters: string[] = [];
    const values: Record<string, AttributeValue> = { ':pk': { S: `l#${log}` }, ':s': { S: seqKey(opts.fromSeq ?? 0) } };
    if (opts.fromSec !== undefined) { filters.push('#at >= :f'); values[':f'] = { N: String(opts.fromSec) }; }
    if (opts.toSec !== undefined) { filters.push('#at < :t'); values[':t'] = { N: String(opts.toSec) }; }
    let start: Record<string, AttributeValue> | undefined;
    do {
      const res = await this.api.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :s',
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: { '#at': 'at' } } : {}),
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      });
      for (const it of res.Items ?? []) {
        out.push(JSON.parse(it.v.S!) as T);
        if (opts.limit !== undefined && out.length >= opts.limit) return out;
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async close(): Promise<void> {
    this.api.destroy();
  }

  private key(table: string, key: string): Record<string, AttributeValue> {
    if (key.length === 0) throw new InputError({ field: `${table}.key` }, key, 'a non-empty key (DynamoDB sort keys cannot be empty)');
    return { pk: { S: `t#${table}` }, sk: { S: key } };
  }
}
