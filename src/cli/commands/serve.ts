/**
 * `prescale serve`: the Chain Management API on a local port, with chains and executions in an
 * embedded SQLite database, chains run on the local ASL engine (aws-local-stepfunctions) with one
 * in-process worker per EC2 pool limited to the pool's units, and unfinished executions resumed on
 * start from their checkpoint. Steps that wait for capacity are prepared meanwhile (`prepare` phase in a Piscina worker
 * pool) and resume from their prepared state, kept in Redis / ElastiCache (`--redis-url`, or the
 * `REDIS_URL` environment variable; `--redis-cluster` for cluster mode) or else in memory.
 * With `workerChannel` in the configuration, the pools it lists get no in-process worker: their steps
 * are served on `--worker-port` to separate `prescale worker --pool ID --serve-url URL` processes.
 * Preparations go through the Preparer port (src/app/prefetch/local-preparer.ts over the prefetch
 * manager); the learning loop (src/app/prefetch/serve-learning.ts: feedback, bundles, A/B arms) runs
 * the tick's observe/predict/prefetch stages on serve's step events every `learningIntervalSec`, and
 * `GET /prefetch/status` answers its aggregate figures.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ChainService } from '../../app/chains/chain-service.js';
import { staticCapacityMonitor } from '../../app/chains/capacity-monitor.js';
import { InputError } from '../../core/model/index.js';
import { loadChainConfig } from '../../adapters/executor/chain-config.js';
import { LocalExecutor } from '../../adapters/executor/local-executor.js';
import { createEmbeddedEngine } from '../../adapters/engine/embedded-engine.js';
import { createChainApi } from '../../adapters/http/chain-api.js';
import { createWorkerChannelApi } from '../../adapters/http/worker-channel.js';
import { AjvSchemaChecker } from '../../adapters/schema/ajv-schema-checker.js';
import { SqliteStateStore } from '../../adapters/sqlite/sqlite-state-store.js';
import type { Logger } from '../../ports/logger.js';
import type { CodeAdmission } from '../../ports/executor.js';
import { PrefetchManager } from '../../app/prefetch/prefetch-manager.js';
import { LruStateCache } from '../../adapters/cache/lru-state-cache.js';
import { RedisStateCache } from '../../adapters/redis/redis-state-cache.js';
import { PiscinaPrepareRunner } from '../../adapters/workers/piscina-prepare-runner.js';
import { systemClock } from '../../adapters/clock/system-clock.js';
import { LocalPreparer } from '../../app/prefetch/local-preparer.js';
import { ServeLearningLoop } from '../../app/prefetch/serve-learning.js';
import { FingerprintHooks } from '../../app/history/fingerprint-hooks.js';
import { abArmOf } from '../../core/predict/ab-selection.js';
import { createNextStepModel, FeedbackModel } from '../../core/predict/index.js';

/** Options of `prescale serve`. */
export interface ServeOptions {
  readonly config: string;
  readonly port: string;
  readonly host: string;
  readonly db: string;
  readonly seed: string;
  /** Worker threads preparing steps ahead ("0": no preparation). */
  readonly prefetchWorkers?: string;
  /** Redis URL of the prepared-state cache (absent: REDIS_URL, else an in-memory LRU). */
  readonly redisUrl?: string;
  /** The Redis endpoint is a cluster-mode configuration endpoint. */
  readonly redisCluster?: boolean;
  /** Port of the worker channel (used when the configuration has `workerChannel`). */
  readonly workerPort?: string;
}

/** The prefetch manager of `serve` and what stops it; undefined when `--prefetch-workers 0`. */
function buildPrefetch(opts: ServeOptions, baseDir: string, logger: Logger, code: CodeAdmission | undefined, ownerOf: (chainId: string) => string | undefined): { manager: PrefetchManager; close: () => Promise<void> } | undefined {
  const raw = opts.prefetchWorkers ?? '2';
  const workers = Number(raw);
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) throw new InputError({ field: '--prefetch-workers' }, raw, 'an integer 0..256 (0 turns preparation off)');
  if (workers === 0) return undefined;
  const url = opts.redisUrl ?? process.env.REDIS_URL;
  const cache = url ? new RedisStateCache(url, { cluster: opts.redisCluster ?? false }) : new LruStateCache();
  const runner = new PiscinaPrepareRunner({ poolSize: workers, baseDir, ...(code ? { code } : {}) });
  const manager = new PrefetchManager({ runner, cache, clock: systemClock, logger, ownerOf }, { maxConcurrent: workers });
  logger.info('preparing steps that wait for capacity', { workers, stateCache: url ? 'redis' : 'memory' });
  return { manager, close: async () => { await runner.close(); await cache.close(); } };
}

/** One JSON line per message on stderr. */
const lineLogger: Logger = {
  debug() {},
  info: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'info', message, ...fields })}\n`),
  warn: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`),
};

function parseIntOption(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError({ field }, value, 'an integer port 0..65535');
  return n;
}

