import { describe, expect, it } from 'vitest';
import { DynamoDbRouteTable } from '../../../src/adapters/aws/dynamodb-route-table.js';
import type { StepClassRoute } from '../../../src/core/model/index.js';

const route = (taskType: string, r: StepClassRoute['route']): StepClassRoute => ({ poolId: 'batch', taskType, route: r, memoryMiB: 1769, validFromSec: 1_767_571_200, validUntilSec: 1_767_571_320, expectedEc2WaitSec: 90, lambdaUsd: 1e-5, ec2Usd: 1e-3, reason: 'test' });

describe('the decision table as the StepRouter', () => {
  it('writes a burst route as the route item the machines read, and a later non-burst route over it, but no item for classes never routed to burst', async () => {
    const puts: Array<Record<string, unknown>> = [];
    const table = new DynamoDbRouteTable({ putItem: async (i) => { puts.push(i as unknown as Record<string, unknown>); } }, 'decisions');
    await table.publish([route('mProject', 'burst'), route('mAdd', 'ec2')]);
    expect(puts).toEqual([{ TableName: 'decisions', Item: { pk: { S: 'route#batch#mProject' }, route: { S: 'burst' }, validUntil: { S: '2026-01-05T00:02:00.000Z' }, memoryMiB: { N: '1769' }, reason: { S: 'test' } } }]);
    await table.publish([route('mProject', 'headroom'), route('mAdd', 'headroom')]);
    expect(puts).toHaveLength(2);
    expect((puts[1]!.Item as { route: { S: string } }).route.S).toBe('headroom');
  });
});
