/**
 * The Chain Management API (seed 002 §2) on fastify, with JSON Schema validation of bodies, params
 * and headers:
 * - `POST /chains` → 201 `{ chain_id, workflow, variants }`
 * - `GET /chains/:chain_id` → 200 the chain definition
 * - `POST /chains/:chain_id/trigger` `{ input }` (+ `Idempotency-Key`) → 202 `{ execution_id, status }`
 *   (200 with `Idempotent-Replayed: true` when a retry returns the first execution)
 * - `GET /chains/:chain_id/executions/:execution_id` → 200 status per step, outputs, decisions, cost
 * - `POST /pools/:pool_id/signals` `{ kind, detail?, duration_sec? }` (operators) → 202: a capacity signal
 * Errors: 400 `{ error, field, reason }`, 401, 403 `{ policy }`, 404, 409, 429 `{ reason_code, policy? }`
 * with `Retry-After`. Bodies are limited in size and nesting depth, and prototype keys are refused
 * (see json-body.ts): each limit is named in its 400.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { InputError, type Principal } from '../../core/model/index.js';
import type { ChainService } from '../../app/chains/chain-service.js';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthenticatedError } from '../../app/chains/errors.js';
import type { ChainRecord, ExecutionRecord } from '../../app/chains/records.js';
import type { ChainServiceConfig } from '../../app/chains/config.js';
import { parseJsonBody } from './json-body.js';

const ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';

const chainParams = { type: 'object', required: ['chain_id'], properties: { chain_id: { type: 'string', pattern: ID_PATTERN } } } as const;
const executionParams = {
  type: 'object',
  required: ['chain_id', 'execution_id'],
  properties: { chain_id: { type: 'string', pattern: ID_PATTERN }, execution_id: { type: 'string', pattern: ID_PATTERN } },
} as const;

const createChainBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    chain_id: { type: 'string', pattern: ID_PATTERN },
    workflow: { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1 },
    pool: { type: 'string', minLength: 1 },
    tasks: { type: 'array', minItems: 1, items: { type: 'object' } },
    variants: { type: 'array', minItems: 1, items: { type: 'object' } },
  },
} as const;

const triggerBody = { type: 'object', additionalProperties: false, properties: { input: {} } } as const;
const triggerHeaders = { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } } } as const;

/** The chain as returned by the API. */
function chainView(c: ChainRecord): Record<string, unknown> {
  return { chain_id: c.chainId, principal: c.principalId, source: c.source, created_at_sec: c.createdAtSec, workflow: c.workflow };
}

/** The execution as returned by the API (snake_case as in seed 002). */
function executionView(e: ExecutionRecord): Record<string, unknown> {
  return {
    execution_id: e.executionId,
    chain_id: e.chainId,
    status: e.status,
    variant: e.variant,
    steps: Object.values(e.steps).map((s) => ({
      task_id: s.taskId,
      status: s.status,
      pool: s.poolId,
      market: s.market ?? null,
      attempts: s.attempts,
      started_at_sec: s.startedAtSec ?? null,
      finished_at_sec: s.finishedAtSec ?? null,
      output: s.output ?? null,
      error: s.error ?? null,
      cost_usd: s.costUsd,
      setup: s.setup ? { outcome: s.setup.outcome, saved_sec: s.setup.savedSec } : null,
    })),
    outputs: e.outputs ?? null,
    switches: e.switches,
    decisions: e.decisions,
    cost_usd: e.costUsd,
    expected_cost_usd: e.expectedCostUsd,
    queue: e.queue ?? null,
    error: e.error ?? null,
    created_at_sec: e.createdAtSec,
    updated_at_sec: e.updatedAtSec,
  };
}

/** Options of {@link createChainApi}. */
export interface ChainApiOptions {
  /** Fastify logging (default off). */
  readonly logger?: boolean;
  /** Body size and depth limits (config `limits`). @default 1 MiB, 64 levels */
  readonly limits?: Pick<ChainServiceConfig['limits'], 'maxBodyBytes' | 'maxJsonDepth'>;
  /**
   * The learning loop of `prescale serve` (src/app/prefetch/serve-learning.ts): `GET /prefetch/status`
   * answers the caller's A/B arm and own preparation figures, and to operators the aggregates (per
   * arm, calibration, bundle counts). Absent: that route answers 404.
   */
  readonly learning?: { status(caller: Principal): unknown };
}

