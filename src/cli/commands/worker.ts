/**
 * `prescale worker --pool ID`: the process on a pool's instances. Long-polls the pool's SQS queue for
 * step messages of compiled state machines, runs each registered task with the local executor,
 * heartbeats and reports to Step Functions (SendTaskSuccess / SendTaskFailure), resumes prepared
 * state from Redis / ElastiCache, runs at most the instance's vCPU worth of steps at once, drains on
 * a spot interruption notice (instance metadata), and writes step events to the state store's
 * execution-events log (SQLite file or DynamoDB table).
 *
 * With `--serve-url` instead of `--queue-url` it serves a local `prescale serve` through its worker
 * channel (queue, task callbacks and events over HTTP, a worker token in `PRESCALE_WORKER_TOKEN`); it
 * then reads the serve configuration (`--config`, checked as serve checks it) and runs a step only
 * when its code location is one of that configuration's registered or catalog tasks.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { redisUrlWithAuthToken, secretsManagerReader } from '../../adapters/aws/cache-auth.js';
import { InputError, inputErrorFromZod, WorkflowSchema, type TaskDefinition, type Workflow } from '../../core/model/index.js';
import { LocalExecutor } from '../../adapters/executor/local-executor.js';
import { AjvSchemaChecker } from '../../adapters/schema/ajv-schema-checker.js';
import { DynamoDbStateStore, dynamoDbApi } from '../../adapters/aws/dynamodb-state-store.js';
import { RedisStateCache } from '../../adapters/redis/redis-state-cache.js';
import { SfnWorkflowEngine } from '../../adapters/engine/sfn-engine.js';
import { SqsTaskQueue } from '../../adapters/engine/sqs-task-queue.js';
import { Imds, IMDS_URL } from '../../adapters/engine/imds-spot-notice.js';
import { HttpWorkerChannel } from '../../adapters/engine/http-worker-channel.js';
import { loadChainConfig } from '../../adapters/executor/chain-config.js';
import { PoolWorker } from '../../app/worker/pool-worker.js';
import { catalogVariants, PrepareHandler } from '../../app/worker/prepare-handler.js';
import type { TaskResolver } from '../../app/worker/step-runner.js';
import type { Logger } from '../../ports/logger.js';
import type { StateStore } from '../../ports/state-store.js';
import { systemClock } from '../../adapters/clock/system-clock.js';

/** Options of `prescale worker` as commander gives them. */
export interface WorkerOptions {
  readonly pool: string;
  readonly queueUrl?: string;
  /** The worker channel URL of a local `prescale serve` (instead of `queueUrl`). */
  readonly serveUrl?: string;
  readonly config: string;
  readonly db: string;
  readonly stateTable?: string;
  readonly redisUrl?: string;
  readonly redisCluster?: boolean;
  /** Secrets Manager secret with the cache's AUTH token (then TLS). */
  readonly redisAuthSecret?: string;
  readonly vcpu?: string;
  readonly instanceId?: string;
  readonly imdsUrl: string;
  /** commander's `--no-spot-watch` */
  readonly spotWatch: boolean;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly waitSec: string;
  readonly graceSec: string;
  readonly spotPollSec: string;
}

/** The part of a configuration file the worker reads (the serve configuration works as is). */
const WorkerConfigSchema = z.object({
  workflows: z.array(WorkflowSchema).min(1),
  taskBaseDir: z.string().optional(),
}).loose();

const lineLogger: Logger = {
  debug() {},
  info: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'info', message, ...fields })}\n`),
  warn: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`),
};

function intOption(value: string, field: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError({ field }, value, `an integer ${min}..${max}`);
  return n;
}

