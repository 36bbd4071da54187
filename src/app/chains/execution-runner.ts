/**
 * Drives one execution of a chain on the workflow engine (issue 20): the composed variant compiles
 * to Amazon States Language (cached per chain and variant), starts under the idempotent execution
 * name (chain key + Idempotency-Key, see {@link executionName}), and its steps run on the pools'
 * workers. This runner does not run steps: it follows the engine (describe + history) and the
 * workers' events log, mirrors them into the execution record the API answers from, and acts at step
 * boundaries:
 * - **Switching.** Pool signals (spot interruption notice, insufficient capacity) and overruns of
 *   p95 × factor re-score the remaining work (rescoreForSwitch). A switch is written where the
 *   compiled switch points read it (setVariantDecision): a *soft* switch lets running steps finish and
 *   the machine ends with `Prescale.VariantSwitched` at the next boundary. A step failed by its worker
 *   with `Prescale.SpotInterruption` (the instance got its notice mid-step) makes the switch *hard*:
 *   the execution is stopped at once. Either way the other variant's machine starts with the finished
 *   outputs as checkpoint, so no finished step runs again.
 * - **Prepare while waiting.** A step the machine has reached whose pool has no free unit is handed to
 *   the {@link Preparer} port (`ctx.preparer`, src/app/prefetch/local-preparer.ts: it resolves the
 *   step's input from the engine and queues its `prepare` phase under the execution name, the key
 *   the worker reads); the worker then resumes it from the prepared state. The runner tells the
 *   preparer which engine execution it follows, which steps a switch dropped and when it ended.
 * - **Resume.** After a restart the stored engine execution is described: a Step Functions
 *   execution still running is followed again; a local one (it died with its process) is restarted
 *   under the next restart name with the checkpoint of the record and the engine's persisted history.
 *
 * A runner runs only while it holds the execution's {@link Lease} (issue 15): taken before anything
 * else, renewed every third of `leaseSec`; when a renewal fails it stops its engine execution and
 * steps, so two processes on one store never run the same step. Every finished step's duration joins
 * its task type's runtime history, and cost beyond what was charged at trigger is charged to the
 * spend cap.
 */
import { principalBehaviour } from './behaviour.js';
import { assembleDag, availableUnitsAt, composeWorkflow, rescoreForSwitch, taskCost, type SwitchTrigger } from '../../core/compose/index.js';
import {
  STEP_ERRORS, checkpointFromHistory, compileVariant, stepOutputs, executionInput, executionName, restartName, sinkOutputs, type CompiledMachine,
} from '../../core/engine/index.js';
import type { ExecutionEvent } from '../../core/model/events.js';
import type { Decision, Principal, Variant } from '../../core/model/index.js';
import { poolOf } from '../../core/model/index.js';
import { ExecutionNameConflictError, MachineNotDeployedError, type EngineExecution, type EngineHistoryEvent } from '../../ports/workflow-engine.js';
import type { ChainContext } from './context.js';
import type { EventFeed } from './event-feed.js';
import type { Lease } from './lease.js';
import { TABLES, chainKey, executionKey, type ChainRecord, type ExecutionRecord, type StepRecord } from './records.js';
import { recordRuntime, withObservedRuntimes } from './runtime-history.js';

type Dag = ReturnType<typeof assembleDag>;
type DagStep = Dag['steps'][number];

/** The engine execution a runner follows. */
interface Attached {
  readonly machine: CompiledMachine;
  readonly dag: Dag;
  readonly name: string;
  readonly executionRef: string;
  /** Attempts per step before this engine execution (earlier executions of the same record). */
  readonly baseAttempts: ReadonlyMap<string, number>;
}


/** Compiled machines by chain key, variant and variant definition (a cache shared by the runners of a service). */
export type MachineCache = Map<string, CompiledMachine>;

