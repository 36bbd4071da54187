/**
 * End to end on moto (Step Functions execution on, SQS, DynamoDB): the state machine definition the
 * CDK stack synthesizes for a catalog variant, with its DefinitionSubstitutions filled in as
 * CloudFormation would (the pool queue URL, the variant decision table), runs on moto; a pool worker
 * polling moto's SQS runs the registered catalog tasks and writes its step events to a DynamoDB state
 * table; the execution status handler adds the execution's submitted steps to the same log; the tick's
 * chain book reads them back. One moto server per execution (moto 5.2). Every event names the chain's
 * principal (issue 22): the tick and the prefetch meter assign A/B arms by it.
 *
 * Pre-execution (issue 21): the controller's SqsPreparer turns a pre-execute command for the predicted
 * step into a `prepare` message on the pool's queue; the worker resolves the step's input from the
 * execution's history on moto, runs the `prepare` phase and stores the state in a real redis-server
 * (standing in for ElastiCache); when the step really runs it resumes from it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { executionInput, executionName } from '../../src/core/engine/index.js';
import type { ExecutionEvent, TaskDefinition } from '../../src/core/model/index.js';
import { LocalExecutor } from '../../src/adapters/executor/local-executor.js';
import { SfnWorkflowEngine } from '../../src/adapters/engine/sfn-engine.js';
import { SqsTaskQueue } from '../../src/adapters/engine/sqs-task-queue.js';
import { AjvSchemaChecker } from '../../src/adapters/schema/ajv-schema-checker.js';
import { PoolWorker } from '../../src/app/worker/pool-worker.js';
import { recordStatusChange } from '../../src/handlers/execution-status.js';
import { EXECUTION_LOG } from '../../src/handlers/aws-ports.js';
import { silentLogger } from '../../src/ports/logger.js';
import { machineTable } from '../../cdk/lib/execution-status.js';
import { motoSkipReason, type Moto } from '../adapters/engine/moto-server.js';
import { startMotoStack, substituteDefinition } from './moto-stack.js';
import { synthStack } from '../cdk/stack-fixture.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ExecutionIndex, SqsPreparer } from '../../src/adapters/aws/sqs-preparer.js';
import { RedisStateCache } from '../../src/adapters/redis/redis-state-cache.js';
import { catalogVariants, PrepareHandler } from '../../src/app/worker/prepare-handler.js';
import { WorkflowSchema, type PreExecuteCommand, type Workflow } from '../../src/core/model/index.js';
import { readFileSync } from 'node:fs';
import type { QueueMessage, ReceiveOptions, TaskQueue } from '../../src/ports/task-queue.js';
import { startTestRedis, type TestRedis } from '../adapters/redis/redis-server.js';
import { AbTestConfigSchema } from '../../src/core/model/learning-config.js';
import { abArmOf, selectForAbTest } from '../../src/core/predict/ab-selection.js';
import { ChainBook, TaskCatalog } from '../../src/core/tick/chain-book.js';
import { PrefetchMeter } from '../../src/handlers/prefetch-meter.js';

const skip = motoSkipReason();
if (skip) console.warn(skip);

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.catalog.json');
const TASKS = resolve(__dirname, '../fixtures/tasks');

let moto: Moto | undefined;
let worker: PoolWorker | undefined;
let redis: TestRedis | undefined;
let cache: RedisStateCache | undefined;
afterEach(async () => {
  await worker?.stop();
  await moto?.stop();
  await cache?.close();
  await redis?.close();
  worker = undefined;
  moto = undefined;
  cache = undefined;
  redis = undefined;
});

/**
 * The pool's queue as the worker sees it while the pool has no free capacity for `taskId`: its run
 * messages stay in the queue (made visible again after a second) until {@link open}; every other
 * message (the other steps, prepare messages) goes through.
 */
class NoCapacityFor implements TaskQueue {
  private opened = false;
  held = 0;
  constructor(private readonly inner: TaskQueue, private readonly taskId: string) {}
  open(): void {
    this.opened = true;
  }
  send(body: string): Promise<string> {
    return this.inner.send(body);
  }
  async receive(opts: ReceiveOptions): Promise<QueueMessage[]> {
    const got = await this.inner.receive(opts);
    if (this.opened) return got;
    const out: QueueMessage[] = [];
    for (const m of got) {
      const doc = JSON.parse(m.body) as { kind?: string; taskId?: string };
      if (doc.kind === 'run' && doc.taskId === this.taskId) {
        this.held++;
        await this.inner.extendVisibility(m.receiptHandle, 1);
      } else out.push(m);
    }
    return out;
  }
  delete(receiptHandle: string): Promise<void> {
    return this.inner.delete(receiptHandle);
  }
  extendVisibility(receiptHandle: string, timeoutSec: number): Promise<void> {
    return this.inner.extendVisibility(receiptHandle, timeoutSec);
  }
}