/** How far past `limits.maxBodyBytes` a JSON body is still read, so that its sender gets the 400 (a multiple of the limit). */
const READ_PAST_LIMIT = 4;
/** The most a JSON body is ever read, bytes (the limit's own maximum, src/app/chains/config.ts). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** Builds the fastify app over a {@link ChainService} (call `listen` on the result). */
export function createChainApi(service: ChainService, opts: ChainApiOptions = {}): FastifyInstance {
  const limits = opts.limits ?? { maxBodyBytes: 1024 * 1024, maxJsonDepth: 64 };
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: limits.maxBodyBytes, ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false } } });
  app.removeContentTypeParser('application/json');
  // A body over maxBodyBytes but within READ_PAST_LIMIT × it is read to its end and then refused with
  // the 400 naming the limit: fastify's own early refusal closes the connection while the client is
  // still sending, so the client sees a reset (EPIPE) instead of the answer. Larger bodies are still
  // cut off at once (the read is bounded).
  const readLimit = Math.min(READ_PAST_LIMIT * limits.maxBodyBytes, MAX_READ_BYTES);
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: readLimit }, (_req, body, done) => {
    try {
      if (Buffer.byteLength(body as string) > limits.maxBodyBytes) throw Object.assign(new Error('body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
      done(null, parseJsonBody(body as string, limits.maxJsonDepth));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Authentication runs first (onRequest), so a request without a valid token gets 401 before any 400.
  const principals = new WeakMap<FastifyRequest, Principal>();
  app.addHook('onRequest', async (req) => {
    principals.set(req, service.authenticate(req.headers.authorization));
  });
  const principalOf = (req: FastifyRequest): Principal => {
    const p = principals.get(req);
    if (!p) throw new UnauthenticatedError('not authenticated');
    return p;
  };

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0];
      const missing = (v.params as { missingProperty?: string; additionalProperty?: string } | undefined) ?? {};
      const path = `${v.instancePath ?? ''}${missing.missingProperty ? `/${missing.missingProperty}` : ''}${missing.additionalProperty ? `/${missing.additionalProperty}` : ''}`;
      const field = `${err.validationContext ?? 'body'}${path.replace(/\//g, '.')}`;
      return reply.code(400).send({ error: 'bad-request', field, reason: v.message ?? 'invalid' });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(400).send({ error: 'bad-request', field: 'body', reason: `the body is larger than the limit of ${limits.maxBodyBytes} bytes (limits.maxBodyBytes)` });
    }
    if (err instanceof InputError) return reply.code(400).send({ error: 'bad-request', field: err.location.field ?? '', reason: `got ${err.value}, expected ${err.expected}` });
    if (err instanceof UnauthenticatedError) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', reason: err.message });
    if (err instanceof ForbiddenError) return reply.code(403).send({ error: 'forbidden', policy: err.policyId, reason: err.message });
    if (err instanceof NotFoundError) return reply.code(404).send({ error: 'not-found', reason: err.message });
    if (err instanceof ConflictError) return reply.code(409).send({ error: 'conflict', reason: err.message });
    if (err instanceof TooManyRequestsError) {
      return reply.code(429).header('retry-after', String(err.retryAfterSec)).send({ error: 'too-many-requests', reason_code: err.reasonCode, policy: err.policyId ?? null, reason: err.message });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'bad-request', field: 'body', reason: err.message });
    }
    app.log.error(err);
    return reply.code(500).send({ error: 'internal', reason: err.message });
  });

  app.post('/chains', { schema: { body: createChainBody } }, async (req, reply) => {
    const principal = principalOf(req);
    const chain = await service.createChain(principal, req.body as Parameters<ChainService['createChain']>[1]);
    return reply.code(201).send({ chain_id: chain.chainId, workflow: chain.workflow.name, variants: chain.workflow.variants.map((v) => v.name) });
  });

  app.get('/chains/:chain_id', { schema: { params: chainParams } }, async (req) => {
    const { chain_id } = req.params as { chain_id: string };
    return chainView(await service.getChain(principalOf(req), chain_id));
  });

  app.post('/chains/:chain_id/trigger', { schema: { params: chainParams, body: triggerBody, headers: triggerHeaders } }, async (req, reply) => {
    const principal = principalOf(req);
    const { chain_id } = req.params as { chain_id: string };
    const body = (req.body ?? {}) as { input?: unknown };
    const key = req.headers['idempotency-key'] as string | undefined;
    const res = await service.trigger(principal, chain_id, body.input ?? {}, key);
    if (res.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(res.replayed ? 200 : 202).send({ execution_id: res.executionId, chain_id, status: res.status });
  });

  app.get('/chains/:chain_id/executions/:execution_id', { schema: { params: executionParams } }, async (req) => {
    const { chain_id, execution_id } = req.params as { chain_id: string; execution_id: string };
    return executionView(await service.getExecution(principalOf(req), chain_id, execution_id));
  });

  app.post(
    '/pools/:pool_id/signals',
    {
      schema: {
        params: { type: 'object', required: ['pool_id'], properties: { pool_id: { type: 'string', pattern: ID_PATTERN } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { enum: ['spot-interruption-notice', 'insufficient-capacity'] }, detail: { type: 'string', maxLength: 500 }, duration_sec: { type: 'number', exclusiveMinimum: 0 } },
        },
      },
    },
    async (req, reply) => {
      const { pool_id } = req.params as { pool_id: string };
      const body = req.body as { kind: 'spot-interruption-notice' | 'insufficient-capacity'; detail?: string; duration_sec?: number };
      const s = service.signalPool(principalOf(req), { kind: body.kind, poolId: pool_id, detail: body.detail, durationSec: body.duration_sec });
      return reply.code(202).send({ pool: s.poolId, kind: s.kind, at_sec: s.atSec, until_sec: s.untilSec ?? null });
    },
  );

  // the caller's own figures; aggregates to operators only; never a chain, workflow or task name
  app.get('/prefetch/status', async (req, reply) => {
    const principal = principalOf(req);
    if (!opts.learning) throw new NotFoundError('this server runs no learning loop (start it with --prefetch-workers 1 or more)');
    return reply.header('cache-control', 'no-store').send(opts.learning.status(principal));
  });

  return app;
}