/** Drives one execution; `run()` resolves when it succeeds, fails, or `abort` fires. */
export class ExecutionRunner {
  private savedDecisions: number;
  private saving: Promise<void> = Promise.resolve();
  /** The record as last written (without updatedAtSec). */
  private savedSnapshot: string | undefined;
  private signalSeq: number;
  private readonly overrunReported = new Set<string>();
  private readonly pendingTriggers: Array<{ trigger: SwitchTrigger; hard: boolean }> = [];
  /** The variant a switch decided on, applied when the engine execution ends. */
  private pendingSwitch: string | undefined;
  /** Worker failure events already looked at (spot interruption detection). */
  private readonly seenFailures = new Set<string>();
  /** Steps whose preparation this runner queued. */
  private readonly preparing = new Set<string>();
  /** Steps whose end this runner accounted (cost, runtime history). */
  private readonly accounted = new Set<string>();

  private readonly abort: AbortSignal;
  private readonly lost = new AbortController();
  private chain: ChainRecord;
  /** The chain as registered (its workflow without observed runtimes): what catalog machines compile from. */
  private readonly registered: ChainRecord;

  constructor(
    private readonly ctx: ChainContext,
    chain: ChainRecord,
    private rec: ExecutionRecord,
    private version: number,
    serviceAbort: AbortSignal,
    private readonly lease: Lease,
    private readonly machines: MachineCache,
    private readonly feed: EventFeed,
  ) {
    this.chain = chain;
    this.registered = chain;
    this.abort = AbortSignal.any([serviceAbort, this.lost.signal]);
    this.savedDecisions = rec.decisions.length;
    this.signalSeq = ctx.monitor.signalsSince(0).nextSeq;
  }

  /**
   * Takes the lease, then follows the execution to its end (or until aborted or the lease is lost).
   * Resolves at once when another process holds the lease. Never throws for step failures.
   */
  async run(): Promise<void> {
    if (!(await this.lease.acquire())) return;
    const renewEveryMs = (this.ctx.config.leaseSec * 1000) / 3;
    const timer = this.ctx.clock.setRepeating(renewEveryMs, () => {
      this.lease.renew().then(
        (ok) => {
          if (!ok && !this.lost.signal.aborted) this.loseLease('lease lost: another process took the execution over');
        },
        (e: unknown) => this.ctx.logger.warn('lease renewal failed; retrying', { executionId: this.rec.executionId, error: e instanceof Error ? e.message : String(e) }),
      );
    });
    try {
      const fresh = await this.ctx.store.get<ExecutionRecord>(TABLES.executions, this.lease.key);
      if (!fresh || (fresh.value.status !== 'queued' && fresh.value.status !== 'running')) return;
      this.rec = fresh.value;
      this.version = fresh.version;
      this.savedDecisions = this.rec.decisions.length;
      this.chain = { ...this.chain, workflow: await withObservedRuntimes(this.ctx.store, this.chain.workflow) };
      await this.runLeased();
    } finally {
      timer.cancel();
      await this.lease.release().catch(() => undefined);
    }
  }

  private loseLease(reason: string): void {
    this.ctx.logger.warn('execution runner stopping', { executionId: this.rec.executionId, reason });
    this.lost.abort(new Error(reason));
    const ref = this.rec.engine?.executionRef;
    // The process that takes over restarts the machine from its checkpoint: this one must not run steps any more.
    if (ref) void this.ctx.engine.engine.stop(ref, 'Prescale.LeaseLost', reason).catch(() => undefined);
  }

  private principal(): Principal {
    return this.ctx.principal(this.rec.principalId) ?? { id: this.rec.principalId, kind: 'user', memberOf: [] };
  }

  private variantDef(name = this.rec.variant): Variant {
    const v = this.chain.workflow.variants.find((x) => x.name === name);
    if (!v) throw new Error(`execution ${this.rec.executionId}: variant ${name} not in chain ${this.chain.chainId}`);
    return v;
  }

