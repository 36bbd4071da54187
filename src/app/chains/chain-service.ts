/**
 * The chain service (seed 002 §2, issue 4): registers chains (task definitions or a catalog
 * workflow), authorizes and composes them on trigger, runs executions on the workflow engine
 * (compiled to ASL, followed by {@link ExecutionRunner}), and answers status queries. HTTP lives in src/adapters/http; this class knows only ports.
 */
import { composeWorkflow, DEFAULT_DENY_POLICY_ID, authorize, authorizeTasks } from '../../core/compose/index.js';
import { InputError, type Principal, type Workflow } from '../../core/model/index.js';
import { poolOf } from '../../core/model/index.js';
import { registryInputError, validateWorkflow } from '../../core/registry/index.js';
import type { Timer } from '../../ports/clock.js';
import { VersionConflictError } from '../../ports/index.js';
import type { PoolSignal } from './capacity-monitor.js';
import { SUBMITTED_WORKFLOW } from './config-check.js';
import type { ChainContext, ChainServiceDeps } from './context.js';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthenticatedError } from './errors.js';
import { Lease } from './lease.js';
import { principalBehaviour } from './behaviour.js';
import { TABLES, canonicalJson, chainKey, executionKey, type ChainRecord, type ExecutionRecord } from './records.js';
import { ExecutionRunner, initialSteps, type MachineCache } from './execution-runner.js';
import { EventFeed } from './event-feed.js';
import { EXECUTION_EVENTS_LOG } from '../worker/pool-worker.js';
import { withObservedRuntimes } from './runtime-history.js';
import { registeredTaskIds, submittedWorkflow } from './submission.js';
import { TokenTable } from './tokens.js';

/**
 * Body of `POST /chains`: a catalog workflow name, or registered-task references (one variant, see
 * {@link TaskReferenceSchema}), or variants of them. `name` is a label only (the workflow of a
 * submitted chain is always `submitted`).
 */
export interface CreateChainBody {
  readonly chain_id?: string;
  readonly workflow?: string;
  readonly name?: string;
  /** Registered-task references. */
  readonly tasks?: unknown[];
  /** Pool the submitted tasks run on (default: the first EC2 pool). */
  readonly pool?: string;
  readonly variants?: unknown[];
}

/** Result of a trigger. */
export interface TriggerResult {
  readonly executionId: string;
  readonly status: ExecutionRecord['status'];
  /** True when an earlier trigger with the same Idempotency-Key and input is returned again. */
  readonly replayed: boolean;
}

/** An Idempotency-Key claim: the execution it stands for and the canonical input it was used with. */
interface IdempotencyRecord {
  readonly executionId: string;
  readonly payload: string;
  readonly claimedAtSec: number;
}

/** Seconds after which an in-progress Idempotency-Key claim without an execution may be taken over. */
export const IDEMPOTENCY_IN_PROGRESS_SEC = 60;

/** Spend charged to a principal: entries per execution (expected cost at trigger, then actual cost beyond it), USD. */
type SpendEntries = Array<{ atSec: number; usd: number; executionId: string }>;

/** The chain service. `close()` stops its runners (their executions resume on the next start). */
export class ChainService {
  private readonly ctx: ChainContext;
  private readonly runners = new Map<string, Promise<void>>();
  private readonly machines: MachineCache = new Map();
  private readonly feed: EventFeed;
  private readonly abort = new AbortController();
  private readonly tokens: TokenTable;
  private sweeper: Timer | undefined;

