/**
 * The AWS adapters against a real AWS API implementation (a moto server per file, see moto-server.ts):
 * EC2 launches and terminations, Auto Scaling desired capacity, SQS spot events, the DynamoDB state
 * store's log cursor and TTL. Skips with a message without python3/moto; fails on CI without them.
 * What moto does not serve (ClientToken idempotency, describe lag, specific error codes) is covered
 * over aws-sdk-client-mock in the other files.
 */
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateLaunchTemplateCommand, DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoScalingPools, autoScalingApi } from '../../../src/adapters/aws/auto-scaling-pools.js';
import { AwsCloudProvider } from '../../../src/adapters/aws/aws-cloud-provider.js';
import { AwsPriceCatalog } from '../../../src/adapters/aws/aws-price-catalog.js';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../../src/adapters/aws/dynamodb-state-store.js';
import { CursorLogReader } from '../../../src/adapters/aws/execution-log-cursor.js';
import { ec2Api, pricingApi, sqsApi } from '../../../src/adapters/aws/sdk.js';
import { SqsEventSource } from '../../../src/adapters/aws/sqs-event-source.js';
import { OWNER_TAG_KEY, type ExecutionEvent, type LaunchCommand } from '../../../src/core/model/index.js';
import { awsError } from './fake-ec2.js';
import { motoMissing, startMoto, type Moto } from './moto-server.js';
import { ManualClock, testPool } from './provider-fixture.js';

let moto: Moto;
beforeAll(async () => { if (!motoMissing) moto = await startMoto(); }, 60_000);
afterAll(async () => { await moto?.close(); });

const launch = (id: string, count: number, offeringId = 'm5.large/on-demand/us-east-1a'): LaunchCommand =>
  ({ kind: 'launch', id, poolId: 'web', reason: 'moto', offeringId, count, needAtSec: 0, expectedCostUsdPerHour: 0.1 });

