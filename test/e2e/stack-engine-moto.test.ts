/**
 * End to end on moto (Step Functions execution on, SQS, DynamoDB): the state machine definition the
 * CDK stack synthesizes for a catalog variant, with its DefinitionSubstitutions filled in as
 * CloudFormation would (the pool queue URL, the variant decision table), runs on moto; a pool worker
 * polling moto's SQS runs the registered catalog tasks and writes its step events to a DynamoDB state
 * table; the execution status handler adds the execution's submitted steps to the same log; the tick's
 * chain book reads them back. One moto server per execution (moto 5.2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { executionInput, executionName } from '../../src/core/engine/index.js';
import type { ExecutionEvent, TaskDefinition } from '../../src/core/model/index.js';
import { createStateTable, DynamoDbStateStore, dynamoDbApi } from '../../src/adapters/aws/dynamodb-state-store.js';
import { LocalExecutor } from '../../src/adapters/executor/local-executor.js';
import { SfnWorkflowEngine } from '../../src/adapters/engine/sfn-engine.js';
import { SqsTaskQueue } from '../../src/adapters/engine/sqs-task-queue.js';
import { AjvSchemaChecker } from '../../src/adapters/schema/ajv-schema-checker.js';
import { PoolWorker } from '../../src/app/worker/pool-worker.js';
import { recordStatusChange } from '../../src/handlers/execution-status.js';
import { EXECUTION_LOG } from '../../src/handlers/aws-ports.js';
import { silentLogger } from '../../src/ports/logger.js';
import { machineTable } from '../../cdk/lib/execution-status.js';
import { motoSkipReason, startMoto, type Moto } from '../adapters/engine/moto-server.js';
import { synthStack } from '../cdk/stack-fixture.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';

const skip = motoSkipReason();
if (skip) console.warn(skip);

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.catalog.json');
const TASKS = resolve(__dirname, '../fixtures/tasks');
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

let moto: Moto | undefined;
let worker: PoolWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  await moto?.stop();
  worker = undefined;
  moto = undefined;
});

describe.skipIf(skip !== undefined)('the stack\'s compiled state machine on moto', () => {
  it('runs a catalog variant on a pool worker, and the events log holds the submitted, started and finished steps', async () => {
    const { stack, template } = synthStack({ 'prescale:chainsConfig': CATALOG });
    const spot = stack.stateMachines!.variants.find((v) => v.compiled.variant === 'spot')!;
    const res = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((r) => (r as { Properties: { StateMachineName: string } }).Properties.StateMachineName === spot.compiled.name) as { Properties: { DefinitionString: string; DefinitionSubstitutions: Record<string, unknown> } };
    expect(Object.keys(res.Properties.DefinitionSubstitutions)).toEqual(expect.arrayContaining(['PoolQueueUrl0', 'VariantDecisionTable']));

    moto = await startMoto();
    const cfg = { endpoint: moto.endpoint, region: 'us-east-1', credentials: creds };
    const sqs = new SQSClient(cfg);
    const ddb = new DynamoDBClient(cfg);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'prescale-pool-web' }));
    await ddb.send(new CreateTableCommand({ TableName: 'decisions', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    await createStateTable(ddb, 'state');
    const store = new DynamoDbStateStore(dynamoDbApi(ddb), 'state');
    // what CloudFormation does with DefinitionSubstitutions
    const definitionJson = res.Properties.DefinitionString.replaceAll('${PoolQueueUrl0}', QueueUrl!).replaceAll('${VariantDecisionTable}', 'decisions');
    const engine = new SfnWorkflowEngine({ sfn: new SFNClient(cfg), dynamodb: ddb, roleArn: 'arn:aws:iam::123456789012:role/prescale-state-machines', decisionTable: 'decisions' });
    const machineRef = await engine.deploy({ name: spot.compiled.name, definitionJson });

    const byId = new Map<string, TaskDefinition>(Object.entries(spot.tasks));
    worker = new PoolWorker({
      poolId: 'web', queue: new SqsTaskQueue(sqs, QueueUrl!), callbacks: engine, executor: new LocalExecutor(TASKS), schemas: new AjvSchemaChecker(),
      tasks: async (m) => (m.workflow === 'text-stats' && m.variant === 'spot' ? byId.get(m.taskId) : undefined),
      events: store, clock: systemClock, logger: silentLogger, vcpu: 2, instanceId: 'i-0123456789abcdef0',
    }, { receiveWaitSec: 1 });
    void worker.run();

    const name = executionName('chain-7', 'key-1');
    const input = executionInput(spot.compiled, 'chain-7', { text: '  The Quick  Brown Fox ' });
    const { executionRef } = await engine.start(machineRef, name, input);
    // the EventBridge event Step Functions emits for the start, through the status handler
    const machines = new Map(Object.entries(machineTable([spot])));
    const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:${spot.compiled.name}`;
    await expect(recordStatusChange({ detail: { stateMachineArn: arn, name, status: 'RUNNING', startDate: Date.now(), input: JSON.stringify(input) } }, { machines, store })).resolves.toBe(2);

    let d = await engine.describe(executionRef);
    for (const end = Date.now() + 60_000; d.status === 'RUNNING' && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 250));
      d = await engine.describe(executionRef);
    }
    expect(d.status).toBe('SUCCEEDED');
    expect(d.output).toMatchObject({ count: { output: { words: 4 } } });
    const log = await store.readLog<ExecutionEvent>(EXECUTION_LOG, { fromSec: 0 });
    const kinds = log.map((e) => `${e.taskId}:${e.kind}`);
    expect(kinds.filter((k) => k.endsWith(':submitted')).sort()).toEqual(['count:submitted', 'normalize:submitted']);
    expect(kinds.filter((k) => k.endsWith(':finished')).sort()).toEqual(['count:finished', 'normalize:finished']);
    expect(log.every((e) => e.chainId === 'chain-7' && e.executionName === name)).toBe(true);
  }, 120_000);
});