  /**
   * The compiled machine of a variant (cached per chain key, variant and definition). A catalog chain
   * on a deployment with deploy-time machines (`ChainEngine.catalogMachines`) compiles from the
   * variant as registered (the catalog's, not the copy with observed runtimes, whose heartbeats differ)
   * with the deploy's placeholder targets: that is the deploy-time definition, so the machine's name is
   * the deployed machine's, and `deployed` tells {@link attach} to look it up instead of creating it.
   */
  private compiled(variant: Variant): { machine: CompiledMachine; dag: Dag; deployed: boolean } {
    const dag = assembleDag(this.chain.workflow.name, variant);
    const catalog = this.registered.source === 'catalog' ? this.ctx.engine.catalogMachines : undefined;
    const source = catalog ? (this.registered.workflow.variants.find((v) => v.name === variant.name) ?? variant) : variant;
    const key = `${chainKey(this.rec.principalId, this.rec.chainId)}\u0000${variant.name}\u0000${catalog ? 'deploy-time' : 'run-time'}\u0000${JSON.stringify(source)}`;
    let machine = this.machines.get(key);
    if (!machine) {
      const decisionTable = this.ctx.engine.decisionTable;
      machine = catalog
        ? compileVariant(assembleDag(this.registered.workflow.name, source), { pools: catalog.targets, decisionTable: catalog.decisionTable, ...(catalog.burst ? { burst: catalog.burst } : {}) })
        : compileVariant(dag, { pools: this.ctx.engine.targets, ...(decisionTable ? { decisionTable } : {}) });
      if (this.machines.size > 1000) this.machines.delete(this.machines.keys().next().value!);
      this.machines.set(key, machine);
    }
    return { machine, dag, deployed: catalog !== undefined };
  }

  /**
   * The engine reference of a variant's machine: the deploy-time machine, looked up (never created),
   * or the run-time compiled one, created or updated. Undefined after failing the execution when a
   * deploy-time machine is missing (the stack and the chains config are out of sync).
   */
  private async machineRef(machine: CompiledMachine, dag: Dag, deployed: boolean): Promise<string | undefined> {
    const catalog = this.ctx.engine.catalogMachines;
    if (!deployed || !catalog) return this.ctx.engine.engine.deploy({ name: machine.name, definitionJson: machine.definitionJson });
    try {
      return await catalog.find(machine.name);
    } catch (e) {
      if (!(e instanceof MachineNotDeployedError)) throw e;
      const error = `catalog workflow ${machine.workflow}, variant ${machine.variant}: ${e.message}; the deployed stack and the chains config are out of sync (deploy the stack with this chains config)`;
      this.ctx.logger.error('deploy-time state machine missing', { executionId: this.rec.executionId, machineName: machine.name, error });
      await this.finish('failed', dag, error);
      return undefined;
    }
  }

  private async runLeased(): Promise<void> {
    if (this.rec.status === 'queued') await this.waitForComposition();
    while (!this.abort.aborted && this.rec.status === 'running') {
      const attached = await this.attach();
      if (!attached) return;
      const next = await this.follow(attached);
      if (next === 'stop') return;
    }
  }