/** Tasks by `workflow/variant/taskId` from the catalog: the only code this worker will run. */
function catalogResolver(configPath: string): { tasks: TaskResolver; baseDir: string; count: number; workflows: Workflow[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new InputError({ file: configPath }, (e as Error).message, 'a readable JSON configuration file with a "workflows" catalog');
  }
  const parsed = WorkerConfigSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, raw, configPath);
  const byKey = new Map<string, TaskDefinition>();
  for (const w of parsed.data.workflows) for (const v of w.variants) for (const t of v.tasks) byKey.set(`${w.name}\u0000${v.name}\u0000${t.task_id}`, t);
  const baseDir = parsed.data.taskBaseDir ? resolve(dirname(configPath), parsed.data.taskBaseDir) : dirname(configPath);
  return { tasks: async (m) => byKey.get(`${m.workflow}\u0000${m.variant}\u0000${m.taskId}`), baseDir, count: byKey.size, workflows: parsed.data.workflows };
}

/** Environment variable holding the worker token for `--serve-url` (never a flag: flags show in `ps`). */
export const WORKER_TOKEN_ENV = 'PRESCALE_WORKER_TOKEN';

/**
 * What a worker on a local serve's channel runs: the serve configuration's catalog tasks by
 * workflow/variant/task id, and steps of submitted chains as the server resolves them, accepted only
 * when their code locations are those of a task registered in this worker's own configuration.
 */
function channelResolver(configPath: string, channel: HttpWorkerChannel): { tasks: TaskResolver; executor: LocalExecutor; count: number } {
  const { config, code } = loadChainConfig(configPath);
  const byKey = new Map<string, TaskDefinition>();
  for (const w of config.workflows) for (const v of w.variants) for (const t of v.tasks) byKey.set(`${w.name}\u0000${v.name}\u0000${t.task_id}`, t);
  const known = [...config.tasks, ...byKey.values()];
  // Definitions of admitted executions do not change: remember the last few thousand lookups.
  const fetched = new Map<string, TaskDefinition>();
  const tasks: TaskResolver = async (m) => {
    const local = byKey.get(`${m.workflow}\u0000${m.variant}\u0000${m.taskId}`);
    if (local) return local;
    const key = `${m.executionName}\u0000${m.variant}\u0000${m.taskId}`;
    const cached = fetched.get(key);
    if (cached) return cached;
    const t = await channel.task(m.executionName, m.variant, m.taskId);
    if (!t) return undefined;
    if (fetched.size >= 4096) fetched.clear();
    fetched.set(key, t);
    const registered = known.some((r) => r.executable_code_location === t.executable_code_location && r.prepare === t.prepare);
    if (!registered) {
      lineLogger.error('refusing a step whose code is not registered in this worker\'s configuration', { taskId: m.taskId, executionName: m.executionName });
      return undefined;
    }
    return t;
  };
  return { tasks, executor: new LocalExecutor(code), count: known.length };
}