/** Starts the server; resolves once listening, with a function that stops it. */
export async function serve(opts: ServeOptions): Promise<{ url: string; workerChannelUrl?: string; stop: () => Promise<void> }> {
  // Everything is checked before anything starts: a bad config exits 2 with one line naming the field.
  const { config, code } = loadChainConfig(opts.config);
  const port = parseIntOption(opts.port, '--port');
  const workerPort = parseIntOption(opts.workerPort ?? '8081', '--worker-port');
  const store = new SqliteStateStore(opts.db);
  const baseDir = code.root;
  const monitor = staticCapacityMonitor(config);
  // a preparation's chain is an engine execution: its owner is the principal the preparer tracks for it
  const tracked: { preparer?: LocalPreparer } = {};
  const prefetch = buildPrefetch(opts, baseDir, lineLogger, code, (name) => tracked.preparer?.execution(name)?.principalId);
  const clock = systemClock;
  const schemas = new AjvSchemaChecker();
  // Steps run on the local ASL engine: one in-process worker per EC2 pool, limited to the pool's units.
  const engine = createEmbeddedEngine({
    config, executor: new LocalExecutor(code), store, schemas, clock, logger: lineLogger,
    ...(prefetch ? { prefetch: prefetch.manager } : {}),
    ...(config.workerChannel ? { remotePools: config.workerChannel.remotePools } : {}),
  });
  // preparations go through the Preparer port: the runners' steps waiting for capacity and the learning loop's predictions
  const ab = config.prefetch.abTest;
  const preparer = prefetch ? new LocalPreparer({ manager: prefetch.manager, engine: engine.engine, clock, logger: lineLogger, ...(ab ? { armOf: (p: string) => abArmOf({ chainId: '', principal: p }, ab) } : {}) }, { pollMs: config.pollSec * 1000 }) : undefined;
  tracked.preparer = preparer;
  const feedback = config.prefetch.feedback;
  const learning = prefetch && preparer ? new ServeLearningLoop({
    store, clock, preparer, manager: prefetch.manager, workflows: config.workflows, prefetch: config.prefetch, operators: config.operators, logger: lineLogger,
    fingerprints: new FingerprintHooks(config.fingerprint, store, lineLogger), // issue 22: serve's fingerprint, in its state store
    nextStep: new FeedbackModel(createNextStepModel('vom'), { calibrate: feedback?.calibrate ?? true, raise: feedback?.raise ?? false, expirySec: feedback?.expirySec ?? 21_600 }),
  }) : undefined;
  const service = new ChainService({
    store,
    engine,
    code,
    ownerId: `${hostname()}:${process.pid}:${randomUUID()}`,
    clock,
    monitor,
    schemas,
    config,
    newId: () => randomUUID(),
    logger: lineLogger,
    ...(preparer ? { preparer } : {}),
  }, (signal) => monitor.signal(signal));
  const app = createChainApi(service, { limits: config.limits, ...(learning ? { learning } : {}) });
  const url = await app.listen({ port, host: opts.host });
  const channel = config.workerChannel ? createWorkerChannelApi(engine.channel, { tokens: config.workerChannel.tokens }) : undefined;
  const workerChannelUrl = channel ? await channel.listen({ port: workerPort, host: opts.host }) : undefined;
  const resumed = await service.resume();
  service.watch();
  learning?.start(config.learningIntervalSec * 1000);
  lineLogger.info('prescale serve listening', { url, db: opts.db, resumedExecutions: resumed, ...(workerChannelUrl ? { workerChannelUrl, remotePools: config.workerChannel!.remotePools } : {}) });
  return {
    url,
    ...(workerChannelUrl ? { workerChannelUrl } : {}),
    stop: async () => {
      await app.close();
      await learning?.stop();
      await service.close();
      preparer?.close();
      await channel?.close();
      await prefetch?.close();
      await store.close();
    },
  };
}

/** Registers `prescale serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the Chain Management API (POST /chains, GET /chains/{id}, POST /chains/{id}/trigger, GET /chains/{id}/executions/{eid})')
    .option('--config <file>', 'JSON configuration: pools, workflows, tasks (the task registry), commandTasks, taskRoot, principals, policies, tokens, availability, composer, limits; checked at start (exit 2 naming the field)', 'prescale.serve.json')
    .option('--port <n>', 'TCP port to listen on (0 = any free port)', '8080')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--db <file>', "SQLite database for chains and executions (':memory:' for none)", '.prescale/chains.db')
    .option('--seed <n>', 'unused since retries moved to the engine (kept so existing command lines still parse)', '0')
    .option('--prefetch-workers <n>', 'worker threads that prepare steps waiting for capacity (0: off)', '2')
    .option('--redis-url <url>', 'Redis / ElastiCache URL of the prepared-state cache (default: REDIS_URL, else in memory)')
    .option('--redis-cluster', 'the Redis endpoint is a cluster-mode configuration endpoint (ElastiCache cluster mode)')
    .option('--worker-port <n>', 'TCP port of the worker channel for `prescale worker --serve-url` (when the config has workerChannel; 0 = any free port)', '8081')
    .action(async (opts: ServeOptions) => {
      const { stop } = await serve(opts);
      const shutdown = (): void => {
        void stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
