/**
 * The Lambda Chain API on moto (Step Functions execution on, SQS, DynamoDB), through the handler's
 * engine (`lambdaChainEngine`, the environment the CDK stack gives the function) and the API Gateway
 * adapter: the catalog's state machines are created first as CloudFormation would (the synthesized
 * definitions with their DefinitionSubstitutions filled in); a catalog chain then starts on its
 * variant's deploy-time machine (no CreateStateMachine from the API), a catalog chain whose machine is
 * missing fails with one line naming the workflow and variant (and creates nothing), and a submitted
 * chain gets its machine created by the API. One moto server per execution (moto 5.2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { poolOf, type TaskDefinition } from '../../src/core/model/index.js';
import { loadChainConfig } from '../../src/adapters/executor/chain-config.js';
import { LocalExecutor } from '../../src/adapters/executor/local-executor.js';
import { createChainApi } from '../../src/adapters/http/chain-api.js';
import { SqsTaskQueue } from '../../src/adapters/engine/sqs-task-queue.js';
import { AjvSchemaChecker } from '../../src/adapters/schema/ajv-schema-checker.js';
import { systemClock } from '../../src/adapters/clock/system-clock.js';
import { staticCapacityMonitor } from '../../src/app/chains/capacity-monitor.js';
import { ChainService } from '../../src/app/chains/chain-service.js';
import { PoolWorker } from '../../src/app/worker/pool-worker.js';
import { createApiGatewayHandler, lambdaChainEngine, type ApiGatewayProxyEvent } from '../../src/handlers/chain-api.js';
import { silentLogger } from '../../src/ports/logger.js';
import { motoSkipReason, type Moto } from '../adapters/engine/moto-server.js';
import { MOTO_ACCOUNT, startMotoStack, substituteDefinition } from './moto-stack.js';
import { synthStack } from '../cdk/stack-fixture.js';

const skip = motoSkipReason();
if (skip) console.warn(skip);

const CATALOG = resolve(__dirname, '../fixtures/cdk/chains.catalog.json');
const TASKS = resolve(__dirname, '../fixtures/tasks');
const ACCOUNT = MOTO_ACCOUNT;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/prescale-state-machines`;
const CALLER = `arn:aws:iam::${ACCOUNT}:role/platform`;

const cleanups: Array<() => Promise<unknown>> = [];
let moto: Moto | undefined;
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  await moto?.stop();
  moto = undefined;
});

interface SynthMachine { name: string; definition: string }

/** The catalog machines the stack synthesizes (name and definition with placeholders). */
function stackMachines(): SynthMachine[] {
  const { template } = synthStack({ 'prescale:chainsConfig': CATALOG });
  return Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((r) => {
    const p = (r as { Properties: { StateMachineName: string; DefinitionString: string } }).Properties;
    return { name: p.StateMachineName, definition: p.DefinitionString };
  });
}