  /**
   * The engine execution to follow: the stored one when it still runs, else a (re)start of the
   * record's variant with the checkpoint of its finished steps. Undefined when the record ended.
   */
  private async attach(): Promise<Attached | undefined> {
    const { machine, dag, deployed } = this.compiled(this.variantDef());
    const stored = this.rec.engine;
    if (stored && stored.machineName === machine.name) {
      const d = await this.ctx.engine.engine.describe(stored.executionRef).catch(() => undefined);
      if (d?.status === 'RUNNING' || d?.status === 'SUCCEEDED' || (d?.status === 'FAILED' && d.error === STEP_ERRORS.stepFailed)) {
        this.ctx.engine.register?.(stored.name, this.chain.workflow);
        this.feed.watch(stored.name, this.rec.createdAtSec - 60);
        this.track(machine, dag, stored.name, stored.executionRef);
        return { machine, dag, name: stored.name, executionRef: stored.executionRef, baseAttempts: this.attemptsNow() };
      }
    }
    const checkpoint = await this.checkpoint(machine);
    const machineRef = await this.machineRef(machine, dag, deployed);
    if (machineRef === undefined) return undefined;
    const base = executionName(chainKey(this.rec.principalId, this.rec.chainId), this.rec.idempotencyKey ?? this.rec.executionId);
    for (let restarts = stored ? stored.restarts + 1 : 0; ; restarts++) {
      const name = restarts === 0 ? base : restartName(base, restarts);
      this.ctx.engine.register?.(name, this.chain.workflow);
      this.feed.watch(name, this.ctx.clock.nowSec() - 60);
      try {
        const doc = executionInput(machine, this.rec.chainId, this.rec.input, checkpoint, this.rec.principalId);
        const { executionRef } = await this.ctx.engine.engine.start(machineRef, name, doc);
        this.rec.engine = { name, executionRef, machineName: machine.name, restarts };
        for (const s of dag.steps) {
          const r = this.rec.steps[s.taskId];
          if (r && r.status === 'running') r.status = 'pending';
        }
        await this.save();
        this.ctx.logger.info(restarts === 0 ? 'execution started on the engine' : 'execution restarted on the engine from its checkpoint', {
          executionId: this.rec.executionId, executionName: name, variant: this.rec.variant, finishedSteps: Object.keys(checkpoint).length,
        });
        this.track(machine, dag, name, executionRef);
        return { machine, dag, name, executionRef, baseAttempts: this.attemptsNow() };
      } catch (e) {
        if (!(e instanceof ExecutionNameConflictError) || restarts > 998) throw e;
      }
    }
  }

  /** Tells the preparer (when there is one) which engine execution this runner follows now. */
  private track(machine: CompiledMachine, dag: Dag, executionName: string, executionRef: string): void {
    this.ctx.preparer?.attached({
      executionName, executionRef, chainId: this.rec.chainId, principalId: this.rec.principalId, workflow: this.chain.workflow.name, variant: this.rec.variant,
      machine, steps: dag.steps, atSec: this.ctx.clock.nowSec(),
    });
  }

  private attemptsNow(): Map<string, number> {
    return new Map(Object.values(this.rec.steps).map((s) => [s.taskId, s.attempts]));
  }