async function until(what: string, f: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await f());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip !== undefined)('the stack\'s compiled state machine on moto', () => {
  it('runs a catalog variant on a pool worker, and the events log holds the submitted, started and finished steps', async () => {
    const { stack, template } = synthStack({ 'prescale:chainsConfig': CATALOG });
    const spot = stack.stateMachines!.variants.find((v) => v.compiled.variant === 'spot')!;
    const res = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((r) => (r as { Properties: { StateMachineName: string } }).Properties.StateMachineName === spot.compiled.name) as { Properties: { DefinitionString: string; DefinitionSubstitutions: Record<string, unknown> } };
    expect(Object.keys(res.Properties.DefinitionSubstitutions)).toEqual(expect.arrayContaining(['PoolQueueUrl0', 'VariantDecisionTable']));

    const motoStack = await startMotoStack();
    moto = motoStack.moto;
    const { cfg, sqs, ddb, queueUrl: QueueUrl, store } = motoStack;
    const definitionJson = substituteDefinition(res.Properties.DefinitionString, QueueUrl);
    const engine = new SfnWorkflowEngine({ sfn: new SFNClient(cfg), dynamodb: ddb, roleArn: 'arn:aws:iam::123456789012:role/prescale-state-machines', decisionTable: 'decisions' });
    const machineRef = await engine.deploy({ name: spot.compiled.name, definitionJson });

    const byId = new Map<string, TaskDefinition>(Object.entries(spot.tasks));
    worker = new PoolWorker({
      poolId: 'web', queue: new SqsTaskQueue(sqs, QueueUrl), callbacks: engine, executor: new LocalExecutor(TASKS), schemas: new AjvSchemaChecker(),
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

  it('two chains of one principal: every event in the log names it, and the tick\'s chain book and the prefetch meter put both chains in its A/B arm', async () => {
    const { stack, template } = synthStack({ 'prescale:chainsConfig': CATALOG });
    const spot = stack.stateMachines!.variants.find((v) => v.compiled.variant === 'spot')!;
    const res = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((r) => (r as { Properties: { StateMachineName: string } }).Properties.StateMachineName === spot.compiled.name) as { Properties: { DefinitionString: string } };
    const byId = new Map<string, TaskDefinition>(Object.entries(spot.tasks));
    const machines = new Map(Object.entries(machineTable([spot])));

    // two chain ids the chain-id fallback puts in different arms: only the principal joins them
    const ab = AbTestConfigSchema.parse({ arms: [{ name: 'control' }, { name: 'eager', probabilityThreshold: 0.1 }], salt: 'moto' });
    const chainA = 'chain-a0';
    let chainB = '';
    for (let i = 1; !chainB; i++) if (abArmOf({ chainId: `chain-a${i}` }, ab) !== abArmOf({ chainId: chainA }, ab)) chainB = `chain-a${i}`;
    const principalArm = abArmOf({ chainId: chainA, principal: 'tenant-1' }, ab);

    // one moto server per execution (moto 5.2): each chain's events log is read before its server stops
    const log: ExecutionEvent[] = [];
    for (const chainId of [chainA, chainB]) {
      const motoStack = await startMotoStack();
      moto = motoStack.moto;
      const { cfg, sqs, ddb, queueUrl: QueueUrl, store } = motoStack;
      const engine = new SfnWorkflowEngine({ sfn: new SFNClient(cfg), dynamodb: ddb, roleArn: 'arn:aws:iam::123456789012:role/prescale-state-machines', decisionTable: 'decisions' });
      const machineRef = await engine.deploy({ name: spot.compiled.name, definitionJson: substituteDefinition(res.Properties.DefinitionString, QueueUrl) });
      worker = new PoolWorker({
        poolId: 'web', queue: new SqsTaskQueue(sqs, QueueUrl), callbacks: engine, executor: new LocalExecutor(TASKS), schemas: new AjvSchemaChecker(),
        tasks: async (m) => (m.workflow === 'text-stats' && m.variant === 'spot' ? byId.get(m.taskId) : undefined),
        events: store, clock: systemClock, logger: silentLogger, vcpu: 2,
      }, { receiveWaitSec: 1 });
      void worker.run();
      const name = executionName(chainId, 'key-1');
      const input = executionInput(spot.compiled, chainId, { text: 'one two three' }, {}, 'tenant-1');
      const { executionRef } = await engine.start(machineRef, name, input);
      await recordStatusChange({ detail: { stateMachineArn: machineRef, name, status: 'RUNNING', startDate: Date.now(), input: JSON.stringify(input) } }, { machines, store });
      let d = await engine.describe(executionRef);
      for (const end = Date.now() + 60_000; d.status === 'RUNNING' && Date.now() < end;) {
        await new Promise((r) => setTimeout(r, 250));
        d = await engine.describe(executionRef);
      }
      expect(d.status).toBe('SUCCEEDED');
      await until(`${chainId}'s finished events`, async () => (await store.readLog<ExecutionEvent>(EXECUTION_LOG, { fromSec: 0 })).filter((e) => e.kind === 'finished').length === 2);
      log.push(...(await store.readLog<ExecutionEvent>(EXECUTION_LOG, { fromSec: 0 })));
      await worker.stop();
      await moto.stop();
      worker = undefined;
      moto = undefined;
    }
    expect(log.filter((e) => e.kind === 'started').map((e) => e.chainId).sort()).toEqual([chainA, chainA, chainB, chainB]);
    expect(log.every((e) => e.principal === 'tenant-1')).toBe(true);

    // the tick: its chain book (from the engine's submitted events) and its arm selection
    const workflows = WorkflowSchema.array().parse((JSON.parse(readFileSync(CATALOG, 'utf8')) as { workflows: unknown }).workflows);
    const book = new ChainBook(new TaskCatalog(workflows));
    book.ingest(log.filter((e) => e.kind === 'submitted'));
    const inputs = [chainA, chainB].map((chainId) => ({ chainId, workflow: 'text-stats', principal: book.chains.get(chainId)!.principal, predictions: [], pendingSteps: [] }));
    expect(selectForAbTest(inputs, { probabilityThreshold: 0.3 }, ab, 0).armOfChain).toEqual({ [chainA]: principalArm, [chainB]: principalArm });

    // the meter (as the controller's events reader feeds it): a preparation of each chain's `count` without an arm, then the steps' events
    const meter = new PrefetchMeter({ abTest: ab, workflows });
    meter.observe(log.filter((e) => e.kind === 'submitted'));
    for (const chainId of [chainA, chainB]) meter.prepared({ kind: 'pre-execute', id: `pre:${chainId}`, poolId: 'web', reason: 'p=0.8', chainId, taskId: 'count', taskType: 'count', probability: 0.8, ttlSec: 600 });
    meter.observe(log.filter((e) => e.kind !== 'submitted'));
    const byArm = meter.drain(Date.now() / 1000).byArm!;
    const other = ab.arms.map((a) => a.name).find((n) => n !== principalArm)!;
    expect(byArm[principalArm]).toMatchObject({ prepareRequests: 2, settled: 2, hits: 0 });
    expect(byArm[principalArm]!.stepLatencySec).toHaveLength(4);
    expect(byArm[principalArm]!.brierSum).toBeCloseTo(2 * (0.8 - 1) ** 2, 9);
    expect(byArm[other]).toMatchObject({ prepareRequests: 0, settled: 0, stepLatencySec: [] });
  }, 120_000);

  it('prepares a predicted step from a prepare message (state in Redis) and the step resumes from it, skipping its setup', async () => {
    const { stack, template } = synthStack({ 'prescale:chainsConfig': CATALOG });
    const spot = stack.stateMachines!.variants.find((v) => v.compiled.variant === 'spot')!;
    const res = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((r) => (r as { Properties: { StateMachineName: string } }).Properties.StateMachineName === spot.compiled.name) as { Properties: { DefinitionString: string } };
    redis = await startTestRedis();
    cache = new RedisStateCache(redis.url, { keyPrefix: 'e2e:' });
    await cache.ready();

    const motoStack = await startMotoStack();
    moto = motoStack.moto;
    const { cfg, sqs, ddb, queueUrl: QueueUrl, store } = motoStack;
    const definitionJson = substituteDefinition(res.Properties.DefinitionString, QueueUrl);
    const engine = new SfnWorkflowEngine({ sfn: new SFNClient(cfg), dynamodb: ddb, roleArn: 'arn:aws:iam::123456789012:role/prescale-state-machines', decisionTable: 'decisions' });
    const machineRef = await engine.deploy({ name: spot.compiled.name, definitionJson });

    // the worker's catalog: `count` has a side-effect-free prepare phase (same state machine: code locations are not in the ASL)
    const count: TaskDefinition = { ...spot.tasks.count, executable_code_location: 'module:./text-prepared.ts#count', prepare: 'module:./text-prepared.ts#prepare', setupShare: 0.5 };
    const byId = new Map<string, TaskDefinition>([['normalize', spot.tasks.normalize], ['count', count]]);
    const catalog = WorkflowSchema.array().parse((JSON.parse(readFileSync(CATALOG, 'utf8')) as { workflows: unknown }).workflows);
    const workflows: Workflow[] = catalog.map((w) => ({ ...w, variants: w.variants.map((v) => ({ ...v, tasks: v.tasks.map((t) => (v.name === 'spot' && t.task_id === 'count' ? count : t)) })) }));
    const executor = new LocalExecutor(TASKS);
    const clock = systemClock;
    const prepare = new PrepareHandler({ executor, cache, engine, variants: catalogVariants(workflows, (w, v, e) => { throw new Error(`${w}/${v}: ${e}`); }), clock, logger: silentLogger }, { pollSec: 0.5 });
    const queue = new NoCapacityFor(new SqsTaskQueue(sqs, QueueUrl), 'count');
    worker = new PoolWorker({
      poolId: 'web', queue, callbacks: engine, executor, schemas: new AjvSchemaChecker(), cache, prepare,
      tasks: async (m) => (m.workflow === 'text-stats' && m.variant === 'spot' ? byId.get(m.taskId) : undefined),
      events: store, clock, logger: silentLogger, vcpu: 2, instanceId: 'i-0123456789abcdef0',
    }, { receiveWaitSec: 1 });
    void worker.run();

    const name = executionName('chain-8', 'key-1');
    const input = executionInput(spot.compiled, 'chain-8', { text: '  Pack my box  with five dozen liquor jugs ' });
    const { executionRef } = await engine.start(machineRef, name, input);
    const machines = new Map(Object.entries(machineTable([spot])));
    await recordStatusChange({ detail: { stateMachineArn: machineRef, name, status: 'RUNNING', startDate: Date.now(), input: JSON.stringify(input) } }, { machines, store });

    // the controller: its execution index fed from the events log (as the tick's reader feeds it), then the tick's pre-execute command
    const index = new ExecutionIndex();
    index.observe(await store.readLog<ExecutionEvent>(EXECUTION_LOG, { fromSec: 0 }));
    const preparer = new SqsPreparer({
      transports: { sendMessage: async (url, body) => { await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body })); }, invokeAsync: () => Promise.reject(new Error('no Lambda pool here')) },
      queueUrls: { web: QueueUrl }, machineArns: { 'text-stats/spot': machineRef }, executions: index,
      task: (w, v, t) => (w === 'text-stats' && v === 'spot' ? byId.get(t) : undefined), clock,
    });
    const cmd: PreExecuteCommand = { kind: 'pre-execute', id: 'pre-execute:chain-8:count:1', poolId: 'web', reason: 'p=0.9', chainId: 'chain-8', taskId: 'count', taskType: 'count', probability: 0.9, ttlSec: 600 };
    await expect(preparer.prepare(cmd)).resolves.toEqual({ commandId: cmd.id, status: 'accepted' });
    await expect(preparer.prepare(cmd)).resolves.toMatchObject({ status: 'duplicate' });
    // a critical step is never sent
    const critical = new SqsPreparer({ transports: { sendMessage: () => Promise.reject(new Error('must not send')), invokeAsync: () => Promise.reject(new Error('must not invoke')) }, queueUrls: { web: QueueUrl }, machineArns: { 'text-stats/spot': machineRef }, executions: index, task: () => ({ ...count, critical: true }), clock });
    await expect(critical.prepare({ ...cmd, id: 'other' })).resolves.toMatchObject({ status: 'rejected' });

    // the worker waits for `normalize`, then prepares `count` on its real input while count's run message waits for capacity
    await until('the preparation', () => prepare.stats.prepared === 1).catch((e: Error) => { throw new Error(`${e.message}; prepare handler stats ${JSON.stringify(prepare.stats)}`); });
    queue.open();

    let d = await engine.describe(executionRef);
    for (const end = Date.now() + 60_000; d.status === 'RUNNING' && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 250));
      d = await engine.describe(executionRef);
    }
    expect(d.status).toBe('SUCCEEDED');
    expect(d.output).toMatchObject({ count: { output: { words: 8, setup: 'resumed' } } });
    await until('the finished event of count', async () => (await store.readLog<ExecutionEvent>(EXECUTION_LOG, { fromSec: 0 })).some((e) => e.taskId === 'count' && e.kind === 'finished'));
    const log = await store.readLog<ExecutionEvent>(EXECUTION_LOG, { fromSec: 0 });
    const finished = log.find((e) => e.taskId === 'count' && e.kind === 'finished')!;
    expect(finished.setupOutcome).toBe('resumed');
    expect(finished.setupSavedSec).toBeGreaterThan(0.2);
    expect(log.find((e) => e.taskId === 'normalize' && e.kind === 'finished')!.setupOutcome).toBe('none');
    expect(prepare.stats).toMatchObject({ prepared: 1, failed: 0, rejected: 0 });
  }, 120_000);
});
