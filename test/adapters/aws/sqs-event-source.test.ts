import 'aws-sdk-client-mock-vitest/extend';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sqsApi } from '../../../src/adapters/aws/sdk.js';
import { parseEc2Event, SqsEventSource } from '../../../src/adapters/aws/sqs-event-source.js';

const sqs = mockClient(SQSClient);
const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/prescale-spot-events';

// Shapes from the EC2 User Guide ("Spot Instance interruption notices", "rebalance recommendations").
const interruption = JSON.stringify({
  version: '0', id: '12345678-1234-1234-1234-123456789012', 'detail-type': 'EC2 Spot Instance Interruption Warning', source: 'aws.ec2',
  account: '123456789012', time: '2026-11-21T12:00:00Z', region: 'us-east-1', resources: ['arn:aws:ec2:us-east-1b:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', 'instance-action': 'terminate' },
});
const rebalance = JSON.stringify({
  version: '0', id: '1', 'detail-type': 'EC2 Instance Rebalance Recommendation', source: 'aws.ec2', account: '123456789012',
  time: '2026-11-21T11:59:00Z', region: 'us-east-1', resources: [], detail: { 'instance-id': 'i-0aaaaaaaaaaaaaaaa' },
});

describe('SqsEventSource', () => {
  beforeEach(() => sqs.reset());

  it('parses the EC2 interruption warning (reclaimed 120 s after the notice) and the rebalance recommendation', () => {
    const at = Date.parse('2026-11-21T12:00:00Z') / 1000;
    expect(parseEc2Event(interruption)).toEqual({ kind: 'spot-interruption-notice', atSec: at, instanceId: 'i-1234567890abcdef0', actionAtSec: at + 120 });
    expect(parseEc2Event(rebalance)).toEqual({ kind: 'rebalance-recommendation', atSec: at - 60, instanceId: 'i-0aaaaaaaaaaaaaaaa' });
    expect(parseEc2Event('not json')).toBeUndefined();
    expect(parseEc2Event(JSON.stringify({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', time: '2026-11-21T12:00:00Z', detail: { 'instance-id': 'i-1' } }))).toBeUndefined();
  });

  it('drains with long polls until an empty long poll, and deletes nothing until the tick that used the events commits', async () => {
    sqs.on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'a', ReceiptHandle: 'ra', Body: interruption }, { MessageId: 'b', ReceiptHandle: 'rb', Body: '{"hello":1}' }] })
      .resolvesOnce({ Messages: [{ MessageId: 'c', ReceiptHandle: 'rc', Body: rebalance }] })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const src = new SqsEventSource({ api: sqsApi(new SQSClient({ region: 'us-east-1' })), queueUrl, pollBudgetSec: () => 4 });
    const events = await src.drainCloudEvents();
    expect(events.map((e) => e.kind)).toEqual(['rebalance-recommendation', 'spot-interruption-notice']);
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 3);
    // a crash here loses nothing: no message was deleted, SQS delivers them again after the visibility timeout
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageBatchCommand, 0);
    await src.commit();
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageBatchCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageBatchCommand, { QueueUrl: queueUrl, Entries: [{ Id: '0', ReceiptHandle: 'ra' }, { Id: '1', ReceiptHandle: 'rc' }] });
    await src.commit();
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageBatchCommand, 1);
  });

  it('long-polls for the time the tick can spare (WaitTimeSeconds at most 20), never a short poll', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    let budget = 7.6;
    const src = new SqsEventSource({ api: sqsApi(new SQSClient({ region: 'us-east-1' })), queueUrl, pollBudgetSec: () => budget });
    await src.drainCloudEvents();
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 7 });
    budget = 300;
    await src.drainCloudEvents();
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { WaitTimeSeconds: 20 });
    budget = 0;
    await src.drainCloudEvents();
    expect(sqs).toHaveReceivedNthCommandWith(ReceiveMessageCommand, 3, { WaitTimeSeconds: 1 });
  });

  it('delegates execution events to the configured reader', async () => {
    const src = new SqsEventSource({
      api: sqsApi(new SQSClient({ region: 'us-east-1' })), queueUrl,
      executionEvents: async (since, until) => [{ chainId: 'c', workflow: 'w', taskId: 't', taskType: 'x', kind: 'started', atSec: (since + until) / 2 }],
    });
    expect(await src.executionEvents(0, 60)).toEqual([expect.objectContaining({ atSec: 30 })]);
    expect(await new SqsEventSource({ api: sqsApi(new SQSClient({ region: 'us-east-1' })), queueUrl }).executionEvents(0, 60)).toEqual([]);
  });
});
