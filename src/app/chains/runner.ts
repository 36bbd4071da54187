/**
 * Runs one execution of a chain to the end (seed 003 component 4): ready steps start in parallel
 * within their pools' free units; every step start and end is persisted, so a restarted process
 * resumes without re-running finished steps; at every step boundary the remaining work is re-scored
 * and, on a trigger (overrun of p95 × factor, spot interruption notice, insufficient capacity), the
 * remaining steps switch to the best alternative variant. With a prefetch manager, a step that
 * waits for capacity is prepared meanwhile and starts from its prepared state (see ChainServiceDeps).
 *
 * A runner runs only while it holds the execution's {@link Lease} (issue 15): it takes the lease
 * before anything else and re-reads the record under it, renews it every third of `leaseSec`, stops
 * (aborting its steps) the moment a renewal fails, and releases it at the end. Two processes on one
 * store therefore never run the same step at once. Every finished step's duration joins its task
 * type's runtime history, and cost beyond what was charged at trigger is charged to the spend cap.
 */
import { assembleDag, availableUnitsAt, composeWorkflow, rescoreForSwitch, taskCost, type SwitchTrigger } from '../../core/compose/index.js';
import type { Decision, Principal } from '../../core/model/index.js';
import { poolOf } from '../../core/model/index.js';
import type { ChainContext } from './context.js';
import type { Lease } from './lease.js';
import { TABLES, executionKey, type ChainRecord, type ExecutionRecord, type StepRecord } from './records.js';
import { recordRuntime, withObservedRuntimes } from './runtime-history.js';

