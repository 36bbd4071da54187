/** Queue depth per EC2 pool as the tick's task backlog: CloudWatch metric math over the pool queue's SQS metrics. */
import { describe, expect, it } from 'vitest';
import { backlogSignalsOf, backlogSeriesId, withPoolBacklog } from '../../src/handlers/pool-backlog.js';
import { parseDeploymentConfig } from '../../src/handlers/deployment-config.js';
import { parseSeriesDefs } from '../../src/adapters/aws/cloudwatch-metrics-source.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const config = parseDeploymentConfig(JSON.parse(readFileSync(resolve(__dirname, '../../cdk/config/prescale.config.example.json'), 'utf8')), 'example');

describe('pool backlog from queue depth', () => {
  it('adds (visible + in flight) × vCPU per step of the pool queue as a backlog series and signal', () => {
    const env = { PRESCALE_POOL_BACKLOG_QUEUES: JSON.stringify({ web: { queueName: 'Prescale-web-queue', vcpuPerStep: 2 }, ghost: { queueName: 'q', vcpuPerStep: 1 } }) };
    const { config: c, signals } = withPoolBacklog(config, env);
    expect(signals).toEqual([{ seriesId: backlogSeriesId('web'), poolId: 'web' }]);
    expect(backlogSignalsOf(c)).toEqual(signals);
    const def = c.aws.series[backlogSeriesId('web')]!;
    expect(def).toEqual({
      kind: 'expression', expression: '(visible + inflight) * 2',
      metrics: {
        visible: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'Prescale-web-queue' }, stat: 'Maximum' },
        inflight: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesNotVisible', dimensions: { QueueName: 'Prescale-web-queue' }, stat: 'Maximum' },
      },
    });
    // the CloudWatch metrics source accepts the generated definitions
    expect(() => parseSeriesDefs(c.aws.series)).not.toThrow();
    expect(c.aws.series['web-requests']).toEqual(config.aws.series['web-requests']);
  });

  it('adds nothing without PRESCALE_POOL_BACKLOG_QUEUES, and names the variable on a malformed value', () => {
    expect(withPoolBacklog(config, {}).signals).toEqual([]);
    expect(backlogSignalsOf(config)).toEqual([]);
    expect(() => withPoolBacklog(config, { PRESCALE_POOL_BACKLOG_QUEUES: '{' })).toThrow(/PRESCALE_POOL_BACKLOG_QUEUES/);
    expect(() => withPoolBacklog(config, { PRESCALE_POOL_BACKLOG_QUEUES: JSON.stringify({ web: { queueName: 'q', vcpuPerStep: -1 } }) })).toThrow(/PRESCALE_POOL_BACKLOG_QUEUES\.web\.vcpuPerStep/);
  });
});