  /**
   * @param deps ports and configuration
   * @param signals where {@link signalPool} records signals (e.g. a static monitor's `signal`); absent: refused
   */
  constructor(deps: ChainServiceDeps, private readonly signals?: (s: PoolSignal) => void) {
    const principals = new Map(deps.config.principals.map((p) => [p.id, p]));
    this.tokens = new TokenTable(deps.config.tokens);
    this.feed = new EventFeed(deps.store, deps.clock, EXECUTION_EVENTS_LOG, (deps.config.pollSec * 1000) / 2);
    this.ctx = {
      ...deps,
      ownerId: deps.ownerId ?? deps.newId(),
      composer: deps.config.composer,
      principal: (id) => principals.get(id),
      spentUsdLastHour: async (principalId) => {
        const now = deps.clock.nowSec();
        const got = await deps.store.get<SpendEntries>(TABLES.spend, principalId);
        return (got?.value ?? []).filter((e) => e.atSec > now - 3600).reduce((a, e) => a + e.usd, 0);
      },
      chargeSpend: async (principalId, executionId, usd) => {
        for (;;) {
          const now = deps.clock.nowSec();
          const got = await deps.store.get<SpendEntries>(TABLES.spend, principalId);
          const entries = (got?.value ?? []).filter((e) => e.atSec > now - 3600);
          try {
            await deps.store.put(TABLES.spend, principalId, [...entries, { atSec: now, usd, executionId }], { ifVersion: got?.version ?? 0 });
            return;
          } catch (e) {
            if (!(e instanceof VersionConflictError)) throw e;
          }
        }
      },
    };
  }

  /**
   * The principal a bearer token maps to.
   * @throws UnauthenticatedError when the header is missing, malformed or the token unknown
   */
  authenticate(authorization: string | undefined): Principal {
    const m = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(authorization ?? '');
    if (!m) throw new UnauthenticatedError('missing or malformed Authorization header; expected "Bearer <token>"');
    const id = this.tokens.principalOf(m[1]);
    const principal = id === undefined ? undefined : this.ctx.principal(id);
    if (!principal) throw new UnauthenticatedError('unknown bearer token');
    return principal;
  }

  /**
   * Registers a chain after validation (zod shapes, registered-task references, then the registry:
   * dependencies, cycles, schema compatibility via ajv, pools; every code location admitted by the
   * task root), a check that the principal may use the registered tasks, and that it may run at least
   * one variant. The chain id is the principal's own (another principal's chain of the same id is
   * neither seen nor touched).
   * @throws InputError (400), ForbiddenError (403), ConflictError (409 for the principal's existing `chain_id`)
   */
  async createChain(principal: Principal, body: CreateChainBody): Promise<ChainRecord> {
    const workflow = this.workflowFromBody(body);
    const issues = validateWorkflow(workflow, this.ctx.config.pools, this.ctx.schemas);
    if (issues.length > 0) {
      const i = issues[0];
      throw registryInputError(body.tasks !== undefined ? { ...i, field: i.field.replace(/^variants\[0\]\.tasks/, 'tasks') } : i);
    }
    this.admitCode(workflow, body.tasks !== undefined ? 'tasks' : undefined);
    const allowed = workflow.variants.map((v) =>
      authorize(principal, this.ctx.config.policies, { workflow: workflow.name, variant: v.name, pools: [...new Set(v.tasks.map((t) => poolOf(v, t.task_id)))].sort() }),
    );
    if (!allowed.some((a) => a.allowed)) {
      const d = allowed.find((a) => a.policyId !== DEFAULT_DENY_POLICY_ID) ?? allowed[0];
      throw new ForbiddenError(d.policyId, d.reason);
    }
    if (workflow.name === SUBMITTED_WORKFLOW && body.workflow === undefined) this.authorizeRegisteredTasks(principal, workflow);
    const chainId = body.chain_id ?? this.ctx.newId();
    const rec: ChainRecord = { chainId, principalId: principal.id, source: body.workflow ? 'catalog' : 'submitted', workflow, createdAtSec: this.ctx.clock.nowSec() };
    try {
      await this.ctx.store.put(TABLES.chains, chainKey(principal.id, chainId), rec, { ifVersion: 0 });
    } catch (e) {
      if (e instanceof VersionConflictError) throw new ConflictError(`you already have a chain ${chainId}`);
      throw e;
    }
    return rec;
  }

  /** @throws NotFoundError when absent or owned by another principal */
  async getChain(principal: Principal, chainId: string): Promise<ChainRecord> {
    const got = await this.ctx.store.get<ChainRecord>(TABLES.chains, chainKey(principal.id, chainId));
    if (!got || got.value.principalId !== principal.id) throw new NotFoundError(`no chain ${chainId}`);
    return got.value;
  }