/** The catalog fixture plus its catalog tasks registered for submitted chains, in a temp file. */
function chainsConfigFile(): string {
  const raw = JSON.parse(readFileSync(CATALOG, 'utf8')) as { workflows: Array<{ variants: Array<{ name: string; tasks: unknown[] }> }>; tasks?: unknown[] };
  raw.tasks = (raw.workflows[0].variants.find((v) => v.name === 'spot')!.tasks as Array<Record<string, unknown>>).map((t) => ({ ...t, dependencies: [] }));
  const file = join(mkdtempSync(join(tmpdir(), 'prescale-chain-api-moto-')), 'chains.json');
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

/**
 * moto with the stack's resources (queue, decision and state tables; the catalog machines unless
 * `deployMachines` is false), the API handler on the engine the function builds from its environment,
 * and a pool worker on the queue. Returns the handler and the SFN commands the API sent.
 */
async function setUp(deployMachines: boolean): Promise<{ api: (e: Partial<ApiGatewayProxyEvent>) => Promise<{ statusCode: number; body: unknown }>; commands: string[] }> {
  const machines = stackMachines();
  const motoStack = await startMotoStack();
  moto = motoStack.moto;
  const { cfg, sqs, ddb, queueUrl: QueueUrl, store } = motoStack;
  if (deployMachines) {
    // what CloudFormation does: the definitions with DefinitionSubstitutions filled in, under the synthesized names
    const deployer = new SFNClient(cfg);
    for (const m of machines) {
      const definition = substituteDefinition(m.definition, QueueUrl);
      await deployer.send(new CreateStateMachineCommand({ name: m.name, definition, roleArn: ROLE, type: 'STANDARD' }));
    }
  }

  const commands: string[] = [];
  const sfn = new SFNClient(cfg);
  sfn.middlewareStack.add((next, context) => async (args) => {
    commands.push(String(context.commandName));
    return next(args);
  }, { step: 'initialize', name: 'recordCommands' });
  const { config, code } = loadChainConfig(chainsConfigFile(), TASKS);
  const catalogPools = config.workflows.flatMap((w) => w.variants.flatMap((v) => v.tasks.map((t) => poolOf(v, t.task_id))));
  // the environment cdk/lib/prescale-stack.ts gives the API function
  const env = {
    PRESCALE_SFN_ROLE_ARN: ROLE,
    PRESCALE_POOL_QUEUES: JSON.stringify({ web: QueueUrl }),
    PRESCALE_DECISION_TABLE: 'decisions',
    PRESCALE_STATE_MACHINE_ARN_PREFIX: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:`,
  };
  const engine = lambdaChainEngine(env, () => { throw new Error('expected the Step Functions engine'); }, { catalogPools, sfn, dynamodb: ddb });
  const monitor = staticCapacityMonitor(config);
  let n = 0;
  const service = new ChainService({
    store, engine, code, clock: systemClock, monitor, schemas: new AjvSchemaChecker(), config, newId: () => `id-${++n}`, logger: silentLogger,
  }, (signal) => monitor.signal(signal));
  const app = createChainApi(service, { limits: config.limits });
  cleanups.push(() => service.close(), () => app.close());

  const registered = new Map<string, TaskDefinition>(config.tasks.map((t) => [t.task_id, t]));
  const worker = new PoolWorker({
    poolId: 'web', queue: new SqsTaskQueue(sqs, QueueUrl), callbacks: engine.engine as never, executor: new LocalExecutor(TASKS), schemas: new AjvSchemaChecker(),
    tasks: async (m) => {
      const wf = config.workflows.find((w) => w.name === m.workflow);
      return wf ? wf.variants.find((v) => v.name === m.variant)?.tasks.find((t) => t.task_id === m.taskId) : registered.get(m.taskId);
    },
    events: store, clock: systemClock, logger: silentLogger, vcpu: 2, instanceId: 'i-0123456789abcdef0',
  }, { receiveWaitSec: 1 });
  void worker.run();
  cleanups.push(() => worker.stop());

  const handler = createApiGatewayHandler(async () => app, { [CALLER]: 'internal-platform-team-0001' });
  const api = async (e: Partial<ApiGatewayProxyEvent>) => {
    const r = await handler({ httpMethod: 'GET', path: '/', headers: { 'content-type': 'application/json' }, requestContext: { identity: { userArn: CALLER } }, ...e });
    return { statusCode: r.statusCode, body: JSON.parse(r.body) as unknown };
  };
  return { api, commands };
}

/** Creates a chain, triggers it and polls its execution until it ends (or 60 s). */
async function runChain(api: Awaited<ReturnType<typeof setUp>>['api'], chain: Record<string, unknown>): Promise<Record<string, unknown>> {
  const created = await api({ httpMethod: 'POST', path: '/chains', body: JSON.stringify(chain) });
  expect(created.statusCode).toBe(201);
  const id = (created.body as { chain_id: string }).chain_id;
  const trig = await api({ httpMethod: 'POST', path: `/chains/${id}/trigger`, headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: JSON.stringify({ input: { text: '  The Quick  Brown Fox ' } }) });
  expect(trig.statusCode).toBe(202);
  const eid = (trig.body as { execution_id: string }).execution_id;
  let got = await api({ path: `/chains/${id}/executions/${eid}` });
  for (const end = Date.now() + 60_000; Date.now() < end; got = await api({ path: `/chains/${id}/executions/${eid}` })) {
    if (['succeeded', 'failed'].includes((got.body as { status: string }).status)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return got.body as Record<string, unknown>;
}

describe.skipIf(skip !== undefined)('the Lambda chain API on the stack\'s state machines (moto)', () => {
  it('starts a catalog chain on its variant\'s deploy-time machine, creating no state machine', async () => {
    const { api, commands } = await setUp(true);
    const rec = await runChain(api, { chain_id: 'catalog-1', workflow: 'text-stats' });
    expect(rec).toMatchObject({ status: 'succeeded', variant: 'spot', outputs: { count: { words: 4 } } });
    expect(commands).not.toContain('CreateStateMachineCommand');
    expect(commands).toContain('DescribeStateMachineCommand');
    expect(commands).toContain('StartExecutionCommand');
  }, 120_000);

  it('fails a catalog chain whose deploy-time machine is missing with one line naming the workflow and variant, and creates none', async () => {
    const { api, commands } = await setUp(false);
    const rec = await runChain(api, { chain_id: 'catalog-2', workflow: 'text-stats' });
    expect(rec.status).toBe('failed');
    expect(String(rec.error)).toMatch(/^catalog workflow text-stats, variant spot: state machine prescale-text-stats-spot-[0-9a-f]{16} is not deployed .*out of sync/);
    expect(String(rec.error)).not.toContain('\n');
    expect(commands).not.toContain('CreateStateMachineCommand');
    expect(commands).not.toContain('StartExecutionCommand');
  }, 120_000);

  it('creates the machine of a submitted chain (one CreateStateMachine) and runs it', async () => {
    const { api, commands } = await setUp(true);
    const rec = await runChain(api, { chain_id: 'submitted-1', pool: 'web', tasks: [{ task_id: 'normalize' }, { task_id: 'count', dependencies: ['normalize'] }] });
    expect(rec).toMatchObject({ status: 'succeeded', outputs: { count: { words: 4 } } });
    expect(commands.filter((c) => c === 'CreateStateMachineCommand')).toHaveLength(1);
  }, 120_000);
});
