/**
 * ElastiCache replication groups as cache pools: `DescribeReplicationGroups` for the shape, and one
 * modification per command (`ModifyReplicationGroupShardConfiguration` for shards, else
 * `IncreaseReplicaCount` / `DecreaseReplicaCount`), since ElastiCache rejects a second modification
 * while a group is `modifying` (InvalidReplicationGroupState).
 */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import type { ApplyResult, CacheGroupState, CachePool, ScaleCacheCommand } from '../../core/model/index.js';
import { readCall, toApplyError } from './errors.js';
import type { ElastiCacheApi } from './sdk.js';

/** Shape of a replication group: shards (node groups) and replicas per shard (members − primary). */
export function groupShape(g: ReplicationGroup): { shards: number; replicasPerShard: number } {
  const groups = g.NodeGroups ?? [];
  const shards = groups.length;
  const replicasPerShard = shards === 0 ? 0 : Math.max(0, Math.min(...groups.map((n) => (n.NodeGroupMembers?.length ?? 1) - 1)));
  return { shards, replicasPerShard };
}

/** Reads and scales the replication groups of cache pools. */
export class ElastiCacheGroups {
  /** Targets of modifications this process started, per pool, to report `pending`. */
  private readonly targets = new Map<string, { shards: number; replicasPerShard: number; readyAtSec: number }>();

  constructor(
    private readonly api: ElastiCacheApi,
    private readonly groupIdOf: (pool: CachePool) => string,
    private readonly priceOf: (nodeType: string) => Promise<number>,
  ) {}

  /** Current state of every cache pool's group. @throws AwsThrottledError / AwsUnauthorizedError */
  async describe(pools: readonly CachePool[]): Promise<CacheGroupState[]> {
    const out: CacheGroupState[] = [];
    for (const pool of pools) {
      const g = await this.group(this.groupIdOf(pool));
      const shape = groupShape(g);
      const target = this.targets.get(pool.id);
      const modifying = g.Status === 'modifying';
      if (!modifying) this.targets.delete(pool.id);
      const nodeType = g.CacheNodeType ?? pool.nodeType;
      out.push({
        poolId: pool.id,
        replicationGroupId: g.ReplicationGroupId ?? this.groupIdOf(pool),
        nodeType,
        ...shape,
        ...(modifying && target ? { pending: target } : {}),
        priceUsdPerNodeHour: await this.priceOf(nodeType),
      });
    }
    return out;
  }

  /** Applies one change toward the command's shape (shards first); `partial` when more remains. */
  async scale(pool: CachePool, cmd: ScaleCacheCommand, nowSec: number, dryRun: boolean): Promise<ApplyResult> {
    const id = this.groupIdOf(pool);
    const base = { commandId: cmd.id, instanceIds: [] as string[] };
    try {
      const g = await this.group(id);
      const cur = groupShape(g);
      const needShards = cur.shards !== cmd.shards;
      const needReplicas = cur.replicasPerShard !== cmd.replicasPerShard;
      if (!needShards && !needReplicas) return { ...base, status: 'applied' };
      if (g.Status !== 'available') {
        return { ...base, status: 'failed', error: { code: 'retry-later', message: `replication group ${id} is ${g.Status}; one modification at a time, retry on a later tick` } };
      }
      if (dryRun) return { ...base, status: 'dry-run' };
      if (needShards) {
        const remove = (g.NodeGroups ?? []).map((n) => n.NodeGroupId ?? '').sort().slice(cmd.shards);
        await this.api.modifyReplicationGroupShardConfiguration({
          ReplicationGroupId: id, NodeGroupCount: cmd.shards, ApplyImmediately: true,
          ...(cmd.shards < cur.shards ? { NodeGroupsToRemove: remove } : {}),
        });
      } else if (cmd.replicasPerShard > cur.replicasPerShard) {
        await this.api.increaseReplicaCount({ ReplicationGroupId: id, NewReplicaCount: cmd.replicasPerShard, ApplyImmediately: true });
      } else {
        await this.api.decreaseReplicaCount({ ReplicationGroupId: id, NewReplicaCount: cmd.replicasPerShard, ApplyImmediately: true });
      }
      const leadSec = cmd.shards > cur.shards || cmd.replicasPerShard > cur.replicasPerShard ? pool.addLeadTimeSec : pool.removeLeadTimeSec;
      const target = needShards ? { shards: cmd.shards, replicasPerShard: cur.replicasPerShard } : { shards: cur.shards, replicasPerShard: cmd.replicasPerShard };
      this.targets.set(pool.id, { ...target, readyAtSec: nowSec + leadSec });
      return { ...base, status: needShards && needReplicas ? 'partial' : 'applied' };
    } catch (err) {
      const action = 'elasticache:ModifyReplicationGroupShardConfiguration / IncreaseReplicaCount / DecreaseReplicaCount';
      return { ...base, status: 'failed', error: toApplyError(err, [action]) };
    }
  }

  private async group(id: string): Promise<ReplicationGroup> {
    const res = await readCall('elasticache:DescribeReplicationGroups', () => this.api.describeReplicationGroups({ ReplicationGroupId: id }));
    const g = res.ReplicationGroups?.[0];
    if (!g) throw new Error(`replication group ${id} not found`);
    return g;
  }
}