  /** Outputs of finished steps: the record's, plus those in the engine history of the last execution. */
  private async checkpoint(machine: CompiledMachine): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const last = this.rec.engine;
    if (last) {
      try {
        const { machine: lastMachine } = this.compiledByName(last.machineName) ?? { machine: undefined };
        if (lastMachine) {
          const d = await this.ctx.engine.engine.describe(last.executionRef);
          const exits = (await this.ctx.engine.engine.history(last.executionRef)).filter((e) => e.type === 'TaskStateExited' && e.stateName).map((e) => ({ stateName: e.stateName!, output: e.output }));
          Object.assign(out, checkpointFromHistory(lastMachine, exits, d.input as never));
        }
      } catch (e) {
        this.ctx.logger.warn('could not read the last engine execution; checkpoint from the record only', { executionId: this.rec.executionId, error: e instanceof Error ? e.message : String(e) });
      }
    }
    for (const s of Object.values(this.rec.steps)) if (s.status === 'succeeded') out[s.taskId] = s.output;
    for (const [taskId, output] of Object.entries(out)) {
      const r = this.rec.steps[taskId];
      if (r && r.status !== 'succeeded' && machine.steps[taskId]) Object.assign(r, { status: 'succeeded', output });
    }
    return out;
  }

  private compiledByName(name: string): { machine: CompiledMachine } | undefined {
    for (const v of this.chain.workflow.variants) {
      const c = this.compiled(v);
      if (c.machine.name === name) return c;
    }
    return undefined;
  }

  /** Follows an engine execution until it ends. @returns `again` to attach the next one, `stop` when done */
  private async follow(a: Attached): Promise<'again' | 'stop'> {
    while (!this.abort.aborted) {
      await this.ctx.clock.sleep(this.ctx.config.pollSec * 1000, this.abort);
      if (this.abort.aborted) break;
      const d = await this.ctx.engine.engine.describe(a.executionRef);
      const history = await this.ctx.engine.engine.history(a.executionRef);
      const events = await this.feed.events(a.name);
      await this.observe(a, history, events, d);
      if (this.abort.aborted) break;
      if (d.status === 'RUNNING') {
        await this.boundary(a);
        await this.save();
        continue;
      }
      const next = await this.ended(a, d, events);
      this.feed.forget(a.name);
      this.ctx.preparer?.ended(a.name, `engine execution ${d.status.toLowerCase()}`);
      return next;
    }
    return 'stop';
  }

  /** Mirrors the engine's and workers' view of each step into the record. */
  private async observe(a: Attached, history: readonly EngineHistoryEvent[], events: readonly ExecutionEvent[], d: EngineExecution): Promise<void> {
    const now = this.ctx.clock.nowSec();
    const exits = history.filter((e) => e.type === 'TaskStateExited' && e.stateName).map((e) => ({ stateName: e.stateName!, output: e.output }));
    const outputs = checkpointFromHistory(a.machine, exits);
    if (d.status === 'SUCCEEDED') Object.assign(outputs, stepOutputs(a.machine, d.output));
    const entered = new Set(history.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateName));
    const profile = this.ctx.monitor.profile(now);
    for (const step of a.dag.steps) {
      const rec = (this.rec.steps[step.taskId] ??= newStep(step.taskId, step.poolId));
      if (rec.status === 'succeeded' && this.accounted.has(step.taskId)) continue;
      const mine = events.filter((e) => e.taskId === step.taskId);
      const starts = mine.filter((e) => e.kind === 'started');
      const last = mine.at(-1);
      if (starts.length > 0) rec.attempts = (a.baseAttempts.get(step.taskId) ?? 0) + starts.length;
      if (starts.length > 0) rec.startedAtSec = starts.at(-1)!.atSec;
      if (last?.poolId) rec.poolId = last.poolId;
      for (const f of mine.filter((e) => e.kind === 'failed')) {
        const id = `${a.name}/${f.taskId}/${f.atSec}`;
        if (this.seenFailures.has(id)) continue;
        this.seenFailures.add(id);
        if (f.error?.startsWith(STEP_ERRORS.spotInterruption)) this.pendingTriggers.push({ trigger: { kind: 'spot-interruption-notice', poolId: f.poolId ?? step.poolId, detail: f.error }, hard: true });
      }
      if (step.taskId in outputs && rec.status !== 'succeeded') {
        const fin = [...mine].reverse().find((e) => e.kind === 'finished');
        rec.status = 'succeeded';
        rec.output = outputs[step.taskId];
        rec.error = undefined;
        rec.finishedAtSec = fin?.atSec ?? now;
        if (fin?.setupOutcome && fin.setupOutcome !== 'none') rec.setup = { outcome: fin.setupOutcome, savedSec: fin.setupSavedSec ?? 0 };
        if (fin) await this.account(step, rec, fin.runtimeSec ?? (rec.finishedAtSec - (rec.startedAtSec ?? rec.finishedAtSec)), profile);
        continue;
      }
      if (rec.status === 'succeeded') continue;
      if (last?.kind === 'started') {
        rec.status = 'running';
        if (!rec.market) rec.market = taskCost(step.task, step.poolId, profile.pools[step.poolId], step.task.runtime?.meanSec ?? 60).market;
      } else if (last?.kind === 'failed') {
        rec.error = last.error;
        rec.status = 'pending';
      } else if (entered.has(a.machine.steps[step.taskId].taskState)) {
        const pool = profile.pools[step.poolId];
        const inUse = this.ctx.engine.unitsInUse?.(step.poolId) ?? 0;
        const free = pool && !pool.insufficientCapacity ? availableUnitsAt(pool, now) - inUse : 0;
        const units = step.task.resource_requirements.vcpu;
        rec.status = units > free ? 'waiting-capacity' : 'pending';
        if (rec.status === 'waiting-capacity') this.prepareWhileWaiting(a, step);
      }
    }
  }

  /** Charges a finished step's cost and records its runtime (once). */
  private async account(step: DagStep, rec: StepRecord, durationSec: number, profile: ReturnType<ChainContext['monitor']['profile']>): Promise<void> {
    this.accounted.add(step.taskId);
    const pool = profile.pools[rec.poolId];
    const market = rec.market ?? taskCost(step.task, rec.poolId, pool, step.task.runtime?.meanSec ?? 60).market;
    rec.market = market;
    const price = (market === 'spot' ? pool?.spotUsdPerUnitHour : pool?.onDemandUsdPerUnitHour) ?? 0;
    rec.costUsd = step.task.resource_requirements.vcpu * price * (Math.max(0, durationSec) / 3600);
    this.rec.costUsd += rec.costUsd;
    await this.chargeActualCost();
    await recordRuntime(this.ctx.store, step.task, durationSec);
    const p95 = step.task.runtime?.p95Sec;
    if (p95 !== undefined && p95 > 0 && durationSec > p95 * this.ctx.config.overrunFactor && !this.overrunReported.has(step.taskId)) {
      this.overrunReported.add(step.taskId);
      this.pendingTriggers.push({ trigger: { kind: 'overrun', taskId: step.taskId, runtimeSec: durationSec, p95Sec: p95, factor: this.ctx.config.overrunFactor }, hard: false });
    }
  }

  private async chargeActualCost(): Promise<void> {
    const charged = this.rec.chargedUsd ?? this.rec.expectedCostUsd;
    if (this.rec.costUsd <= charged) return;
    await this.ctx.chargeSpend(this.rec.principalId, this.rec.executionId, this.rec.costUsd - charged);
    this.rec.chargedUsd = this.rec.costUsd;
  }

  /**
   * Hands a step that waits for capacity to the Preparer (its input is resolved there, from the
   * engine); once per step and execution name, again after a transient `failed`.
   */
  private prepareWhileWaiting(a: Attached, step: DagStep): void {
    const preparer = this.ctx.preparer;
    const id = `${a.name}/${step.taskId}`;
    if (!preparer || !step.task.prepare || step.task.critical || this.preparing.has(id)) return;
    if (!step.dependencies.every((d) => this.rec.steps[d]?.status === 'succeeded')) return;
    this.preparing.add(id);
    void preparer.prepare({
      kind: 'pre-execute', id: `pre:${a.name}:${step.taskId}`, poolId: step.poolId, reason: 'waiting for capacity', chainId: a.name, taskId: step.taskId, probability: 1,
    }).then((out) => {
      if (out.status === 'failed') this.preparing.delete(id);
      if (out.status === 'accepted') this.ctx.logger.info('preparing step while it waits for capacity', { executionId: this.rec.executionId, taskId: step.taskId, poolId: step.poolId });
      else if (out.status !== 'duplicate') this.ctx.logger.debug('step not prepared', { executionId: this.rec.executionId, taskId: step.taskId, status: out.status, reason: out.reason });
    }, (e: unknown) => {
      this.preparing.delete(id);
      this.ctx.logger.warn('preparing a waiting step failed', { executionId: this.rec.executionId, taskId: step.taskId, error: e instanceof Error ? e.message : String(e) });
    });
  }

  /** Re-scores the remaining work at a step boundary; decides a switch on a trigger. */
  private async boundary(a: Attached): Promise<void> {
    const now = this.ctx.clock.nowSec();
    const { signals, nextSeq } = this.ctx.monitor.signalsSince(this.signalSeq);
    this.signalSeq = nextSeq;
    const usedPools = new Set(a.dag.steps.filter((s) => this.rec.steps[s.taskId]?.status !== 'succeeded').map((s) => s.poolId));
    for (const s of signals) if (usedPools.has(s.poolId)) this.pendingTriggers.push({ trigger: { kind: s.kind, poolId: s.poolId, ...(s.detail ? { detail: s.detail } : {}) }, hard: false });
    for (const step of a.dag.steps) {
      const r = this.rec.steps[step.taskId];
      const p95 = step.task.runtime?.p95Sec;
      if (r?.status === 'running' && r.startedAtSec !== undefined && p95 && now - r.startedAtSec > p95 * this.ctx.config.overrunFactor && !this.overrunReported.has(step.taskId)) {
        this.overrunReported.add(step.taskId);
        this.pendingTriggers.push({ trigger: { kind: 'overrun', taskId: step.taskId, runtimeSec: now - r.startedAtSec, p95Sec: p95, factor: this.ctx.config.overrunFactor }, hard: false });
      }
    }
    if (this.pendingSwitch) return;
    const next = this.pendingTriggers.shift();
    const done = Object.values(this.rec.steps).filter((s) => s.status === 'succeeded' || (!next?.hard && s.status === 'running')).map((s) => s.taskId);
    if (a.dag.steps.every((s) => done.includes(s.taskId))) return;
    const spent = Math.max(0, (await this.ctx.spentUsdLastHour(this.rec.principalId)) - (this.rec.chargedUsd ?? this.rec.expectedCostUsd));
    const result = rescoreForSwitch({
      workflow: this.chain.workflow,
      currentVariant: this.rec.variant,
      doneTaskIds: done,
      auth: { principal: this.principal(), policies: this.ctx.config.policies, spentUsdLastHour: spent },
      availability: this.ctx.monitor.profile(now),
      behaviour: await principalBehaviour(this.ctx.store, this.rec.principalId, this.chain.workflow, this.ctx.config.behaviour),
      options: this.ctx.composer,
      ...(next ? { trigger: next.trigger } : {}),
      subject: this.rec.executionId,
    });
    if (!next && !result.switched) return;
    this.rec.decisions.push(result.decision);
    if (!result.switched) return;
    this.rec.switches.push({ atSec: now, from: this.rec.variant, to: result.variant, reason: result.decision.reason });
    this.pendingSwitch = result.variant;
    await this.ctx.engine.engine.setVariantDecision(a.name, result.variant);
    if (next?.hard) await this.ctx.engine.engine.stop(a.executionRef, STEP_ERRORS.variantSwitched, result.decision.reason.slice(0, 32_000));
    this.ctx.logger.info('variant switch', { executionId: this.rec.executionId, hard: next?.hard ?? false, reason: result.decision.reason });
  }

  /** The engine execution ended: finish the record, or switch / restart. */
  private async ended(a: Attached, d: EngineExecution, events: readonly ExecutionEvent[]): Promise<'again' | 'stop'> {
    if (d.status === 'SUCCEEDED') {
      await this.finish('succeeded', a.dag, undefined, sinkOutputs(a.machine, d.output));
      return 'stop';
    }
    if (d.error === STEP_ERRORS.variantSwitched && this.pendingSwitch) {
      this.applySwitch(this.pendingSwitch);
      this.pendingSwitch = undefined;
      await this.save();
      return 'again';
    }
    if (d.status === 'FAILED' && d.error === STEP_ERRORS.stepFailed) {
      const taskId = /^step (.+?) failed on its last attempt/.exec(d.cause ?? '')?.[1];
      const last = [...events].reverse().find((e) => e.taskId === taskId && e.kind === 'failed');
      const lastError = (last?.error ?? d.cause ?? '').replace(/^Prescale\.TaskFailed: /, '');
      const r = taskId ? this.rec.steps[taskId] : undefined;
      const cause = `failed after ${r?.attempts ?? 1} attempt(s): ${lastError}`;
      if (r) Object.assign(r, { status: 'failed', error: cause });
      await this.finish('failed', a.dag, `step ${taskId ?? '?'} ${cause}`);
      return 'stop';
    }
    if (d.status === 'ABORTED' && d.error !== 'Prescale.LeaseLost') {
      // The process running the local execution stopped (or someone stopped it): restart from the checkpoint.
      this.ctx.logger.warn('engine execution ended without a result; restarting it from its checkpoint', { executionId: this.rec.executionId, error: d.error, cause: d.cause });
      return 'again';
    }
    await this.finish('failed', a.dag, `${d.error ?? d.status}: ${d.cause ?? ''}`);
    return 'stop';
  }

  /** Moves the record to `variant`: steps it drops are skipped, its steps are (re)scheduled on its pools. */
  private applySwitch(variantName: string): void {
    const variant = this.variantDef(variantName);
    const dag = assembleDag(this.chain.workflow.name, variant);
    const newIds = new Set(dag.steps.map((s) => s.taskId));
    const dropped: string[] = [];
    for (const s of Object.values(this.rec.steps)) {
      if (!newIds.has(s.taskId) && s.status !== 'succeeded' && s.status !== 'failed') {
        s.status = 'skipped';
        dropped.push(s.taskId);
      }
    }
    if (dropped.length > 0 && this.rec.engine) this.ctx.preparer?.dropped(this.rec.engine.name, dropped, 'step dropped by a variant switch');
    for (const s of dag.steps) {
      const existing = this.rec.steps[s.taskId];
      if (!existing || existing.status === 'skipped') this.rec.steps[s.taskId] = newStep(s.taskId, poolOf(variant, s.taskId));
      else if (existing.status !== 'succeeded') Object.assign(existing, { status: 'pending', poolId: poolOf(variant, s.taskId) });
    }
    this.rec.variant = variantName;
  }

  private async waitForComposition(): Promise<void> {
    while (!this.abort.aborted) {
      const now = this.ctx.clock.nowSec();
      const res = composeWorkflow({
        workflow: this.chain.workflow,
        auth: { principal: this.principal(), policies: this.ctx.config.policies, spentUsdLastHour: await this.ctx.spentUsdLastHour(this.rec.principalId) },
        availability: this.ctx.monitor.profile(now),
        behaviour: await principalBehaviour(this.ctx.store, this.rec.principalId, this.chain.workflow, this.ctx.config.behaviour),
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
      await this.ctx.clock.sleep(this.ctx.config.pollSec * 1000, this.abort);
    }
  }

  private async finish(status: 'succeeded' | 'failed', dag: Dag | undefined, error?: string, outputs?: Record<string, unknown>): Promise<void> {
    this.rec.status = status;
    if (error) this.rec.error = error;
    if (this.rec.engine) this.ctx.preparer?.ended(this.rec.engine.name, `execution ${status}`);
    if (dag) {
      for (const s of dag.steps) {
        const r = this.rec.steps[s.taskId];
        if (r && (r.status === 'pending' || r.status === 'waiting-capacity' || (status === 'failed' && r.status === 'running'))) r.status = 'skipped';
      }
    }
    if (outputs) this.rec.outputs = outputs;
    await this.save();
  }

  /** Persists the record (conditional on the version this runner last wrote) and new decisions. */
  private save(): Promise<void> {
    const next = this.saving.then(async () => {
      const { updatedAtSec: _, ...rest } = this.rec;
      const snapshot = JSON.stringify(rest);
      if (snapshot === this.savedSnapshot) return; // nothing changed since the last write
      this.rec.updatedAtSec = this.ctx.clock.nowSec();
      const fresh: Decision[] = this.rec.decisions.slice(this.savedDecisions);
      this.version = await this.ctx.store.put(TABLES.executions, executionKey(this.rec.principalId, this.rec.chainId, this.rec.executionId), this.rec, { ifVersion: this.version });
      if (fresh.length > 0) await this.ctx.store.append(TABLES.decisions, fresh);
      this.savedDecisions = this.rec.decisions.length;
      this.savedSnapshot = snapshot;
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
