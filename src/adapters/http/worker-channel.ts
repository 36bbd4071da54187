/**
 * The worker channel of `prescale serve` (issue 20): separate `prescale worker --pool ID --serve-url URL`
 * processes take a local server's steps through the same two interfaces they use on AWS, over HTTP:
 * - {@link TaskQueue} of their pool: `POST /v1/pools/:pool_id/receive` (long poll), `…/delete`, `…/visibility`;
 * - the task-token callbacks ({@link TaskCallbacks}): `POST /v1/tasks/success`, `…/failure`, `…/heartbeat`
 *   (410 `{ error: "TaskTokenInvalid" }` for a token that is unknown, timed out or whose execution stopped);
 * - the registered task a step runs: `GET /v1/executions/:execution_name/tasks/:task_id?variant=…`;
 * - step events: `POST /v1/events` into the execution-events log.
 * It listens on its own port (`serve --worker-port`), apart from the Chain API and its principals.
 * Every request needs `Authorization: Bearer <worker token>`; presented tokens are compared by SHA-256
 * digest with every configured token in constant time (`crypto.timingSafeEqual`). Bodies are limited
 * in size ({@link WORKER_CHANNEL_BODY_LIMIT_BYTES}) and nesting depth, and prototype keys are refused.
 * A worker that dies mid-step simply stops calling: a received message it had not deleted comes back
 * after its visibility timeout, a step it had started times out on its heartbeat and the machine's
 * Retry sends it again (to any worker of the pool).
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { MAX_PAYLOAD_BYTES } from '../../core/engine/index.js';
import type { ExecutionEvent } from '../../core/model/events.js';
import { InputError } from '../../core/model/index.js';
import { tokenDigest } from '../../app/chains/tokens.js';
import { EXECUTION_EVENTS_LOG } from '../../app/worker/pool-worker.js';
import { TaskTokenInvalidError } from '../../ports/workflow-engine.js';
import type { WorkerChannelBackend } from '../engine/embedded-engine.js';
import { parseJsonBody } from './json-body.js';

/**
 * Largest request body, bytes: a step output (at most the engine's 256 KiB payload) sent as a JSON
 * string can double in size by escaping, plus room for the envelope.
 */
export const WORKER_CHANNEL_BODY_LIMIT_BYTES = 2 * MAX_PAYLOAD_BYTES + 64 * 1024;
/** Deepest JSON nesting accepted in a request body. */
const MAX_DEPTH = 32;
/** Most events in one `POST /v1/events`. */
const MAX_EVENTS = 100;

const ID = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const poolParams = { type: 'object', required: ['pool_id'], properties: { pool_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } } } as const;
const strict = <P extends Record<string, unknown>>(properties: P, required: Array<keyof P & string>) => ({ type: 'object', additionalProperties: false, required, properties }) as const;
const receiveBody = strict({
  max_messages: { type: 'integer', minimum: 1, maximum: 10 },
  wait_sec: { type: 'number', minimum: 0, maximum: 20 },
  visibility_timeout_sec: { type: 'number', minimum: 0, maximum: 43_200 },
}, ['max_messages', 'wait_sec']);
const receiptBody = strict({ receipt_handle: ID }, ['receipt_handle']);
const visibilityBody = strict({ receipt_handle: ID, timeout_sec: { type: 'number', minimum: 0, maximum: 43_200 } }, ['receipt_handle', 'timeout_sec']);
const TOKEN = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const successBody = strict({ task_token: TOKEN, output: { type: 'string', maxLength: MAX_PAYLOAD_BYTES } }, ['task_token', 'output']);
const failureBody = strict({ task_token: TOKEN, error: { type: 'string', maxLength: 256 }, cause: { type: 'string', maxLength: 32_768 } }, ['task_token', 'error', 'cause']);
const heartbeatBody = strict({ task_token: TOKEN }, ['task_token']);
const num = { type: 'number' } as const;
const eventSchema = strict({
  chainId: ID, workflow: ID, variant: ID, taskId: ID, taskType: ID,
  kind: { type: 'string', enum: ['started', 'progress', 'finished', 'failed'] },
  atSec: num, intensity: { type: 'number', minimum: 0, maximum: 1 }, vcpu: num, memoryGiB: num, runtimeSec: num, setupSavedSec: num, outputBytes: num,
  instanceId: ID, executionName: ID, poolId: ID, principal: ID, channel: ID,
  setupOutcome: { type: 'string', enum: ['resumed', 'not-prepared', 'cache-unavailable', 'none'] },
  error: { type: 'string', maxLength: 33_000 },
}, ['chainId', 'workflow', 'taskId', 'taskType', 'kind', 'atSec']);
const eventsBody = strict({ log: { type: 'string', enum: [EXECUTION_EVENTS_LOG] }, events: { type: 'array', minItems: 1, maxItems: MAX_EVENTS, items: eventSchema } }, ['events']);
const taskParams = { type: 'object', required: ['execution_name', 'task_id'], properties: { execution_name: ID, task_id: ID } } as const;
const taskQuery = strict({ variant: ID }, ['variant']);

/** Options of {@link createWorkerChannelApi}. */
export interface WorkerChannelOptions {
  /** The worker tokens (configuration `workerChannel.tokens`). */
  readonly tokens: readonly string[];
}