  /**
   * Triggers an execution: validates `input` against the root steps' input schemas, composes the
   * workflow for the principal (authorization, spend cap, scoring, fallback), persists the execution
   * and starts it. With `idempotencyKey`, a retry with the same input returns the same execution;
   * another input under the same key is a conflict.
   * @throws InputError (400), NotFoundError (404), ForbiddenError (403), ConflictError (409), TooManyRequestsError (429)
   */
  async trigger(principal: Principal, chainId: string, input: unknown, idempotencyKey?: string): Promise<TriggerResult> {
    const chain = await this.getChain(principal, chainId);
    const executionId = this.ctx.newId();
    const payload = canonicalJson(input ?? null);
    const idemKey = idempotencyKey ? `${principal.id}/${chainId}/${idempotencyKey}` : undefined;
    if (idemKey) {
      const claim: IdempotencyRecord = { executionId, payload, claimedAtSec: this.ctx.clock.nowSec() };
      try {
        await this.ctx.store.put(TABLES.idempotency, idemKey, claim, { ifVersion: 0 });
      } catch (e) {
        if (!(e instanceof VersionConflictError)) throw e;
        const prior = (await this.ctx.store.get<IdempotencyRecord>(TABLES.idempotency, idemKey))!;
        if (prior.value.payload !== payload) throw new ConflictError(`Idempotency-Key ${idempotencyKey} was used with a different input`);
        const exec = await this.ctx.store.get<ExecutionRecord>(TABLES.executions, executionKey(principal.id, chainId, prior.value.executionId));
        if (exec) return { executionId: prior.value.executionId, status: exec.value.status, replayed: true };
        // The first request claimed the key but never stored its execution (it is in flight, or its
        // process died): like Powertools' in-progress expiry, the claim can be taken over once stale.
        if (claim.claimedAtSec - prior.value.claimedAtSec < IDEMPOTENCY_IN_PROGRESS_SEC) {
          throw new ConflictError(`Idempotency-Key ${idempotencyKey}: the first request is still in progress`);
        }
        try {
          await this.ctx.store.put(TABLES.idempotency, idemKey, claim, { ifVersion: prior.version });
        } catch (e2) {
          if (e2 instanceof VersionConflictError) throw new ConflictError(`Idempotency-Key ${idempotencyKey}: another request took the key`);
          throw e2;
        }
      }
    }
    try {
      return await this.startExecution(principal, chain, executionId, input ?? {}, idempotencyKey);
    } catch (e) {
      if (idemKey) await this.ctx.store.delete(TABLES.idempotency, idemKey);
      throw e;
    }
  }

  /** @throws NotFoundError when the chain or execution is absent or not the principal's */
  async getExecution(principal: Principal, chainId: string, executionId: string): Promise<ExecutionRecord> {
    await this.getChain(principal, chainId);
    const got = await this.ctx.store.get<ExecutionRecord>(TABLES.executions, executionKey(principal.id, chainId, executionId));
    if (!got) throw new NotFoundError(`no execution ${executionId} of chain ${chainId}`);
    return got.value;
  }

  /**
   * Records a capacity signal about a pool (a spot interruption notice, insufficient capacity); running
   * executions react at their next step boundary.
   * @throws ForbiddenError (policy `operators`) unless the principal or one of its groups is an operator
   * @throws NotFoundError for an unknown pool
   */
  signalPool(principal: Principal, signal: Omit<PoolSignal, 'atSec'> & { durationSec?: number }): PoolSignal {
    const names = [principal.id, ...principal.memberOf];
    if (!this.ctx.config.operators.some((o) => names.includes(o))) throw new ForbiddenError('operators', `${principal.id} is not an operator (config "operators")`);
    if (!this.ctx.config.pools.some((p) => p.id === signal.poolId)) throw new NotFoundError(`no pool ${signal.poolId}`);
    if (!this.signals) throw new ConflictError('this service has no signal-accepting capacity monitor');
    const atSec = this.ctx.clock.nowSec();
    const s: PoolSignal = { kind: signal.kind, poolId: signal.poolId, atSec, ...(signal.detail ? { detail: signal.detail } : {}), ...(signal.durationSec ? { untilSec: atSec + signal.durationSec } : {}) };
    this.signals(s);
    this.ctx.logger.info('pool signal', { ...s });
    return s;
  }

