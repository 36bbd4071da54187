/**
 * The learning loop's hooks in the controller tick (issue 22), kept out of app/tick.ts so the tick
 * calls them in three small, separate places: the execution events of each tick feed the bundle book
 * (core/predict/bundles.ts), and the prefetch stage asks it for the frequent subgraphs to prepare
 * together. The bundle feedback (core/predict/bundle-outcomes.ts) scores every chosen preparation on
 * the same events and gates the bundle edges whose preparations waste more than the single-step
 * ones (`prefetch.bundles.outcomeGate`). The next-step model's own feedback loop (core/predict/feedback.ts) needs no hook: it
 * learns from the same events through `NextStepModel.observe`.
 */
import type { ExecutionEvent } from '../../core/model/events.js';
import { taskTypeOf } from '../../core/model/task.js';
import type { PrefetchConfig } from '../../core/model/config.js';
import { BundleBook, feasibleBundles, type BundleBookJSON } from '../../core/predict/bundles.js';
import { BundleOutcomeBook, bundleEdgeKey, bundleVsSingle, stepGroupKey, SINGLE_STEP_GROUP, type BundleOutcomeBookJSON, type BundleVsSingle } from '../../core/predict/bundle-outcomes.js';
import type { NextStepModel } from '../../core/predict/types.js';
import type { MinedBundle } from '../../core/predict/mining.js';
import { parsePrefetchConfig, selectPrefetch, setupSecondsOf, type PrefetchChainInput, type PrefetchSelection, type PrefetchSelectionConfigInput } from '../../core/prefetch/selection.js';
import { selectForAbTest } from '../../core/predict/ab-selection.js';
import type { AbTestConfig } from '../../core/model/learning-config.js';
import { AbArmModels, type ArmChainContext } from '../../core/predict/ab-models.js';

/** See the module comment. */
export class LearningHooks {
  private readonly book: BundleBook;
  private readonly abTest: AbTestConfig | undefined;
  /** issue 22: next-step models of the A/B arms that name one (`prefetch.abTest.arms[].model`). */
  private readonly armModels: AbArmModels;
  /** issue 22: measured outcomes of the chosen preparations, per bundle edge and single-step. */
  private readonly outcomes = new BundleOutcomeBook();
  /** `prefetch.feedback.outcomeGate`: predicted task types whose preparations waste are no longer prepared. */
  private readonly stepGate: boolean;

  /** @throws InputError for bad `prefetch.bundles` settings */
  constructor(prefetch: Pick<PrefetchConfig, 'bundles' | 'abTest' | 'feedback'> | undefined) {
    this.stepGate = prefetch?.feedback?.outcomeGate ?? true;
    this.book = new BundleBook(prefetch?.bundles ?? {});
    this.abTest = prefetch?.abTest;
    this.armModels = new AbArmModels(prefetch?.abTest);
  }

  /**
   * The prefetch stage's selection: with the bundles of `nowSec`, and per A/B arm when the config has
   * `prefetch.abTest` (core/predict/ab-selection.ts; `principalOf` gives each chain's principal).
   * `contextOf` gives a chain's history and running step to the arms with their own model.
   * @throws InputError for invalid selection settings
   */
  select(chains: readonly PrefetchChainInput[], config: PrefetchSelectionConfigInput, nowSec: number, principalOf: (chainId: string) => string | undefined, contextOf?: (chainId: string) => ArmChainContext | undefined): PrefetchSelection {
    // only members whose median lag after the root lets a preparation made with the root be ready and still kept
    const setups = new Map<string, number>();
    for (const c of chains) for (const s of c.pendingSteps) setups.set(`${c.workflow}\u0001${taskTypeOf(s.task)}`, setupSecondsOf(s.task));
    const cfg = parsePrefetchConfig(config);
    this.outcomes.observe([], nowSec); // states past their TTL unused: wasted
    const admitsStep = this.stepGate ? (w: string, t: string): boolean => this.outcomes.admitsStep(w, t) : undefined;
    const gate = this.book.config.outcomeGate ? (w: string, r: string, m: string): boolean => this.outcomes.admits(bundleEdgeKey(w, r, m)) : undefined;
    const setupOf = (w: string, t: string): number | undefined => setups.get(`${w}\u0001${t}`);
    const opts = { maxHoldSec: this.book.config.maxHoldSec, minRootProbability: this.book.config.minRootProbability };
    const mined = this.bundles(nowSec);
    const bundles = feasibleBundles(mined, setupOf, cfg.ttlSec, { ...opts, ...(gate ? { admits: gate } : {}) });
    // A/B arms select inside core/predict/ab-selection.ts: there the refused types' predictions are dropped
    const gated = admitsStep && this.abTest ? chains.map((c) => ({ ...c, predictions: c.predictions.filter((p) => admitsStep(c.workflow, p.taskType)) })) : chains;
    const sel = this.abTest ? this.selectAb(gated, config, nowSec, bundles, principalOf, contextOf) : selectPrefetch(chains, config, nowSec, bundles, admitsStep);
    this.recordChosen(chains, sel, nowSec, cfg.ttlSec);
    if (gate) this.recordShadows(chains, sel, config, nowSec, feasibleBundles(mined, setupOf, cfg.ttlSec, { ...opts, admits: (w, r, m) => !gate(w, r, m) }), admitsStep, cfg.ttlSec);
    return sel;
  }

