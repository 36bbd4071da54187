/**
 * The learning loop under `prescale serve` (issue 22: "serve runs no tick so gets none"): every
 * `intervalMs` on the injected {@link Clock}, serve's own step events (the workers' `execution-events`
 * log) go through the controller tick's observe, predict and prefetch stages (core/tick/observe.ts,
 * core/tick/predict.ts, core/prefetch/stage.ts with {@link LearningHooks.select}), so serve gets the
 * same seed features as the tick:
 * - **prediction feedback**: the next-step model is a {@link FeedbackModel} (online isotonic
 *   calibration of its probabilities, reliability curve and Brier score of its outcomes);
 * - **bundles**: the events feed the {@link LearningHooks}' bundle book; the selection prepares the
 *   frequent subgraphs together;
 * - **A/B arms**: with `prefetch.abTest`, each chain's principal is assigned to an arm by hash
 *   (core/predict/ab-selection.ts) and the arm's settings select its preparations;
 * - the chosen preparations go to the same {@link Preparer} port as the tick's (the
 *   {@link LocalPreparer}, whose prefetch manager counts hits and waste per arm).
 *
 * One engine execution is one chain of the tick's view (its `chainId` is the execution name, the key
 * the workers resume under); its principal and DAG come from the preparer's tracked executions, whose
 * steps are announced as `submitted` events so the chain book knows the steps not reached yet. Every
 * followed execution is learned from, catalog workflows (the config's `workflows`) and the others
 * (chains submitted from registered tasks): an execution outside the catalog is learned under a
 * workflow key of its own principal, with its own DAG ({@link FollowedTaskCatalog}), because all
 * submitted chains share the workflow name `submitted` and one principal's chains must not shape the
 * predictions another principal's preparations are chosen by.
 *
 * {@link status} never names a chain, workflow or task type. A principal sees its own A/B arm and
 * the figures of its own preparations; only operators (config `operators`) see the aggregates over
 * everyone (per arm, the calibration of all predictions, bundle counts, rounds): with few principals
 * per arm, an arm's aggregate would tell one principal about another's chains.
 */
import { compareArms, emptyArmMetrics, type ArmComparison, type ArmMetrics } from '../../core/predict/ab-test.js';
import { abArmOf } from '../../core/predict/ab-selection.js';
import type { FeedbackModel } from '../../core/predict/feedback.js';
import type { ExecutionEvent } from '../../core/model/events.js';
import type { PrefetchConfig as ControllerPrefetchConfig } from '../../core/model/config.js';
import { taskTypeOf, type Workflow } from '../../core/model/index.js';
import { prefetchSelectionFrom } from '../../core/prefetch/selection.js';
import { prefetchStage, recordPreparation } from '../../core/prefetch/stage.js';
import { buildChainView } from '../../core/tick/chain-view.js';
import { createTickMemory, type TickMemory } from '../../core/tick/memory.js';
import { ChainBook } from '../../core/tick/chain-book.js';
import { FollowedTaskCatalog, followedWorkflowKey } from './followed-catalog.js';
import { observeStage } from '../../core/tick/observe.js';
import { predictStage } from '../../core/tick/predict.js';
import type { Principal } from '../../core/model/index.js';
import type { Clock, Timer } from '../../ports/clock.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import type { StateStore } from '../../ports/state-store.js';
import { calibrationSummaryOf } from '../history/calibration-report.js';
import { LearningHooks } from '../history/learning-hooks.js';
import type { FingerprintHooks } from '../history/fingerprint-hooks.js';
import type { NextStepModel } from '../../core/predict/types.js';
import type { CalibrationSummary } from '../report/types.js';
import type { LocalPreparer, TrackedExecution } from './local-preparer.js';
import type { PrefetchManager } from './prefetch-manager.js';

/** The workers' step events log (app/worker/pool-worker.ts `EXECUTION_EVENTS_LOG`). */
const EVENTS_LOG = 'execution-events';

/** Dependencies of {@link ServeLearningLoop}. */
export interface ServeLearningDeps {
  /** Where the workers' step events are (`readLog` of the events log). */
  readonly store: Pick<StateStore, 'readLog'>;
  readonly clock: Clock;
  /** The preparer the selected preparations go to; its tracked executions name principals and DAGs. */
  readonly preparer: Pick<LocalPreparer, 'prepare' | 'executions' | 'execution'>;
  /** The manager behind it (per-arm metrics, expiry of unused states). */
  readonly manager: Pick<PrefetchManager, 'metricsByArm' | 'metricsOf' | 'expire'>;
  /** The next-step model inside its feedback loop. */
  readonly nextStep: FeedbackModel;
  /** The catalog workflows (the config's `workflows`). */
  readonly workflows: readonly Workflow[];
  /** The controller's prefetch settings (selection, bundles, feedback, abTest). */
  readonly prefetch: ControllerPrefetchConfig;
  /** Principal ids or groups that see the aggregate figures (config `operators`). */
  readonly operators?: readonly string[];
  /**
   * The persisted fingerprint (config `fingerprint`, app/history/fingerprint-hooks.ts over serve's
   * state store): fed the observed events, saved at most once a minute and on {@link ServeLearningLoop.stop},
   * its edge probabilities the next-step model's prior. @default none
   */
  readonly fingerprints?: FingerprintHooks;
  readonly logger?: Logger;
}

