/**
 * End to end: two real `prescale worker` processes against moto (SQS + Step Functions execution) and
 * a fake instance-metadata server. A compiled machine's steps run on the workers; a spot notice in
 * the middle of a step makes the first worker fail it as retryable and stop; the second worker runs
 * it; the step events of both land in the SQLite execution-events log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { assembleDag } from '../../src/core/compose/index.js';
import { compileVariant, DEFAULT_DECISION_TABLE, executionInput, executionName, sinkOutputs, STEP_ERRORS } from '../../src/core/engine/index.js';
import type { ExecutionEvent } from '../../src/core/model/index.js';
import { SfnWorkflowEngine } from '../../src/adapters/engine/sfn-engine.js';
import { SqliteStateStore } from '../../src/adapters/sqlite/sqlite-state-store.js';
import { EXECUTION_EVENTS_LOG } from '../../src/app/worker/pool-worker.js';
import { task, workflow } from '../builders/tasks.js';
import { motoSkipReason, startMoto, type Moto } from '../adapters/engine/moto-server.js';

const skip = motoSkipReason();
if (skip) console.warn(skip);

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'prescale-worker-'));
const children: ChildProcess[] = [];
let moto: Moto | undefined;
let imds: Server | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await moto?.stop();
  imds?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fake IMDSv2: token, instance id, and a spot notice once `notice` is set. */
async function fakeImds(state: { notice: boolean }): Promise<string> {
  imds = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') return res.end('tok');
    if (req.headers['x-aws-ec2-metadata-token'] !== 'tok') return res.writeHead(401).end();
    if (req.url === '/latest/meta-data/instance-id') return res.end('i-0aaaaaaaaaaaaaaa1');
    if (req.url === '/latest/meta-data/spot/instance-action') {
      if (!state.notice) return res.writeHead(404).end();
      return res.end(JSON.stringify({ action: 'terminate', time: new Date(Date.now() + 120_000).toISOString() }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => imds!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(imds.address() as { port: number }).port}`;
}

function worker(args: string[]): ChildProcess {
  const c = spawn(process.execPath, [join(ROOT, 'bin/prescale.js'), 'worker', ...args], {
    cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
  });
  c.stderr?.on('data', () => undefined);
  children.push(c);
  return c;
}

const exited = (c: ChildProcess): Promise<number | null> => (c.exitCode !== null ? Promise.resolve(c.exitCode) : new Promise((r) => c.once('exit', (code) => r(code))));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip !== undefined)('prescale worker processes on moto', () => {
  it('run a compiled machine’s steps; a spot notice mid-step moves the step to the other worker', async () => {
    moto = await startMoto();
    const cfg = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const { QueueUrl } = await new SQSClient(cfg).send(new CreateQueueCommand({ QueueName: 'pool-web' }));
    await new DynamoDBClient(cfg).send(new CreateTableCommand({ TableName: DEFAULT_DECISION_TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));

    mkdirSync(join(dir, 'tasks'));
    writeFileSync(join(dir, 'tasks/a.mjs'), 'export async function run(input) { return { n: (input.n ?? 0) + 1 }; }\n');
    writeFileSync(join(dir, 'tasks/b.mjs'), [
      "import { writeFileSync } from 'node:fs';",
      'export async function run(input, ctx) {',
      `  writeFileSync(${JSON.stringify(join(dir, 'b-started'))}, String(process.pid));`,
      '  await new Promise((res, rej) => { const t = setTimeout(res, 4000); ctx.signal?.addEventListener("abort", () => { clearTimeout(t); rej(new Error("aborted")); }); });',
      '  return { n: input.n * 10 };',
      '}',
    ].join('\n'));
    const wf = workflow('web', [task('a', [], { executable_code_location: 'module:./tasks/a.mjs#run' }), task('b', ['a'], { executable_code_location: 'module:./tasks/b.mjs#run' })], [{ name: 'main', defaultPool: 'web' }]);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ workflows: [wf] }));
    const db = join(dir, 'events.db');
    const common = ['--pool', 'web', '--queue-url', QueueUrl!, '--config', 'config.json', '--db', db, '--endpoint-url', moto.endpoint, '--region', 'us-east-1', '--wait-sec', '1'];

    const imdsState = { notice: false };
    const imdsUrl = await fakeImds(imdsState);
    const w1 = worker([...common, '--imds-url', imdsUrl, '--vcpu', '2', '--spot-poll-sec', '0.2']);

    const engine = new SfnWorkflowEngine({ sfn: new SFNClient(cfg), roleArn: 'arn:aws:iam::123456789012:role/prescale' });
    const m = compileVariant(assembleDag(wf.name, wf.variants[0]), { pools: { web: { kind: 'sqs', queueUrl: QueueUrl! } } });
    const machineRef = await engine.deploy({ name: m.name, definitionJson: m.definitionJson });
    const name = executionName('chain-web-1', 'trigger-1');
    const { executionRef } = await engine.start(machineRef, name, executionInput(m, 'chain-web-1', { n: 1 }));

    await until(() => existsSync(join(dir, 'b-started')), 60_000, 'step b to start on worker 1');
    imdsState.notice = true;
    expect(await exited(w1)).toBe(0);
    const w2 = worker([...common, '--no-spot-watch', '--instance-id', 'i-0bbbbbbbbbbbbbbb2']);

    await until(async () => (await engine.describe(executionRef)).status !== 'RUNNING', 60_000, 'the execution to close');
    const d = await engine.describe(executionRef);
    expect(d.status).toBe('SUCCEEDED');
    expect(sinkOutputs(m, d.output)).toEqual({ b: { n: 20 } });
    const history = await engine.history(executionRef);
    expect(history.filter((e) => e.type === 'TaskFailed').map((e) => e.error)).toEqual([STEP_ERRORS.spotInterruption]);

    w2.kill('SIGTERM');
    expect(await exited(w2)).toBe(0);
    const store = new SqliteStateStore(db);
    const events = await store.readLog<ExecutionEvent>(EXECUTION_EVENTS_LOG);
    await store.close();
    const b = events.filter((e) => e.taskId === 'b').map((e) => `${e.kind}@${e.instanceId}`);
    expect(b).toEqual(['started@i-0aaaaaaaaaaaaaaa1', 'failed@i-0aaaaaaaaaaaaaaa1', 'started@i-0bbbbbbbbbbbbbbb2', 'finished@i-0bbbbbbbbbbbbbbb2']);
    expect(events.every((e) => e.executionName === name && e.chainId === 'chain-web-1')).toBe(true);
  }, 150_000);
});