type DagStep = ReturnType<typeof assembleDag>['steps'][number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Drives one execution; `run()` resolves when it succeeds, fails, or `abort` fires. */
export class ExecutionRunner {
  private savedDecisions: number;
  private saving: Promise<void> = Promise.resolve();
  private signalSeq: number;
  private readonly overrunReported = new Set<string>();
  private readonly pendingTriggers: SwitchTrigger[] = [];
  /** Steps whose preparation this runner queued (see {@link prepareWhileWaiting}). */
  private readonly preparing = new Set<string>();

  private readonly abort: AbortSignal;
  private readonly lost = new AbortController();
  private chain: ChainRecord;

  constructor(
    private readonly ctx: ChainContext,
    chain: ChainRecord,
    private rec: ExecutionRecord,
    private version: number,
    serviceAbort: AbortSignal,
    private readonly lease: Lease,
  ) {
    this.chain = chain;
    this.abort = AbortSignal.any([serviceAbort, this.lost.signal]);
    this.savedDecisions = rec.decisions.length;
    this.signalSeq = ctx.monitor.signalsSince(0).nextSeq;
  }

  /**
   * Takes the lease, then runs to completion (or until aborted or the lease is lost). Resolves at
   * once when another process holds the lease. Never throws for step failures: they fail the execution.
   */
  async run(): Promise<void> {
    if (!(await this.lease.acquire())) return;
    const renewEveryMs = (this.ctx.config.leaseSec * 1000) / 3;
    const timer = setInterval(() => {
      this.lease.renew().then(
        (ok) => {
          if (!ok && !this.lost.signal.aborted) this.loseLease('lease lost: another process took the execution over');
        },
        (e: unknown) => this.ctx.logger.warn('lease renewal failed; retrying', { executionId: this.rec.executionId, error: e instanceof Error ? e.message : String(e) }),
      );
    }, renewEveryMs);
    try {
      // The record may have moved on while the lease was elsewhere: run from what is stored now.
      const fresh = await this.ctx.store.get<ExecutionRecord>(TABLES.executions, this.lease.key);
      if (!fresh || (fresh.value.status !== 'queued' && fresh.value.status !== 'running')) return;
      this.rec = fresh.value;
      this.version = fresh.version;
      this.savedDecisions = this.rec.decisions.length;
      this.chain = { ...this.chain, workflow: await withObservedRuntimes(this.ctx.store, this.chain.workflow) };
      await this.runLeased();
    } finally {
      clearInterval(timer);
      await this.lease.release().catch(() => undefined);
    }
  }

  private loseLease(reason: string): void {
    this.ctx.logger.warn('execution runner stopping', { executionId: this.rec.executionId, reason });
    this.lost.abort(new Error(reason));
  }

  /** Principal of the execution (a principal no longer configured matches no policy but `*` ones). */
  private principal(): Principal {
    return this.ctx.principal(this.rec.principalId) ?? { id: this.rec.principalId, kind: 'user', memberOf: [] };
  }

  private async runLeased(): Promise<void> {
    if (this.rec.status === 'queued') await this.waitForComposition();
    if (this.abort.aborted || this.rec.status !== 'running') return;
    for (const s of Object.values(this.rec.steps)) {
      if (s.status === 'running') {
        s.status = 'pending';
        this.ctx.logger.info('resuming step that was running when the process stopped', { executionId: this.rec.executionId, taskId: s.taskId });
      }
    }
    await this.save();
    const running = new Map<string, Promise<void>>();
    while (!this.abort.aborted) {
      const dag = this.dag();
      const steps = dag.steps.map((s) => this.rec.steps[s.taskId]);
      if (steps.every((s) => s?.status === 'succeeded')) return this.finish('succeeded', dag);
      const failed = steps.find((s) => s?.status === 'failed');
      if (failed && running.size === 0) return this.finish('failed', dag, `step ${failed.taskId} failed: ${failed.error ?? ''}`);
      if (!failed) this.launchReady(running);
      await Promise.race([...running.values(), sleep(this.ctx.config.pollSec * 1000)]);
      if (this.abort.aborted) break;
      await this.boundary(running);
    }
    await Promise.allSettled(running.values());
  }

  private dag() {
    const variant = this.chain.workflow.variants.find((v) => v.name === this.rec.variant);
    if (!variant) throw new Error(`execution ${this.rec.executionId}: variant ${this.rec.variant} not in chain ${this.chain.chainId}`);
    return assembleDag(this.chain.workflow.name, variant);
  }

  private launchReady(running: Map<string, Promise<void>>): void {
    const dag = this.dag();
    const profile = this.ctx.monitor.profile(this.ctx.clock.nowSec());
    for (const step of dag.steps) {
      const rec = this.rec.steps[step.taskId];
      if (!rec || (rec.status !== 'pending' && rec.status !== 'waiting-capacity') || running.has(step.taskId)) continue;
      if (!step.dependencies.every((d) => this.rec.steps[d]?.status === 'succeeded')) continue;
      const pool = profile.pools[step.poolId];
      const units = step.task.resource_requirements.vcpu;
      const inUse = this.ctx.poolUnitsInUse.get(step.poolId) ?? 0;
      const free = pool && !pool.insufficientCapacity ? availableUnitsAt(pool, profile.atSec) - inUse : 0;
      if (units > free) {
        rec.status = 'waiting-capacity';
        this.prepareWhileWaiting(step);
        continue;
      }
      this.ctx.poolUnitsInUse.set(step.poolId, inUse + units);
      const market = taskCost(step.task, step.poolId, pool, step.task.runtime?.meanSec ?? 60).market;
      const price = (market === 'spot' ? pool?.spotUsdPerUnitHour : pool?.onDemandUsdPerUnitHour) ?? 0;
      const p = this.runStep(step.taskId, step.poolId, market, price).finally(() => {
        this.ctx.poolUnitsInUse.set(step.poolId, (this.ctx.poolUnitsInUse.get(step.poolId) ?? units) - units);
        running.delete(step.taskId);
      });
      running.set(step.taskId, p);
    }
  }

  private async runStep(taskId: string, poolId: string, market: StepRecord['market'], priceUsdPerUnitHour: number): Promise<void> {
    const dag = this.dag();
    const step = dag.steps.find((s) => s.taskId === taskId)!;
    const rec = this.rec.steps[taskId];
    // The lease must still be ours when a step starts (renewed now, not only on the timer).
    if (!(await this.lease.renew())) return this.loseLease(`lease lost before step ${taskId} started`);
    Object.assign(rec, { status: 'running', poolId, market, attempts: rec.attempts + 1, startedAtSec: this.ctx.clock.nowSec(), error: undefined });
    await this.save();
    const input = this.inputOf(step);
    const badIn = this.ctx.schemas.validate(step.task.input_schema, input);
    let output: unknown;
    let error: string | undefined = badIn ? `input ${badIn.field}: ${badIn.reason}` : undefined;
    if (!error) {
      try {
        const preparedState = await this.resumeSetup(step, input, rec);
        output = await this.ctx.executor.run(step.task, input, { signal: this.abort, ...(preparedState ? { preparedState } : {}) });
        const badOut = this.ctx.schemas.validate(step.task.output_schema, output);
        if (badOut) error = `output ${badOut.field}: ${badOut.reason}`;
      } catch (e) {
        if (this.abort.aborted) return; // stays "running" in the store: resumed on restart
        error = e instanceof Error ? e.message : String(e);
      }
    }
    if (this.abort.aborted) return;
    const now = this.ctx.clock.nowSec();
    const durationSec = now - (rec.startedAtSec ?? now);
    rec.finishedAtSec = now;
    rec.costUsd = step.task.resource_requirements.vcpu * priceUsdPerUnitHour * (durationSec / 3600);
    this.rec.costUsd += rec.costUsd;
    await this.chargeActualCost();
    if (!error) await recordRuntime(this.ctx.store, step.task, durationSec);
    if (error) {
      rec.status = 'failed';
      rec.error = error;
    } else {
      rec.status = 'succeeded';
      rec.output = output;
      const p95 = step.task.runtime?.p95Sec;
      if (p95 !== undefined && p95 > 0 && durationSec > p95 * this.ctx.config.overrunFactor && !this.overrunReported.has(taskId)) {
        this.overrunReported.add(taskId);
        this.pendingTriggers.push({ kind: 'overrun', taskId, runtimeSec: durationSec, p95Sec: p95, factor: this.ctx.config.overrunFactor });
      }
    }
    await this.save();
  }

  /** Charges the execution's actual cost beyond what its principal was charged so far. */
  private async chargeActualCost(): Promise<void> {
    const charged = this.rec.chargedUsd ?? this.rec.expectedCostUsd;
    if (this.rec.costUsd <= charged) return;
    await this.ctx.chargeSpend(this.rec.principalId, this.rec.executionId, this.rec.costUsd - charged);
    this.rec.chargedUsd = this.rec.costUsd;
  }

  /** A step's input: the execution's input for a root, else its parents' outputs merged. */
  private inputOf(step: DagStep): unknown {
    return step.dependencies.length === 0 ? this.rec.input : Object.assign({}, ...step.dependencies.map((d) => this.rec.steps[d]?.output ?? {}));
  }

  /** Queues the `prepare` phase of a step that waits for capacity (its input is known); once per step. */
  private prepareWhileWaiting(step: DagStep): void {
    const prefetch = this.ctx.prefetch;
    if (!prefetch || !step.task.prepare || step.task.critical || this.preparing.has(step.taskId)) return;
    this.preparing.add(step.taskId);
    const id = this.rec.executionId;
    const submitted = prefetch.submit({
      kind: 'pre-execute', id: `pre:${id}:${step.taskId}`, poolId: step.poolId, reason: 'waiting for capacity', chainId: id, taskId: step.taskId, probability: 1,
    }, step.task, this.inputOf(step));
    if (submitted) this.ctx.logger.info('preparing step while it waits for capacity', { executionId: id, taskId: step.taskId, poolId: step.poolId });
  }

  /**
   * The prepared state to resume `step` from, if the prefetch manager holds one for this input (its
   * outcome is recorded on the step); undefined runs the step cold. Never fails the step.
   */
  private async resumeSetup(step: DagStep, input: unknown, rec: StepRecord): Promise<Buffer | undefined> {
    const prefetch = this.ctx.prefetch;
    if (!prefetch || !step.task.prepare || step.task.critical) return undefined;
    try {
      const r = await prefetch.trigger(this.rec.executionId, step.task, input);
      rec.setup = { outcome: r.reason, savedSec: r.savedSetupSec };
      return r.hit ? r.preparedState : undefined;
    } catch (e) {
      this.ctx.logger.warn('prepared state could not be read; running the step cold', { executionId: this.rec.executionId, taskId: step.taskId, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  /** Re-scores remaining work at a step boundary; switches variant on a trigger. */
  private async boundary(running: ReadonlyMap<string, Promise<void>>): Promise<void> {
    const now = this.ctx.clock.nowSec();
    const dag = this.dag();
    const { signals, nextSeq } = this.ctx.monitor.signalsSince(this.signalSeq);
    this.signalSeq = nextSeq;
    const usedPools = new Set(dag.steps.filter((s) => this.rec.steps[s.taskId]?.status !== 'succeeded').map((s) => s.poolId));
    for (const s of signals) if (usedPools.has(s.poolId)) this.pendingTriggers.push({ kind: s.kind, poolId: s.poolId, detail: s.detail });
    for (const taskId of running.keys()) {
      const step = dag.steps.find((s) => s.taskId === taskId);
      const started = this.rec.steps[taskId]?.startedAtSec;
      const p95 = step?.task.runtime?.p95Sec;
      if (step && started !== undefined && p95 && now - started > p95 * this.ctx.config.overrunFactor && !this.overrunReported.has(taskId)) {
        this.overrunReported.add(taskId);
        this.pendingTriggers.push({ kind: 'overrun', taskId, runtimeSec: now - started, p95Sec: p95, factor: this.ctx.config.overrunFactor });
      }
    }
    const trigger = this.pendingTriggers.shift();
    const done = Object.values(this.rec.steps).filter((s) => s.status === 'succeeded' || s.status === 'running').map((s) => s.taskId);
    if (dag.steps.every((s) => done.includes(s.taskId))) return;
    // This execution's charge is already in the spend; alternatives are compared with the rest.
    const spent = Math.max(0, (await this.ctx.spentUsdLastHour(this.rec.principalId)) - (this.rec.chargedUsd ?? this.rec.expectedCostUsd));
    const result = rescoreForSwitch({
      workflow: this.chain.workflow,
      currentVariant: this.rec.variant,
      doneTaskIds: done,
      auth: { principal: this.principal(), policies: this.ctx.config.policies, spentUsdLastHour: spent },
      availability: this.ctx.monitor.profile(now),
      behaviour: this.ctx.config.behaviour,
      options: this.ctx.composer,
      trigger,
      subject: this.rec.executionId,
    });
    if (!trigger && !result.switched) return;
    this.rec.decisions.push(result.decision);
    if (result.switched) {
      this.rec.switches.push({ atSec: now, from: this.rec.variant, to: result.variant, reason: result.decision.reason });
      const newIds = new Set(result.dag.steps.map((s) => s.taskId));
      const dropped: string[] = [];
      for (const s of Object.values(this.rec.steps)) {
        if (!newIds.has(s.taskId) && (s.status === 'pending' || s.status === 'waiting-capacity')) {
          s.status = 'skipped';
          dropped.push(s.taskId);
        }
      }
      if (dropped.length > 0) this.ctx.prefetch?.discard(this.rec.executionId, dropped, 'step dropped by a variant switch');
      const variant = this.chain.workflow.variants.find((v) => v.name === result.variant)!;
      for (const s of result.dag.steps) {
        const existing = this.rec.steps[s.taskId];
        if (!existing || existing.status === 'skipped') this.rec.steps[s.taskId] = newStep(s.taskId, poolOf(variant, s.taskId));
        else if (existing.status === 'pending' || existing.status === 'waiting-capacity') existing.poolId = poolOf(variant, s.taskId);
      }
      this.rec.variant = result.variant;
      this.ctx.logger.info('variant switch', { executionId: this.rec.executionId, reason: result.decision.reason });
    }
    await this.save();
  }

  private async waitForComposition(): Promise<void> {
    while (!this.abort.aborted) {
      const now = this.ctx.clock.nowSec();
      const res = composeWorkflow({
        workflow: this.chain.workflow,
        auth: { principal: this.principal(), policies: this.ctx.config.policies, spentUsdLastHour: await this.ctx.spentUsdLastHour(this.rec.principalId) },
        availability: this.ctx.monitor.profile(now),
        behaviour: this.ctx.config.behaviour,
        options: this.ctx.composer,
        subject: this.chain.chainId,
      });
      if (res.status === 'composed') {
        this.rec.decisions.push(...res.decisions);
        this.rec.variant = res.dag.variant;
        this.rec.steps = initialSteps(res.dag.steps);
        this.rec.expectedCostUsd = res.score.expectedCostUsd;
        this.rec.chargedUsd = res.score.expectedCostUsd;
        await this.ctx.chargeSpend(this.rec.principalId, this.rec.executionId, res.score.expectedCostUsd);
        this.rec.status = 'running';
        this.rec.queue = undefined;
        await this.save();
        return;
      }
      if (res.status !== 'fallback') {
        this.rec.decisions.push(...res.decisions);
        return this.finish('failed', undefined, res.reason);
      }
      await sleep(this.ctx.config.pollSec * 1000);
    }
  }

  private async finish(status: 'succeeded' | 'failed', dag: ReturnType<ExecutionRunner['dag']> | undefined, error?: string): Promise<void> {
    this.rec.status = status;
    if (error) this.rec.error = error;
    this.ctx.prefetch?.discard(this.rec.executionId, undefined, `execution ${status}`);
    if (dag) {
      for (const s of dag.steps) {
        const r = this.rec.steps[s.taskId];
        if (r && (r.status === 'pending' || r.status === 'waiting-capacity')) r.status = 'skipped';
      }
      if (status === 'succeeded') this.rec.outputs = Object.fromEntries(dag.steps.filter((s) => s.dependants.length === 0).map((s) => [s.taskId, this.rec.steps[s.taskId]?.output]));
    }
    await this.save();
  }

  /** Persists the record (conditional on the version this runner last wrote) and new decisions. */
  private save(): Promise<void> {
    const next = this.saving.then(async () => {
      this.rec.updatedAtSec = this.ctx.clock.nowSec();
      const fresh: Decision[] = this.rec.decisions.slice(this.savedDecisions);
      this.version = await this.ctx.store.put(TABLES.executions, executionKey(this.rec.principalId, this.rec.chainId, this.rec.executionId), this.rec, { ifVersion: this.version });
      if (fresh.length > 0) await this.ctx.store.append(TABLES.decisions, fresh);
      this.savedDecisions = this.rec.decisions.length;
    });
    this.saving = next.catch(() => undefined);
    return next;
  }
}

/** A pending step record. */
export function newStep(taskId: string, poolId: string): StepRecord {
  return { taskId, status: 'pending', poolId, attempts: 0, costUsd: 0 };
}

/** Pending step records for a DAG's steps. */
export function initialSteps(steps: ReadonlyArray<{ taskId: string; poolId: string }>): Record<string, StepRecord> {
  return Object.fromEntries(steps.map((s) => [s.taskId, newStep(s.taskId, s.poolId)]));
}