/** Starts a worker; resolves with it running and a function that stops it. */
export async function startWorker(opts: WorkerOptions): Promise<{ worker: PoolWorker; done: Promise<void>; stop: (graceSec?: number) => Promise<void> }> {
  if (!opts.pool) throw new InputError({ field: '--pool' }, opts.pool, 'a pool id');
  if (opts.serveUrl !== undefined) return startChannelWorker(opts, opts.serveUrl);
  if (!/^https?:\/\//.test(opts.queueUrl ?? '')) throw new InputError({ field: '--queue-url' }, opts.queueUrl, "the pool's SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)");
  const vcpu = opts.vcpu !== undefined ? intOption(opts.vcpu, '--vcpu', 1, 1024) : availableParallelism();
  const waitSec = intOption(opts.waitSec, '--wait-sec', 1, 20);
  const spotPollSec = Number(opts.spotPollSec);
  if (!(spotPollSec >= 0.1 && spotPollSec <= 60)) throw new InputError({ field: '--spot-poll-sec' }, opts.spotPollSec, 'seconds between 0.1 and 60');
  const { tasks, baseDir, count, workflows } = catalogResolver(resolve(opts.config));
  const aws = { ...(opts.region ? { region: opts.region } : {}), ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}) };
  const sqs = new SQSClient(aws);
  const sfn = new SFNClient(aws);
  const store: StateStore = opts.stateTable
    ? new DynamoDbStateStore(dynamoDbApi(new DynamoDBClient({ ...aws, retryMode: 'adaptive', maxAttempts: 5 })), opts.stateTable)
    // loaded only when used: the worker bundle the CDK stack ships (cdk/lib/worker-bundle.ts) has no native SQLite module
    : new (await import('../../adapters/sqlite/sqlite-state-store.js')).SqliteStateStore(opts.db);
  const plainRedisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  if (opts.redisAuthSecret && !plainRedisUrl) throw new InputError({ field: '--redis-auth-secret' }, opts.redisAuthSecret, 'a cache URL too (--redis-url or REDIS_URL)');
  const redisUrl = plainRedisUrl && opts.redisAuthSecret ? await redisUrlWithAuthToken(plainRedisUrl, opts.redisAuthSecret, secretsManagerReader(new SecretsManagerClient(aws))) : plainRedisUrl;
  const cache = redisUrl ? new RedisStateCache(redisUrl, { cluster: opts.redisCluster ?? false }) : undefined;
  const imds = new Imds(opts.imdsUrl);
  const instanceId = opts.instanceId ?? (opts.spotWatch ? await imds.instanceId().catch(() => undefined) : undefined);
  const engine = new SfnWorkflowEngine({ sfn, roleArn: '' });
  const executor = new LocalExecutor(baseDir);
  const clock = systemClock;
  // issue 21: prepare messages on the pool's queue (predicted steps prepared ahead, state in the cache)
  const prepare = cache ? new PrepareHandler({ executor, cache, engine, variants: catalogVariants(workflows), clock, logger: lineLogger }) : undefined;
  const worker = new PoolWorker({
    poolId: opts.pool,
    queue: new SqsTaskQueue(sqs, opts.queueUrl!),
    callbacks: engine,
    executor,
    schemas: new AjvSchemaChecker(),
    tasks,
    events: store,
    clock: systemClock,
    logger: lineLogger,
    vcpu,
    ...(instanceId ? { instanceId } : {}),
    ...(cache ? { cache } : {}),
    ...(prepare ? { prepare } : {}),
    ...(opts.spotWatch ? { spotNotice: () => imds.spotNotice() } : {}),
  }, { receiveWaitSec: waitSec, spotPollSec });
  lineLogger.info('prescale worker polling', { poolId: opts.pool, queueUrl: opts.queueUrl!, vcpu, tasks: count, instanceId, spotWatch: opts.spotWatch, events: opts.stateTable ? `dynamodb:${opts.stateTable}` : `sqlite:${opts.db}`, stateCache: cache ? 'redis' : 'none' });
  const done = worker.run().finally(async () => {
    await cache?.close();
    await store.close();
    sqs.destroy();
    sfn.destroy();
  });
  return { worker, done, stop: (graceSec = 0) => worker.stop(graceSec) };
}