/** Options of {@link ServeLearningLoop}. */
export interface ServeLearningOptions {
  /** Slot length of the predict stage, seconds. @default 60 */
  readonly slotSec?: number;
  /** Slots the predict stage looks ahead. @default 10 */
  readonly slots?: number;
  /** Most log entries read per round. @default 10000 */
  readonly readLimit?: number;
}

/** What one round did. */
export interface LearningRound {
  readonly atSec: number;
  /** Events observed (log events of followed executions plus announced `submitted` steps). */
  readonly events: number;
  readonly preparations: number;
  readonly accepted: number;
}

/** The learning loop's figures for one caller (see the module comment). */
export interface LearningStatus {
  /** The caller's A/B arm (null without `prefetch.abTest`). */
  readonly arm: string | null;
  /** The caller's own preparations (hits, misses, setup seconds saved, waste). */
  readonly mine: ArmMetrics;
  /** Aggregates over every principal: operators only (null for anyone else). */
  readonly all: AggregateStatus | null;
}

/** The learning loop's aggregate figures (operators). */
export interface AggregateStatus {
  readonly abTest: { readonly control: string; readonly arms: Readonly<Record<string, ArmMetrics>>; readonly comparison: readonly ArmComparison[] } | null;
  /** Preparation figures per arm (`default` without an A/B test). */
  readonly prefetchByArm: Readonly<Record<string, ArmMetrics>>;
  /** Calibration of the predicted probabilities (reliability per decile, Brier score). */
  readonly calibration: CalibrationSummary;
  /** Top-1 next-step predictions scored, and those that came true. */
  readonly nextStep: { readonly predictions: number; readonly hits: number };
  /** Frequent subgraphs the selection prepares together now, and their member steps. */
  readonly bundles: { readonly count: number; readonly members: number };
  /** Rounds run, preparations the loop selected and those the preparer accepted. */
  readonly rounds: number;
  readonly preparations: { readonly selected: number; readonly accepted: number };
}

/** See the module comment. */
export class ServeLearningLoop {
  private memory: TickMemory;
  private readonly learning: LearningHooks;
  private readonly catalog: ReadonlySet<string>;
  /** The catalog's tasks plus the DAGs of followed executions outside it. */
  private readonly tasks: FollowedTaskCatalog;
  private readonly announced = new Set<string>();
  private nextSeq = 0;
  private timer: Timer | undefined;
  private running: Promise<LearningRound> | undefined;
  private rounds = 0;
  /** The next-step model the predict stage asks: the feedback model, with the fingerprint's prior when there is one. */
  private readonly predictor: NextStepModel;
  private savedAtSec = -Infinity;
  private selected = 0;
  private accepted = 0;
  private readonly logger: Logger;

  /** @throws InputError for bad `prefetch.bundles` or selection settings */
  constructor(private readonly deps: ServeLearningDeps, private readonly opts: ServeLearningOptions = {}) {
    this.tasks = new FollowedTaskCatalog(deps.workflows);
    this.memory = { ...createTickMemory(deps.workflows, false), chains: new ChainBook(this.tasks) };
    this.learning = new LearningHooks(deps.prefetch);
    this.catalog = new Set(deps.workflows.map((w) => w.name));
    this.logger = deps.logger ?? silentLogger;
    this.predictor = deps.fingerprints ? deps.fingerprints.withPrior(deps.nextStep) : deps.nextStep;
  }

