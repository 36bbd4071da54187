/**
 * The task backlog of each EC2 pool in AWS: the depth of its work queue, read from CloudWatch as the
 * metric math `(visible + not visible) × vCPU per step` over AWS/SQS `ApproximateNumberOfMessagesVisible`
 * and `ApproximateNumberOfMessagesNotVisible` (Maximum) of the pool's queue. The tick forecasts it as a
 * task backlog signal (demand beyond the steps it already knows from the events log). The stack passes
 * `PRESCALE_POOL_BACKLOG_QUEUES` = `{ "<pool id>": { "queueName": "...", "vcpuPerStep": n } }`; `vcpuPerStep`
 * is the mean vCPU of the catalog's steps on that pool (1 without any), because a queue message is one
 * step and the backlog is counted in vCPU. Source of the metrics: Amazon SQS Developer Guide,
 * "Available CloudWatch metrics for Amazon SQS".
 */
import { z } from 'zod';
import type { SeriesDefs } from '../adapters/aws/cloudwatch-metrics-source.js';
import type { TaskBacklogSignal } from '../app/tick.js';
import { InputError } from '../core/model/index.js';
import type { DeploymentConfig } from './deployment-config.js';

const PoolQueuesSchema = z.record(z.string().min(1), z.strictObject({ queueName: z.string().min(1).max(80), vcpuPerStep: z.number().positive().max(1024) }));

/** Series id of a pool's backlog. */
export function backlogSeriesId(poolId: string): string {
  return `prescale:queue-backlog:${poolId}`;
}

/** The pools' queues from `PRESCALE_POOL_BACKLOG_QUEUES` (absent: none). @throws InputError on a malformed value */
export function poolQueuesFromEnv(env: NodeJS.ProcessEnv): z.infer<typeof PoolQueuesSchema> {
  const raw = env.PRESCALE_POOL_BACKLOG_QUEUES;
  if (!raw) return {};
  let json: unknown;
  try { json = JSON.parse(raw); } catch { throw new InputError({ field: 'PRESCALE_POOL_BACKLOG_QUEUES' }, raw.slice(0, 80), 'JSON { "<pool>": { "queueName", "vcpuPerStep" } }'); }
  const parsed = PoolQueuesSchema.safeParse(json);
  if (!parsed.success) throw new InputError({ field: `PRESCALE_POOL_BACKLOG_QUEUES.${parsed.error.issues[0]?.path.join('.') ?? ''}` }, raw.slice(0, 80), parsed.error.issues[0]?.message ?? 'a valid pool queue map');
  return parsed.data;
}

/** The tick's backlog signals: one per backlog series {@link withPoolBacklog} added. */
export function backlogSignalsOf(config: DeploymentConfig): TaskBacklogSignal[] {
  const prefix = backlogSeriesId('');
  return Object.keys(config.aws.series).filter((id) => id.startsWith(prefix)).sort().map((seriesId) => ({ seriesId, poolId: seriesId.slice(prefix.length) }));
}

/** The configuration with each EC2 pool's backlog series (queue depth) added, and the tick's backlog signals. */
export function withPoolBacklog(config: DeploymentConfig, env: NodeJS.ProcessEnv): { config: DeploymentConfig; signals: TaskBacklogSignal[] } {
  const queues = poolQueuesFromEnv(env);
  const ec2 = new Set(config.controller.pools.filter((p) => p.kind === 'ec2').map((p) => p.id));
  const series: SeriesDefs = { ...config.aws.series };
  const signals: TaskBacklogSignal[] = [];
  for (const [poolId, q] of Object.entries(queues).sort(([a], [b]) => a.localeCompare(b))) {
    if (!ec2.has(poolId)) continue;
    const dims = { QueueName: q.queueName };
    series[backlogSeriesId(poolId)] = {
      kind: 'expression',
      expression: `(visible + inflight) * ${q.vcpuPerStep}`,
      metrics: {
        visible: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: dims, stat: 'Maximum' },
        inflight: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesNotVisible', dimensions: dims, stat: 'Maximum' },
      },
    };
    signals.push({ seriesId: backlogSeriesId(poolId), poolId });
  }
  return { config: { ...config, aws: { ...config.aws, series } }, signals };
}