  /**
   * Scores the edges not admitted on what they would have prepared (core/predict/bundle-outcomes.ts
   * `recordShadow`): the members the selection would choose with only those edges' bundles and no
   * command or resource limit, among the steps this tick did not prepare.
   */
  private recordShadows(chains: readonly PrefetchChainInput[], sel: PrefetchSelection, config: PrefetchSelectionConfigInput, nowSec: number, closed: readonly MinedBundle[], admitsStep: ((w: string, t: string) => boolean) | undefined, ttlSec: number): void {
    if (closed.length === 0) return;
    const chosen = new Set(sel.commands.map((c) => `${c.chainId}\u0001${c.taskId}`));
    const rest = chains.map((c) => ({ ...c, pendingSteps: c.pendingSteps.filter((s) => !chosen.has(`${c.chainId}\u0001${s.task.task_id}`)) }));
    const unlimited = { ...config, maxConcurrent: Number.MAX_SAFE_INTEGER, budget: { vcpu: Number.MAX_VALUE, memoryGiB: Number.MAX_VALUE } };
    const shadow = selectPrefetch(rest, unlimited, nowSec, closed, admitsStep);
    const byChain = new Map(rest.map((c) => [c.chainId, c]));
    for (const d of shadow.decisions) {
      if (!d.chosen || d.bundleRoot === undefined || d.taskId === undefined) continue;
      const chain = byChain.get(d.chainId);
      const step = chain?.pendingSteps.find((s) => s.task.task_id === d.taskId);
      if (!chain || !step) continue;
      this.outcomes.recordShadow(bundleEdgeKey(chain.workflow, d.bundleRoot, d.taskType), d.chainId, d.taskId, nowSec, setupSecondsOf(step.task), step.task.resource_requirements.vcpu, ttlSec);
    }
  }

  private selectAb(chains: readonly PrefetchChainInput[], config: PrefetchSelectionConfigInput, nowSec: number, bundles: readonly MinedBundle[], principalOf: (chainId: string) => string | undefined, contextOf?: (chainId: string) => ArmChainContext | undefined): PrefetchSelection {
    const withPrincipal = chains.map((c) => {
      const principal = principalOf(c.chainId);
      return principal !== undefined ? { ...c, principal } : c;
    });
    return selectForAbTest(withPrincipal, config, this.abTest!, nowSec, bundles, contextOf && this.armModels.size > 0 ? { models: this.armModels, contextOf } : undefined);
  }

  /** Records the chosen preparations in the outcome book (group: their bundle edge, else single-step). */
  private recordChosen(chains: readonly PrefetchChainInput[], sel: PrefetchSelection, nowSec: number, ttlSec: number): void {
    const byChain = new Map(chains.map((c) => [c.chainId, c]));
    const cmds = new Map(sel.commands.map((c) => [`${c.chainId}\u0001${c.taskId}`, c]));
    for (const d of sel.decisions) {
      if (!d.chosen || d.taskId === undefined) continue;
      const c = cmds.get(`${d.chainId}\u0001${d.taskId}`);
      const chain = byChain.get(d.chainId);
      const step = chain?.pendingSteps.find((s) => s.task.task_id === d.taskId);
      if (!c || !chain || !step) continue;
      const group = d.bundleRoot !== undefined ? bundleEdgeKey(chain.workflow, d.bundleRoot, d.taskType) : SINGLE_STEP_GROUP;
      const stepGroup = d.bundleRoot === undefined ? stepGroupKey(chain.workflow, d.taskType) : undefined;
      this.outcomes.record(group, d.chainId, d.taskId, nowSec, c.expectedSavedSec ?? setupSecondsOf(step.task), step.task.resource_requirements.vcpu, c.ttlSec ?? ttlSec, stepGroup);
    }
  }

  /** What the hooks learned, as data (bundle book and arm models), persisted with the tick's memory. */
  toJSON(): { readonly bundles: BundleBookJSON; readonly arms: Array<[string, unknown]>; readonly outcomes: BundleOutcomeBookJSON } {
    return { bundles: this.book.toJSON(), arms: this.armModels.toJSON(), outcomes: this.outcomes.toJSON() };
  }

  /**
   * Restores what {@link toJSON} saved (arm models rebuilt by `restoreModel`); nothing changes when it throws.
   * @throws Error for a malformed or mismatched saved state
   */
  restore(json: unknown, restoreModel: (j: unknown) => NextStepModel): void {
    const j = json as { bundles?: BundleBookJSON; arms?: Array<[string, unknown]>; outcomes?: BundleOutcomeBookJSON } | null;
    if (!j || !j.bundles || !(j.bundles.chains instanceof Map) || !Array.isArray(j.bundles.mined) || !Array.isArray(j.arms)) throw new Error('not a saved learning state');
    if (j.outcomes !== undefined && !(j.outcomes.open instanceof Map && j.outcomes.totals instanceof Map)) throw new Error('not a saved learning state (bundle outcomes)');
    this.armModels.restore(j.arms, restoreModel); // all or none: throws before anything changes
    this.book.restore(j.bundles);
    this.outcomes.restore(j.outcomes ?? { open: new Map(), totals: new Map() });
  }

  /** Feeds the tick's execution events. */
  observe(events: readonly ExecutionEvent[]): void {
    this.book.observe(events);
    this.outcomes.observe(events, -Infinity); // starts only; expiries at the next selection's time
    this.armModels.observe(events);
  }

  /** Outcomes of the commanded preparations so far, bundle members against single steps (issue 22 reports). */
  bundleOutcomes(): BundleVsSingle {
    return bundleVsSingle(this.outcomes.commandedTotals());
  }

  /** Bundles the prefetch selection prepares together at `nowSec` (none when disabled). */
  bundles(nowSec: number): readonly MinedBundle[] {
    return this.book.current(nowSec);
  }
}
