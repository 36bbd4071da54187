/**
 * A stateful in-memory ElastiCache behind aws-sdk-client-mock, for the cache half of the CloudProvider
 * contract. moto 5.2 serves CreateReplicationGroup / DescribeReplicationGroups / DeleteReplicationGroup
 * but none of the modifications the AWS provider sends (IncreaseReplicaCount, DecreaseReplicaCount,
 * ModifyReplicationGroupShardConfiguration), so this fake stands in for them, with ElastiCache's rules:
 * a group is `modifying` for a lead time after a change, and a change to a group that is not
 * `available` fails with InvalidReplicationGroupStateFault (one modification at a time).
 */
import {
  DecreaseReplicaCountCommand, DescribeReplicationGroupsCommand, ElastiCacheClient, IncreaseReplicaCountCommand,
  ModifyReplicationGroupShardConfigurationCommand, type DecreaseReplicaCountCommandInput, type DescribeReplicationGroupsCommandInput,
  type IncreaseReplicaCountCommandInput, type ModifyReplicationGroupShardConfigurationCommandInput, type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError } from './fake-ec2.js';

interface Group {
  readonly id: string;
  readonly nodeType: string;
  shards: number;
  replicas: number;
  change?: { readonly shards: number; readonly replicas: number; readonly readyAtMs: number };
}

/** See the module comment. Time is `nowMs`, moved by the test. */
export class FakeElastiCache {
  readonly mock = mockClient(ElastiCacheClient);
  nowMs = Date.UTC(2026, 10, 21, 12);
  /** An AWS error code every modification answers with (e.g. `ThrottlingException`), until cleared. */
  failWith: string | undefined;
  private readonly groups = new Map<string, Group>();

  /**
   * @param growMs how long adding nodes takes, ms
   * @param shrinkMs how long removing nodes takes, ms
   */
  constructor(private readonly growMs: number, private readonly shrinkMs: number) {
    this.mock.on(DescribeReplicationGroupsCommand).callsFake((i: DescribeReplicationGroupsCommandInput) => this.describe(i));
    this.mock.on(IncreaseReplicaCountCommand).callsFake((i: IncreaseReplicaCountCommandInput) => this.modify(i.ReplicationGroupId, undefined, i.NewReplicaCount));
    this.mock.on(DecreaseReplicaCountCommand).callsFake((i: DecreaseReplicaCountCommandInput) => this.modify(i.ReplicationGroupId, undefined, i.NewReplicaCount));
    this.mock.on(ModifyReplicationGroupShardConfigurationCommand).callsFake((i: ModifyReplicationGroupShardConfigurationCommandInput) => this.modify(i.ReplicationGroupId, i.NodeGroupCount, undefined));
  }

  /** Creates an available replication group. */
  addGroup(id: string, nodeType: string, shards: number, replicasPerShard: number): void {
    this.groups.set(id, { id, nodeType, shards, replicas: replicasPerShard });
  }

  private settle(g: Group): void {
    if (g.change && g.change.readyAtMs <= this.nowMs) {
      g.shards = g.change.shards;
      g.replicas = g.change.replicas;
      g.change = undefined;
    }
  }

  private describe(i: DescribeReplicationGroupsCommandInput): { ReplicationGroups: ReplicationGroup[] } {
    const g = i.ReplicationGroupId ? this.groups.get(i.ReplicationGroupId) : undefined;
    if (!g) throw awsError('ReplicationGroupNotFoundFault', `replication group ${i.ReplicationGroupId} not found`);
    this.settle(g);
    return {
      ReplicationGroups: [{
        ReplicationGroupId: g.id, Status: g.change ? 'modifying' : 'available', CacheNodeType: g.nodeType,
        NodeGroups: Array.from({ length: g.shards }, (_, s) => ({ NodeGroupId: String(s + 1).padStart(4, '0'), NodeGroupMembers: Array.from({ length: g.replicas + 1 }, () => ({})) })),
      }],
    };
  }

  private modify(id: string | undefined, shards: number | undefined, replicas: number | undefined): { ReplicationGroup: ReplicationGroup } {
    if (this.failWith) throw awsError(this.failWith);
    const g = id ? this.groups.get(id) : undefined;
    if (!g) throw awsError('ReplicationGroupNotFoundFault', `replication group ${id} not found`);
    this.settle(g);
    if (g.change) throw awsError('InvalidReplicationGroupStateFault', `replication group ${id} is not available`);
    const next = { shards: shards ?? g.shards, replicas: replicas ?? g.replicas };
    const grow = next.shards * (1 + next.replicas) >= g.shards * (1 + g.replicas);
    g.change = { ...next, readyAtMs: this.nowMs + (grow ? this.growMs : this.shrinkMs) };
    return { ReplicationGroup: { ReplicationGroupId: g.id, Status: 'modifying' } };
  }
}