/** The channel's fastify app (not listening yet). */
export function createWorkerChannelApi(backend: WorkerChannelBackend, opts: WorkerChannelOptions): FastifyInstance {
  const digests = opts.tokens.map(tokenDigest);
  const app = Fastify({ logger: false, bodyLimit: WORKER_CHANNEL_BODY_LIMIT_BYTES, ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false } } });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: WORKER_CHANNEL_BODY_LIMIT_BYTES }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string, MAX_DEPTH));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addHook('onRequest', async (req, reply) => {
    const h = req.headers.authorization;
    const presented = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : '';
    const d = tokenDigest(presented);
    let ok = false;
    for (const t of digests) if (timingSafeEqual(d, t)) ok = true;
    if (!ok || presented === '') return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', reason: 'a worker token (workerChannel.tokens) is required' });
  });
  // Long polls end at once when the server closes.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      return reply.code(400).send({ error: 'bad-request', field: `${err.validationContext ?? 'body'}${(v.instancePath ?? '').replace(/\//g, '.')}`, reason: v.message ?? 'invalid' });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(400).send({ error: 'bad-request', field: 'body', reason: `the body is larger than ${WORKER_CHANNEL_BODY_LIMIT_BYTES} bytes` });
    if (err instanceof InputError) return reply.code(400).send({ error: 'bad-request', field: err.location.field ?? 'body', reason: `got ${err.value}, expected ${err.expected}` });
    if (err instanceof TaskTokenInvalidError) return reply.code(410).send({ error: 'TaskTokenInvalid', reason: err.message });
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ error: 'bad-request', field: 'body', reason: err.message });
    return reply.code(500).send({ error: 'internal', reason: 'internal error' });
  });
  const queueOf = (poolId: string) => {
    const q = backend.queue(poolId);
    if (!q) throw Object.assign(new Error(`pool ${poolId} is not served to remote workers (workerChannel.remotePools)`), { statusCode: 404 });
    return q;
  };

  app.post<{ Params: { pool_id: string }; Body: { max_messages: number; wait_sec: number; visibility_timeout_sec?: number } }>('/v1/pools/:pool_id/receive', { schema: { params: poolParams, body: receiveBody } }, async (req) => {
    const q = queueOf(req.params.pool_id);
    const gone = new AbortController();
    const onGone = (): void => gone.abort();
    req.raw.socket.once('close', onGone);
    closing.signal.addEventListener('abort', onGone, { once: true });
    try {
      const got = await q.receive({
        maxMessages: req.body.max_messages, waitSec: req.body.wait_sec, signal: gone.signal,
        ...(req.body.visibility_timeout_sec !== undefined ? { visibilityTimeoutSec: req.body.visibility_timeout_sec } : {}),
      });
      if (req.raw.socket.destroyed) {
        // Nobody will read the answer: give the messages back to the pool's other workers now.
        for (const m of got) await q.extendVisibility(m.receiptHandle, 0);
        return { messages: [] };
      }
      return { messages: got.map((m) => ({ message_id: m.messageId, receipt_handle: m.receiptHandle, body: m.body, receive_count: m.receiveCount })) };
    } finally {
      req.raw.socket.off('close', onGone);
      closing.signal.removeEventListener('abort', onGone);
    }
  });
  app.post<{ Params: { pool_id: string }; Body: { receipt_handle: string } }>('/v1/pools/:pool_id/delete', { schema: { params: poolParams, body: receiptBody } }, async (req) => {
    await queueOf(req.params.pool_id).delete(req.body.receipt_handle);
    return {};
  });
  app.post<{ Params: { pool_id: string }; Body: { receipt_handle: string; timeout_sec: number } }>('/v1/pools/:pool_id/visibility', { schema: { params: poolParams, body: visibilityBody } }, async (req) => {
    await queueOf(req.params.pool_id).extendVisibility(req.body.receipt_handle, req.body.timeout_sec);
    return {};
  });
  app.post<{ Body: { task_token: string; output: string } }>('/v1/tasks/success', { schema: { body: successBody } }, async (req) => {
    try {
      JSON.parse(req.body.output);
    } catch {
      throw Object.assign(new Error('output must be JSON text'), { statusCode: 400 });
    }
    await backend.callbacks.sendTaskSuccess(req.body.task_token, req.body.output);
    return {};
  });
  app.post<{ Body: { task_token: string; error: string; cause: string } }>('/v1/tasks/failure', { schema: { body: failureBody } }, async (req) => {
    await backend.callbacks.sendTaskFailure(req.body.task_token, req.body.error, req.body.cause);
    return {};
  });
  app.post<{ Body: { task_token: string } }>('/v1/tasks/heartbeat', { schema: { body: heartbeatBody } }, async (req) => {
    await backend.callbacks.sendTaskHeartbeat(req.body.task_token);
    return {};
  });
  app.get<{ Params: { execution_name: string; task_id: string }; Querystring: { variant: string } }>('/v1/executions/:execution_name/tasks/:task_id', { schema: { params: taskParams, querystring: taskQuery } }, async (req, reply) => {
    const task = backend.task(req.params.execution_name, req.query.variant, req.params.task_id);
    if (!task) return reply.code(404).send({ error: 'not-found', reason: 'no such step in an execution this server admitted' });
    return { task };
  });
  app.post<{ Body: { events: ExecutionEvent[] } }>('/v1/events', { schema: { body: eventsBody } }, async (req) => {
    await backend.events.append(EXECUTION_EVENTS_LOG, req.body.events);
    return {};
  });
  return app;
}