  /**
   * Starts a runner for every stored execution that is queued or running and has no runner in this
   * process (after a restart, or one whose runner in another process stopped renewing its lease).
   * Each runner first takes the execution's lease, so an execution another live process runs is
   * left to it. @returns how many runners were started
   */
  async resume(): Promise<number> {
    const all = await this.ctx.store.list<ExecutionRecord>(TABLES.executions);
    let n = 0;
    for (const item of all) {
      if (item.value.status !== 'queued' && item.value.status !== 'running') continue;
      if (this.runners.has(item.key) || this.abort.signal.aborted) continue;
      const chain = await this.ctx.store.get<ChainRecord>(TABLES.chains, chainKey(item.value.principalId, item.value.chainId));
      if (!chain) continue;
      this.startRunner(chain.value, item.value, item.version);
      n++;
    }
    return n;
  }

  /**
   * Calls {@link resume} every `leaseSec` until {@link close}, so an execution whose runner died in
   * another process (its lease expired) is taken over without a restart.
   */
  watch(): void {
    if (this.sweeper) return;
    this.sweeper = this.ctx.clock.setRepeating(this.ctx.config.leaseSec * 1000, () => {
      this.resume().catch((e: unknown) => this.ctx.logger.error('resume sweep failed', { error: e instanceof Error ? e.message : String(e) }));
    }, { background: true });
  }

  /** Resolves when every runner of this instance has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.runners.size > 0) await Promise.allSettled([...this.runners.values()]);
  }

  /**
   * Stops runners and the engine's in-process part (workers, local executions); executions in
   * flight stay `running` in the store and resume from their checkpoint on the next start.
   */
  async close(): Promise<void> {
    this.sweeper?.cancel();
    this.sweeper = undefined;
    this.abort.abort(new Error('chain service closing'));
    await this.idle();
    await this.ctx.engine.close?.();
  }

  private async startExecution(principal: Principal, stored: ChainRecord, executionId: string, input: unknown, idempotencyKey?: string): Promise<TriggerResult> {
    // Re-checked at every trigger: the operator may have changed the registry or the policies since creation.
    try {
      this.admitCode(stored.workflow, undefined);
    } catch (e) {
      if (e instanceof InputError) throw new ForbiddenError('task-registry', `chain ${stored.chainId} uses code the task registry no longer admits: ${e.message}`);
      throw e;
    }
    if (stored.source === 'submitted') this.authorizeRegisteredTasks(principal, stored.workflow);
    const chain: ChainRecord = { ...stored, workflow: await withObservedRuntimes(this.ctx.store, stored.workflow) };
    for (const v of chain.workflow.variants) {
      for (const t of v.tasks.filter((x) => x.dependencies.length === 0)) {
        const bad = this.ctx.schemas.validate(t.input_schema, input);
        if (bad) throw new InputError({ field: `input${bad.field.replace(/\//g, '.')}` }, input, `an input matching ${v.name}/${t.task_id}'s input_schema (${bad.reason})`);
      }
    }
    const now = this.ctx.clock.nowSec();
    const spent = await this.ctx.spentUsdLastHour(principal.id);
    const res = composeWorkflow({
      workflow: chain.workflow,
      auth: { principal, policies: this.ctx.config.policies, spentUsdLastHour: spent },
      availability: this.ctx.monitor.profile(now),
      behaviour: await principalBehaviour(this.ctx.store, principal.id, chain.workflow, this.ctx.config.behaviour), // issue 19 item 6: learned from its own chains
      options: this.ctx.composer,
      subject: chain.chainId,
    });
    await this.ctx.store.append(TABLES.decisions, res.decisions);
    if (res.status === 'denied') throw new ForbiddenError(res.policyId, res.reason);
    if (res.status === 'over-spend-cap') throw new TooManyRequestsError('spend-cap', res.reason, res.policyId, await this.spendRetryAfterSec(principal.id));
    const base = { executionId, chainId: chain.chainId, principalId: principal.id, input, ...(idempotencyKey ? { idempotencyKey } : {}), decisions: [...res.decisions], switches: [], costUsd: 0, createdAtSec: now, updatedAtSec: now };
    let rec: ExecutionRecord;
    if (res.status === 'composed') {
      rec = { ...base, status: 'running', variant: res.dag.variant, steps: initialSteps(res.dag.steps), expectedCostUsd: res.score.expectedCostUsd, chargedUsd: res.score.expectedCostUsd };
    } else {
      const queued = (await this.ctx.store.list<ExecutionRecord>(TABLES.executions)).filter((x) => x.value.principalId === principal.id && x.value.status === 'queued').length;
      if (queued >= this.ctx.config.maxQueuedPerPrincipal) {
        throw new TooManyRequestsError('queue-full', `principal ${principal.id} already has ${queued} queued executions (max ${this.ctx.config.maxQueuedPerPrincipal}); ${res.fallback.reason}`);
      }
      rec = { ...base, status: 'queued', variant: res.fallback.variant, steps: {}, expectedCostUsd: 0, chargedUsd: 0, queue: { reason: res.fallback.reason, estimatedStartSec: res.fallback.estimatedStartSec, capacityRequests: res.fallback.capacityRequests } };
    }
    const version = await this.ctx.store.put(TABLES.executions, executionKey(principal.id, chain.chainId, executionId), rec, { ifVersion: 0 });
    if (rec.expectedCostUsd > 0) await this.ctx.chargeSpend(principal.id, executionId, rec.expectedCostUsd);
    this.startRunner(chain, rec, version);
    return { executionId, status: rec.status, replayed: false };
  }