  /** Runs a round every `intervalMs` (first after one interval) until {@link stop}. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = this.deps.clock.setRepeating(intervalMs, () => {
      if (this.running) return;
      void this.round().catch((e: unknown) => this.logger.warn('learning round failed', { error: e instanceof Error ? e.message : String(e) }));
    }, { background: true });
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.deps.fingerprints?.save();
  }

  /** One round: observe the new events, predict, select and hand the preparations to the preparer. */
  round(): Promise<LearningRound> {
    this.running ??= this.runRound().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The figures `caller` may see (see {@link LearningStatus}). */
  status(caller: Pick<Principal, 'id' | 'memberOf'>): LearningStatus {
    const ab = this.deps.prefetch.abTest;
    const names = [caller.id, ...caller.memberOf];
    const operator = (this.deps.operators ?? []).some((o) => names.includes(o));
    return {
      arm: ab ? abArmOf({ chainId: '', principal: caller.id }, ab) : null,
      mine: this.deps.manager.metricsOf(caller.id) ?? emptyArmMetrics(),
      all: operator ? this.aggregate() : null,
    };
  }

  private aggregate(): AggregateStatus {
    const ab = this.deps.prefetch.abTest;
    const byArm = this.deps.manager.metricsByArm();
    const arms = ab ? Object.fromEntries(ab.arms.map((a) => [a.name, byArm[a.name] ?? emptyArmMetrics()])) : undefined;
    const control = ab ? (ab.control ?? ab.arms[0].name) : undefined;
    const bundles = this.learning.bundles(this.deps.clock.nowSec());
    const { predictions, hits } = this.memory.scorer.counter;
    return {
      abTest: ab && arms && control ? { control, arms, comparison: compareArms(arms, control) } : null,
      prefetchByArm: byArm,
      calibration: calibrationSummaryOf(this.deps.nextStep.summary()),
      nextStep: { predictions, hits },
      bundles: { count: bundles.length, members: bundles.reduce((n, b) => n + b.members.length, 0) },
      rounds: this.rounds,
      preparations: { selected: this.selected, accepted: this.accepted },
    };
  }

  private async runRound(): Promise<LearningRound> {
    const now = this.deps.clock.nowSec();
    await this.deps.fingerprints?.load();
    const events = [...this.announce(), ...(await this.readEvents())].sort((a, b) => a.atSec - b.atSec);
    const view = buildChainView(events, now);
    this.memory = observeStage({ view, nextStep: this.deps.nextStep }, this.memory).memory;
    this.learning.observe(view.events);
    if (view.events.length > 0) this.deps.fingerprints?.observe(view.events, now);
    const cfg = this.deps.prefetch;
    const pred = predictStage({ nowSec: now, slotSec: this.opts.slotSec ?? 60, slots: this.opts.slots ?? 10, topN: Math.max(3, cfg.topN), nextStep: this.predictor, readyUnitsByPool: new Map() }, this.memory);
    const selection = cfg.enabled ? prefetchSelectionFrom(cfg) : undefined;
    const prep = prefetchStage({
      nowSec: now, chains: pred.prefetchInputs, config: selection,
      select: (ch, c, t) => this.learning.select(ch, c, t, (id) => this.memory.chains.chains.get(id)?.principal),
    }, this.memory);
    let accepted = 0;
    for (const c of prep.commands) {
      const out = await this.deps.preparer.prepare(c);
      if (out.status === 'accepted' || out.status === 'duplicate') {
        this.memory = recordPreparation(this.memory, c, now, cfg.ttlSec);
        if (out.status === 'accepted') accepted++;
      }
    }
    this.deps.manager.expire();
    if (now - this.savedAtSec >= 60) {
      this.savedAtSec = now;
      await this.deps.fingerprints?.save();
    }
    this.rounds++;
    this.selected += prep.commands.length;
    this.accepted += accepted;
    if (prep.commands.length > 0) this.logger.debug('learning round', { atSec: now, events: events.length, preparations: prep.commands.length, accepted });
    return { atSec: now, events: events.length, preparations: prep.commands.length, accepted };
  }

  /**
   * The workflow and variant an execution's events are learned under: its own for a catalog
   * workflow; else its principal's key and the execution (whose DAG the catalog then knows).
   */
  private learnedAs(x: TrackedExecution): { workflow: string; variant: string } {
    if (this.catalog.has(x.workflow)) return { workflow: x.workflow, variant: x.variant };
    const had = this.variantOf.get(x.executionName);
    if (had !== x.variant) {
      this.tasks.follow(x.executionName, x.steps);
      this.variantOf.set(x.executionName, x.variant);
    }
    return { workflow: followedWorkflowKey(x.principalId, x.workflow), variant: x.executionName };
  }

  private readonly variantOf = new Map<string, string>();

  /** `submitted` events for the steps of executions the preparer started following (once each). */
  private announce(): ExecutionEvent[] {
    const out: ExecutionEvent[] = [];
    const live = new Set<string>();
    for (const x of this.deps.preparer.executions()) {
      live.add(x.executionName);
      const as = this.learnedAs(x);
      if (this.announced.has(x.executionName)) continue;
      this.announced.add(x.executionName);
      for (const s of x.steps) {
        out.push({ chainId: x.executionName, workflow: as.workflow, variant: as.variant, taskId: s.taskId, taskType: taskTypeOf(s.task), kind: 'submitted', atSec: x.atSec, principal: x.principalId, executionName: x.executionName, poolId: s.poolId });
      }
    }
    // executions the preparer forgot (ended long enough ago): their DAGs go too
    for (const name of [...this.tasks.followed()]) {
      if (live.has(name)) continue;
      this.tasks.forget(name);
      this.variantOf.delete(name);
    }
    if (this.announced.size > 100_000) this.announced.clear();
    return out;
  }

  /** The log's new events of followed executions, with the execution as chain, its principal and its learned workflow. */
  private async readEvents(): Promise<ExecutionEvent[]> {
    const limit = this.opts.readLimit ?? 10_000;
    const read = await this.deps.store.readLog<ExecutionEvent>(EVENTS_LOG, { fromSeq: this.nextSeq, limit });
    this.nextSeq += read.length;
    const out: ExecutionEvent[] = [];
    for (const e of read) {
      const x = e.executionName !== undefined ? this.deps.preparer.execution(e.executionName) : undefined;
      if (!x) continue;
      out.push({ ...e, chainId: x.executionName, principal: x.principalId, ...(this.catalog.has(x.workflow) ? {} : this.learnedAs(x)) });
    }
    return out;
  }
}