/** A worker on the worker channel of a local `prescale serve` (see the module comment). */
async function startChannelWorker(opts: WorkerOptions, serveUrl: string): Promise<{ worker: PoolWorker; done: Promise<void>; stop: (graceSec?: number) => Promise<void> }> {
  if (opts.queueUrl !== undefined) throw new InputError({ field: '--serve-url' }, serveUrl, 'either --serve-url or --queue-url, not both');
  if (!/^https?:\/\/[^\s]+$/.test(serveUrl)) throw new InputError({ field: '--serve-url' }, serveUrl, "the worker channel URL `prescale serve` logs as workerChannelUrl (http://host:port)");
  const token = process.env[WORKER_TOKEN_ENV] ?? '';
  if (token.length === 0) throw new InputError({ field: WORKER_TOKEN_ENV }, '(unset)', 'a worker token of the serve configuration\'s workerChannel.tokens in the environment');
  const vcpu = opts.vcpu !== undefined ? intOption(opts.vcpu, '--vcpu', 1, 1024) : availableParallelism();
  const waitSec = intOption(opts.waitSec, '--wait-sec', 1, 20);
  const spotPollSec = Number(opts.spotPollSec);
  if (!(spotPollSec >= 0.1 && spotPollSec <= 60)) throw new InputError({ field: '--spot-poll-sec' }, opts.spotPollSec, 'seconds between 0.1 and 60');
  const channel = new HttpWorkerChannel(serveUrl, token);
  const { tasks, executor, count } = channelResolver(resolve(opts.config), channel);
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  const cache = redisUrl ? new RedisStateCache(redisUrl, { cluster: opts.redisCluster ?? false }) : undefined;
  const imds = new Imds(opts.imdsUrl);
  const instanceId = opts.instanceId ?? (opts.spotWatch ? await imds.instanceId().catch(() => undefined) : undefined) ?? `local-${process.pid}`;
  const worker = new PoolWorker({
    poolId: opts.pool,
    queue: channel.queue(opts.pool),
    callbacks: channel,
    executor,
    schemas: new AjvSchemaChecker(),
    tasks,
    events: channel,
    clock: systemClock,
    logger: lineLogger,
    vcpu,
    instanceId,
    ...(cache ? { cache } : {}),
    ...(opts.spotWatch ? { spotNotice: () => imds.spotNotice() } : {}),
  }, { receiveWaitSec: waitSec, spotPollSec, checkTokenBeforeStart: true });
  lineLogger.info('prescale worker polling', { poolId: opts.pool, serveUrl, vcpu, tasks: count, instanceId, spotWatch: opts.spotWatch, events: 'worker channel', stateCache: cache ? 'redis' : 'none' });
  const done = worker.run().finally(async () => {
    await cache?.close();
  });
  return { worker, done, stop: (graceSec = 0) => worker.stop(graceSec) };
}

/** Registers `prescale worker`. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("Run a pool's steps: long-poll its SQS queue, run registered tasks, report to Step Functions, drain on spot notices")
    .requiredOption('--pool <id>', 'capacity pool id this instance belongs to')
    .option('--queue-url <url>', "the pool's SQS queue URL (AWS)")
    .option('--serve-url <url>', `the worker channel of a local \`prescale serve\` (its workerChannelUrl) instead of SQS; the worker token comes from ${WORKER_TOKEN_ENV}`)
    .option('--config <file>', 'JSON file with the "workflows" catalog (the serve configuration works): the only tasks this worker runs', 'prescale.serve.json')
    .option('--db <file>', 'SQLite state store for step events (when --state-table is not given)', '.prescale/chains.db')
    .option('--state-table <name>', 'DynamoDB state table for step events (instead of --db)')
    .option('--redis-url <url>', 'Redis / ElastiCache URL of the prepared-state cache (default: REDIS_URL, else steps run cold)')
    .option('--redis-cluster', 'the Redis endpoint is a cluster-mode configuration endpoint')
    .option('--redis-auth-secret <arn>', 'Secrets Manager secret holding the cache AUTH token (read at start; connects with TLS)')
    .option('--vcpu <n>', "most vCPU of steps at once (default: this machine's CPUs)")
    .option('--instance-id <id>', 'EC2 instance id written on step events (default: from instance metadata)')
    .option('--imds-url <url>', 'instance metadata endpoint (spot interruption notices)', IMDS_URL)
    .option('--spot-poll-sec <s>', 'seconds between spot notice polls (AWS suggests 5)', '5')
    .option('--no-spot-watch', 'do not poll instance metadata for spot interruption notices (off EC2)')
    .option('--region <region>', 'AWS region (default: the SDK default chain)')
    .option('--endpoint-url <url>', 'AWS endpoint override (moto, LocalStack)')
    .option('--wait-sec <n>', 'long-poll wait per receive, seconds (1..20)', '20')
    .option('--grace-sec <n>', 'on SIGTERM, seconds running steps get before they are failed for retry elsewhere', '30')
    .action(async (opts: WorkerOptions) => {
      const grace = intOption(opts.graceSec, '--grace-sec', 0, 3600);
      const { done, stop } = await startWorker(opts);
      const shutdown = (): void => void stop(grace);
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      await done;
    });
}