  /** Seconds until the oldest spend entry of the last hour leaves the window (at least 1). */
  private async spendRetryAfterSec(principalId: string): Promise<number> {
    const now = this.ctx.clock.nowSec();
    const entries = ((await this.ctx.store.get<SpendEntries>(TABLES.spend, principalId))?.value ?? []).filter((e) => e.atSec > now - 3600);
    const oldest = Math.min(...entries.map((e) => e.atSec));
    return Number.isFinite(oldest) ? Math.max(1, Math.ceil(oldest + 3600 - now)) : 60;
  }

  /**
   * Every code location of `workflow` must be admitted by the task root / command list.
   * @param tasksField `tasks` when the body's `tasks` are the only variant (fields named `tasks[i]…`)
   * @throws InputError naming the field
   */
  private admitCode(workflow: Workflow, tasksField: 'tasks' | undefined): void {
    workflow.variants.forEach((v, j) => v.tasks.forEach((t, i) => {
      for (const [k, loc] of [['task', t.executable_code_location], ['task', t.prepare]] as const) {
        if (loc === undefined) continue;
        const why = this.ctx.code.refusal(loc, t.task_id);
        if (why) throw new InputError({ field: `${tasksField ? `tasks[${i}]` : `variants[${j}].tasks[${i}]`}.${k}` }, t.task_type ?? t.task_id, `a registered task whose code the task root admits (${why})`);
      }
    }));
  }

  /** @throws ForbiddenError when the principal's policies do not allow every registered task the workflow uses */
  private authorizeRegisteredTasks(principal: Principal, workflow: Workflow): void {
    const a = authorizeTasks(principal, this.ctx.config.policies, workflow.name, registeredTaskIds(workflow));
    if (!a.allowed) throw new ForbiddenError(a.policyId, a.reason);
  }

  private startRunner(chain: ChainRecord, rec: ExecutionRecord, version: number): void {
    const key = executionKey(rec.principalId, rec.chainId, rec.executionId);
    const lease = new Lease(this.ctx.store, this.ctx.clock, key, this.ctx.ownerId, this.ctx.config.leaseSec);
    const runner = new ExecutionRunner(this.ctx, chain, rec, version, this.abort.signal, lease, this.machines, this.feed);
    const p = runner
      .run()
      .catch((e: unknown) => this.ctx.logger.error('execution runner stopped', { executionId: rec.executionId, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => this.runners.delete(key));
    this.runners.set(key, p);
  }

  private workflowFromBody(body: CreateChainBody): Workflow {
    const modes = [body.workflow !== undefined, body.tasks !== undefined, body.variants !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new InputError({ field: '(root)' }, Object.keys(body), 'exactly one of "workflow" (a catalog name), "tasks" or "variants"');
    if (body.workflow !== undefined) {
      const wf = this.ctx.config.workflows.find((w) => w.name === body.workflow);
      if (!wf) throw new InputError({ field: 'workflow' }, body.workflow, `a catalog workflow (${this.ctx.config.workflows.map((w) => w.name).join(', ') || 'none configured'})`);
      return wf;
    }
    return submittedWorkflow(this.ctx.config, body);
  }
}