describe.skipIf(!!motoMissing)('AWS adapters on a moto server', () => {
  async function ec2Provider() {
    mockClient(PricingClient).on(GetProductsCommand).rejects(awsError('AccessDeniedException'));
    const ec2 = new EC2Client(moto.clientConfig);
    const ami = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
    const lt = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `web-${Math.random().toString(36).slice(2)}`, LaunchTemplateData: { ImageId: ami } }));
    const clock = new ManualClock();
    const owner = `owner-${Math.random().toString(36).slice(2)}`;
    /** A provider as a new process builds it: the same account and owner, no memory of earlier calls. */
    const make = () => new AwsCloudProvider({
      ec2: ec2Api(new EC2Client(moto.clientConfig)), prices: new AwsPriceCatalog({ api: pricingApi(new PricingClient({ region: 'us-east-1' })), clock }),
      clock, region: 'us-east-1', pools: [testPool()], launchTemplates: { web: { launchTemplateId: lt.LaunchTemplate!.LaunchTemplateId! } },
      owner,
    });
    return { ec2, ami, make };
  }

  it('launches with CreateFleet, tags the instances, and a restarted provider finds the command tag instead of launching again', async () => {
    const { make } = await ec2Provider();
    const p = make();
    const first = await p.apply(launch('moto-l-1', 2));
    expect(first).toMatchObject({ status: 'applied' });
    expect(first.instanceIds).toHaveLength(2);
    const snap = await p.describeCapacity();
    expect(snap.instances.map((i) => i.commandId)).toEqual(['moto-l-1', 'moto-l-1']);
    const restarted = make();
    const again = await restarted.apply(launch('moto-l-1', 2));
    expect(again.status).toBe('duplicate');
    expect([...again.instanceIds].sort()).toEqual([...first.instanceIds].sort());
    expect((await restarted.describeCapacity()).instances).toHaveLength(2);
  });

  it('terminates the owned instances of the pool and reports a stale id and a foreign instance', async () => {
    const { ec2, ami, make } = await ec2Provider();
    const p = make();
    const mine = await p.apply(launch('moto-t-1', 1));
    const foreign = (await ec2.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, InstanceType: 'm5.large' }))).Instances![0].InstanceId!;
    const res = await p.apply({ kind: 'terminate', id: 'moto-t-2', poolId: 'web', reason: 'moto', instanceIds: [mine.instanceIds[0], foreign, 'i-0123456789abcdef0'] });
    expect(res).toMatchObject({ status: 'partial', instanceIds: [mine.instanceIds[0]], error: { code: 'not-owned' } });
    expect(res.error?.message).toContain(foreign);
    expect(res.error?.message).toContain('i-0123456789abcdef0');
    const states = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [mine.instanceIds[0], foreign] }));
    const byId = new Map(states.Reservations!.flatMap((r) => r.Instances!).map((i) => [i.InstanceId, i.State?.Name]));
    expect(['shutting-down', 'terminated']).toContain(byId.get(mine.instanceIds[0]));
    expect(byId.get(foreign)).toBe('running');
  });

  it('sets an absolute Auto Scaling desired capacity once per command id, retries included', async () => {
    const { ec2, ami } = await ec2Provider();
    const lt = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'asg-web', LaunchTemplateData: { ImageId: ami, InstanceType: 'm5.large' } }));
    const asg = new AutoScalingClient(moto.clientConfig);
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web-asg', MinSize: 0, MaxSize: 10, DesiredCapacity: 1, AvailabilityZones: ['us-east-1a'],
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
      Tags: [{ Key: OWNER_TAG_KEY, Value: 'prescale', PropagateAtLaunch: true }],
    }));
    const pools = new AutoScalingPools(autoScalingApi(asg), false);
    expect(await pools.launch({ name: 'web-asg' }, launch('moto-a-1', 3))).toMatchObject({ status: 'applied', launchedCount: 3 });
    expect(await new AutoScalingPools(autoScalingApi(asg), false).launch({ name: 'web-asg' }, launch('moto-a-1', 3))).toMatchObject({ status: 'duplicate' });
    const g = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups![0];
    expect(g.DesiredCapacity).toBe(4);
    expect(g.Tags?.find((t) => t.Key === 'prescale:last-target')?.Value).toBe('4');
  });

  it('keeps spot events on the queue until commit, so a tick that crashed before persisting sees them again', async () => {
    const sqs = new SQSClient(moto.clientConfig);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'spot-events' }))).QueueUrl!;
    const body = (i: number) => JSON.stringify({ source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', time: '2026-11-21T12:00:00Z', detail: { 'instance-id': `i-${String(i).padStart(17, '0')}` } });
    for (let b = 0; b < 2; b++) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, k) => ({ Id: String(k), MessageBody: body(b * 10 + k) })) }));
    }
    const source = () => new SqsEventSource({ api: sqsApi(sqs), queueUrl: url, pollBudgetSec: () => 1, visibilityTimeoutSec: 1 });
    const crashed = await source().drainCloudEvents();
    expect(crashed).toHaveLength(20);
    await new Promise((r) => setTimeout(r, 1500)); // the visibility timeout passes; the tick never committed
    const next = source();
    expect(await next.drainCloudEvents()).toHaveLength(20);
    await next.commit();
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(Number(attrs.Attributes!.ApproximateNumberOfMessages) + Number(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(0);
  }, 20_000);

  it('reads the execution log from its cursor and writes the TTL attribute, on DynamoDB', async () => {
    const client = new DynamoDBClient(moto.clientConfig);
    await createStateTable(client, 'state');
    const store = new DynamoDbStateStore(dynamoDbApi(client), 'state');
    const ev = (atSec: number, i: number): ExecutionEvent => ({ chainId: `c${i}`, workflow: 'w', taskId: 't', taskType: 'x', kind: 'started', atSec });
    await store.append('execution-events', Array.from({ length: 30 }, (_, i) => ev(1_795_000_000 + i, i)));
    const reader = new CursorLogReader<ExecutionEvent>(store, 'execution-events');
    expect(await reader.read(1_794_000_000, 1_795_000_030)).toHaveLength(30);
    await store.append('execution-events', [ev(1_795_000_040, 30)]);
    expect((await reader.read(1_795_000_030, 1_795_000_090)).map((e) => e.chainId)).toEqual(['c30']);
    const items = await client.send(new QueryCommand({ TableName: 'state', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'l#execution-events' } } }));
    expect(items.Items?.every((it) => Number(it.expiresAt?.N) === Number(it.at.N) + 35 * 86_400)).toBe(true);
  });
});
