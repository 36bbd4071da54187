/**
 * Real-API tests of the Step Functions engine and the SQS task queue against moto (Step Functions
 * execution on): a pool worker polling moto's SQS completes a compiled machine's steps through
 * `sqs:sendMessage.waitForTaskToken` + SendTaskSuccess / SendTaskFailure, checked with
 * GetExecutionHistory. One moto server per execution (see moto-server.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { assembleDag } from '../../../src/core/compose/index.js';
import { compileVariant, DEFAULT_DECISION_TABLE, executionInput, executionName, sinkOutputs, STEP_ERRORS } from '../../../src/core/engine/index.js';
import type { ExecutionEvent, TaskDefinition, Workflow } from '../../../src/core/model/index.js';
import { SfnWorkflowEngine } from '../../../src/adapters/engine/sfn-engine.js';
import { SqsTaskQueue } from '../../../src/adapters/engine/sqs-task-queue.js';
import { AjvSchemaChecker } from '../../../src/adapters/schema/ajv-schema-checker.js';
import { PoolWorker } from '../../../src/app/worker/pool-worker.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { MachineNotDeployedError, type EngineExecution, type WorkflowEngine } from '../../../src/ports/workflow-engine.js';
import { task, workflow } from '../../builders/tasks.js';
import { motoSkipReason, startMoto, type Moto } from './moto-server.js';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

const skip = motoSkipReason();
if (skip) console.warn(skip);

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

let motos: Moto[] = [];
let workers: PoolWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(motos.map((m) => m.stop()));
  workers = [];
  motos = [];
});

async function setup() {
  const moto = await startMoto();
  motos.push(moto);
  const cfg = { endpoint: moto.endpoint, region, credentials: creds };
  const sqs = new SQSClient(cfg);
  const sfn = new SFNClient(cfg);
  const ddb = new DynamoDBClient(cfg);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'prescale-pool-a' }));
  await ddb.send(new CreateTableCommand({ TableName: DEFAULT_DECISION_TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  const engine = new SfnWorkflowEngine({ sfn, dynamodb: ddb, roleArn: 'arn:aws:iam::123456789012:role/prescale-state-machine' });
  return { sqs, engine, queueUrl: QueueUrl! };
}

function startWorker(engine: SfnWorkflowEngine, queue: SqsTaskQueue, wf: Workflow, run: (t: TaskDefinition, input: unknown) => Promise<unknown>, events: ExecutionEvent[]): PoolWorker {
  const w = new PoolWorker({
    poolId: 'a', queue, callbacks: engine, executor: { run }, schemas: new AjvSchemaChecker(),
    tasks: async (m) => wf.variants.find((v) => v.name === m.variant)?.tasks.find((t) => t.task_id === m.taskId),
    events: { append: async (_l, es) => void events.push(...(es as unknown as ExecutionEvent[])) },
    clock: systemClock, logger: silentLogger, vcpu: 4, instanceId: 'i-0123456789abcdef0',
  }, { receiveWaitSec: 1 });
  void w.run();
  workers.push(w);
  return w;
}

async function waitClosed(engine: WorkflowEngine, ref: string, timeoutMs = 60_000): Promise<EngineExecution> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const d = await engine.describe(ref);
    if (d.status !== 'RUNNING' || Date.now() > end) return d;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const diamond = (b: Parameters<typeof task>[2] = {}): Workflow => workflow('diamond', [task('a'), task('b', ['a'], b), task('c', ['a']), task('d', ['b', 'c'])], [{ name: 'main', defaultPool: 'a' }]);

describe.skipIf(skip !== undefined)('Step Functions engine on moto (waitForTaskToken + SQS worker)', () => {
  it('a worker polling SQS completes a compiled machine: fan-out, join, a retried step, idempotent start', async () => {
    const { sqs, engine, queueUrl } = await setup();
    const wf = diamond({ retry: { intervalSec: 1, backoffRate: 1, maxAttempts: 2, jitter: 'none' } });
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { a: { kind: 'sqs', queueUrl } } });
    const machineRef = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const events: ExecutionEvent[] = [];
    const attempts = new Map<string, number>();
    startWorker(engine, new SqsTaskQueue(sqs, queueUrl), wf, async (t, input) => {
      const n = (attempts.get(t.task_id) ?? 0) + 1;
      attempts.set(t.task_id, n);
      if (t.task_id === 'b' && n === 1) throw new Error('flaky first attempt');
      return { ...(input as object), [t.task_id]: n };
    }, events);
    const name = executionName('chain-42', 'idem-key-1');
    const doc = executionInput(m, 'chain-42', { seed: 1 });
    const first = await engine.start(machineRef, name, doc);
    expect(first.started).toBe(true);
    const again = await engine.start(machineRef, name, doc);
    expect(again).toEqual({ executionRef: first.executionRef, started: false });
    const done = await waitClosed(engine, first.executionRef);
    expect(done.status).toBe('SUCCEEDED');
    expect(sinkOutputs(m, done.output)).toEqual({ d: { seed: 1, a: 1, b: 2, c: 1, d: 1 } });
    const history = await engine.history(first.executionRef);
    const types = history.map((e) => e.type);
    expect(types.filter((t) => t === 'TaskSucceeded').length).toBeGreaterThanOrEqual(4);
    // b failed once and was retried: the worker ran it twice (moto may record a callback twice when the SDK retries it).
    expect(attempts.get('b')).toBe(2);
    expect(new Set(history.filter((e) => e.type === 'TaskFailed').map((e) => e.error))).toEqual(new Set([STEP_ERRORS.taskFailed]));
    expect(history.filter((e) => e.type === 'TaskStateExited').map((e) => e.stateName).sort()).toEqual(['Read variant decision L0', 'Read variant decision L1', 'Read variant decision L2', 'Run a', 'Run b', 'Run c', 'Run d']);
    expect(events.filter((e) => e.kind === 'finished').map((e) => e.taskId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(events.find((e) => e.taskId === 'b' && e.kind === 'failed')).toMatchObject({ executionName: name, instanceId: 'i-0123456789abcdef0', chainId: 'chain-42' });
  }, 90_000);

  it('find looks a deployed machine up by name (DescribeStateMachine under the ARN prefix, else ListStateMachines) and never creates one', async () => {
    const { engine, queueUrl } = await setup();
    const m = compileVariant(assembleDag('diamond', diamond().variants[0]), { pools: { a: { kind: 'sqs', queueUrl } } });
    const arn = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const sfn = new SFNClient({ endpoint: motos[0].endpoint, region, credentials: creds });
    const prefixed = new SfnWorkflowEngine({ sfn, roleArn: 'arn:aws:iam::123456789012:role/r', machineArnPrefix: 'arn:aws:states:us-east-1:123456789012:stateMachine:' });
    const listed = new SfnWorkflowEngine({ sfn, roleArn: 'arn:aws:iam::123456789012:role/r' });
    await expect(prefixed.find(m.name)).resolves.toBe(arn);
    await expect(listed.find(m.name)).resolves.toBe(arn);
    for (const e of [prefixed, listed]) {
      await expect(e.find('prescale-missing-main-0000000000000000')).rejects.toBeInstanceOf(MachineNotDeployedError);
    }
    await expect(prefixed.find('prescale-missing-main-0000000000000000')).rejects.toThrow(/^state machine prescale-missing-main-0000000000000000 is not deployed \(arn:aws:states:us-east-1:123456789012:stateMachine:prescale-missing-main-0000000000000000\)$/);
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((x) => x.name)).toEqual([m.name]);
  }, 60_000);

  it('a step that fails on its last attempt is caught and fails the execution naming the step', async () => {
    const { sqs, engine, queueUrl } = await setup();
    const wf = diamond({ retry: { intervalSec: 1, backoffRate: 1, maxAttempts: 0, jitter: 'none' } });
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { a: { kind: 'sqs', queueUrl } } });
    const machineRef = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    let bAttempts = 0;
    startWorker(engine, new SqsTaskQueue(sqs, queueUrl), wf, async (t) => {
      if (t.task_id === 'b') bAttempts++;
      if (t.task_id === 'b') throw new Error('always broken');
      return {};
    }, []);
    const { executionRef } = await engine.start(machineRef, executionName('chain-43', 'k'), executionInput(m, 'chain-43', {}));
    const done = await waitClosed(engine, executionRef);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe(STEP_ERRORS.stepFailed);
    expect(done.cause).toContain('step b');
    const history = await engine.history(executionRef);
    expect(bAttempts).toBe(1);
    const failures = history.filter((e) => e.type === 'TaskFailed').map((e) => e.error);
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set([STEP_ERRORS.taskFailed]));
    expect(history.some((e) => e.type === 'FailStateEntered' && e.stateName === 'Failed b')).toBe(true);
  }, 90_000);

  it('a switch point reads the variant decision from DynamoDB and ends the execution for the switch', async () => {
    const { sqs, engine, queueUrl } = await setup();
    const wf = diamond();
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { a: { kind: 'sqs', queueUrl } } });
    const machineRef = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const name = executionName('chain-44', 'k');
    startWorker(engine, new SqsTaskQueue(sqs, queueUrl), wf, async (t) => {
      if (t.task_id === 'a') await engine.setVariantDecision(name, 'ondemand');
      return {};
    }, []);
    const { executionRef } = await engine.start(machineRef, name, executionInput(m, 'chain-44', {}));
    const done = await waitClosed(engine, executionRef);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe(STEP_ERRORS.variantSwitched);
    const ran = (await engine.history(executionRef)).filter((e) => e.type === 'TaskStateExited' && e.stateName?.startsWith('Run ')).map((e) => e.stateName);
    expect(ran).toEqual(['Run a']);
  }, 90_000);
});
