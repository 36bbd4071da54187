/**
 * The stack's decision table as the `StepRouter` (issue 19, item 5): each burst route becomes the item
 * `{ pk: route#<poolId>#<taskType>, route, validUntil (ISO 8601), memoryMiB, reason }` that the
 * compiled machines' route Choice reads (src/core/engine/compile.ts). Only classes whose route
 * changed or whose window needs extending are written; a route the table does not hold counts as `ec2`.
 */
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { routeKey, type StepClassRoute } from '../../core/model/index.js';
import type { StepRouter } from '../../ports/step-router.js';

/** The narrow DynamoDB surface the route table uses. */
export interface RouteTableApi {
  putItem(input: PutItemCommand['input']): Promise<unknown>;
}

/** A {@link RouteTableApi} over the SDK client. */
export function routeTableApi(c: DynamoDBClient): RouteTableApi {
  return { putItem: (i) => c.send(new PutItemCommand(i)) };
}

/** See module documentation. */
export class DynamoDbRouteTable implements StepRouter {
  private readonly last = new Map<string, { route: string; validUntilSec: number }>();

  /** @param tableName the stack's decision table (PRESCALE_DECISION_TABLE) */
  constructor(private readonly api: RouteTableApi, private readonly tableName: string) {}

  async publish(routes: readonly StepClassRoute[]): Promise<void> {
    for (const r of routes) {
      const pk = routeKey(r.poolId, r.taskType);
      const prev = this.last.get(pk);
      // an unchanged non-burst route needs no write (absent or expired counts as ec2 anyway)
      if (r.route !== 'burst' && (prev === undefined || prev.route !== 'burst')) continue;
      await this.api.putItem({
        TableName: this.tableName,
        Item: {
          pk: { S: pk }, route: { S: r.route }, validUntil: { S: new Date(r.validUntilSec * 1000).toISOString() },
          ...(r.memoryMiB !== undefined ? { memoryMiB: { N: String(r.memoryMiB) } } : {}), reason: { S: r.reason.slice(0, 500) },
        },
      });
      this.last.set(pk, { route: r.route, validUntilSec: r.validUntilSec });
    }
  }
}
