/**
 * `prescale serve`: the Chain Management API on a local port, with chains and executions in an
 * embedded SQLite database, tasks run by the local executor, and unfinished executions resumed on
 * start.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ChainService } from '../../app/chains/chain-service.js';
import { staticCapacityMonitor } from '../../app/chains/capacity-monitor.js';
import { ChainServiceConfigSchema } from '../../app/chains/config.js';
import { InputError, inputErrorFromZod } from '../../core/model/index.js';
import { createRandom } from '../../core/rng.js';
import { LocalExecutor } from '../../adapters/executor/local-executor.js';
import { RetryingExecutor } from '../../adapters/executor/retrying-executor.js';
import { createChainApi } from '../../adapters/http/chain-api.js';
import { AjvSchemaChecker } from '../../adapters/schema/ajv-schema-checker.js';
import { SqliteStateStore } from '../../adapters/sqlite/sqlite-state-store.js';
import type { Logger } from '../../ports/logger.js';

/** Options of `prescale serve`. */
export interface ServeOptions {
  readonly config: string;
  readonly port: string;
  readonly host: string;
  readonly db: string;
  readonly seed: string;
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
export async function serve(opts: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const configPath = resolve(opts.config);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new InputError({ file: opts.config }, (e as Error).message, 'a readable JSON configuration file (see `prescale serve --help`)');
  }
  const parsed = ChainServiceConfigSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, raw, opts.config);
  const config = parsed.data;
  const port = parseIntOption(opts.port, '--port');
  const store = new SqliteStateStore(opts.db);
  const baseDir = config.taskBaseDir ? resolve(dirname(configPath), config.taskBaseDir) : dirname(configPath);
  const executor = new RetryingExecutor(new LocalExecutor(baseDir), {
    random: createRandom(Number(opts.seed) || 0),
    onRetry: (task, n, err, delaySec) => lineLogger.warn('retrying task', { taskId: task.task_id, retry: n, delaySec, error: err.message }),
  });
  const monitor = staticCapacityMonitor(config);
  const service = new ChainService({
    store,
    executor,
    clock: { nowSec: () => Date.now() / 1000 },
    monitor,
    schemas: new AjvSchemaChecker(),
    config,
    newId: () => randomUUID(),
    logger: lineLogger,
  }, (signal) => monitor.signal(signal));
  const app = createChainApi(service);
  const url = await app.listen({ port, host: opts.host });
  const resumed = await service.resume();
  lineLogger.info('prescale serve listening', { url, db: opts.db, resumedExecutions: resumed });
  return {
    url,
    stop: async () => {
      await app.close();
      await service.close();
      await store.close();
    },
  };
}

/** Registers `prescale serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the Chain Management API (POST /chains, GET /chains/{id}, POST /chains/{id}/trigger, GET /chains/{id}/executions/{eid})')
    .option('--config <file>', 'JSON configuration: pools, workflows, principals, policies, tokens, availability, composer', 'prescale.serve.json')
    .option('--port <n>', 'TCP port to listen on (0 = any free port)', '8080')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--db <file>', "SQLite database for chains and executions (':memory:' for none)", '.prescale/chains.db')
    .option('--seed <n>', 'seed of the retry jitter', '0')
    .action(async (opts: ServeOptions) => {
      const { stop } = await serve(opts);
      const shutdown = (): void => {
        void stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
