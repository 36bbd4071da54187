/**
 * The learning loop's hooks in the controller tick (issue 22), kept out of app/tick.ts so the tick
 * calls them in three small, separate places: the execution events of each tick feed the bundle book
 * (core/predict/bundles.ts), and the prefetch stage asks it for the frequent subgraphs to prepare
 * together. The next-step model's own feedback loop (core/predict/feedback.ts) needs no hook: it
 * learns from the same events through `NextStepModel.observe`.
 */
import type { ExecutionEvent } from '../../core/model/events.js';
import { taskTypeOf } from '../../core/model/task.js';
import type { PrefetchConfig } from '../../core/model/config.js';
import { BundleBook, feasibleBundles, type BundleBookJSON } from '../../core/predict/bundles.js';
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

  /** @throws InputError for bad `prefetch.bundles` settings */
  constructor(prefetch: Pick<PrefetchConfig, 'bundles' | 'abTest'> | undefined) {
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
    const bundles = feasibleBundles(this.bundles(nowSec), (w, t) => setups.get(`${w}\u0001${t}`), parsePrefetchConfig(config).ttlSec, { maxHoldSec: this.book.config.maxHoldSec, minRootProbability: this.book.config.minRootProbability });
    if (!this.abTest) return selectPrefetch(chains, config, nowSec, bundles);
    const withPrincipal = chains.map((c) => {
      const principal = principalOf(c.chainId);
      return principal !== undefined ? { ...c, principal } : c;
    });
    return selectForAbTest(withPrincipal, config, this.abTest, nowSec, bundles, contextOf && this.armModels.size > 0 ? { models: this.armModels, contextOf } : undefined);
  }

  /** What the hooks learned, as data (bundle book and arm models), persisted with the tick's memory. */
  toJSON(): { readonly bundles: BundleBookJSON; readonly arms: Array<[string, unknown]> } {
    return { bundles: this.book.toJSON(), arms: this.armModels.toJSON() };
  }

  /**
   * Restores what {@link toJSON} saved (arm models rebuilt by `restoreModel`); nothing changes when it throws.
   * @throws Error for a malformed or mismatched saved state
   */
  restore(json: unknown, restoreModel: (j: unknown) => NextStepModel): void {
    const j = json as { bundles?: BundleBookJSON; arms?: Array<[string, unknown]> } | null;
    if (!j || !j.bundles || !(j.bundles.chains instanceof Map) || !Array.isArray(j.bundles.mined) || !Array.isArray(j.arms)) throw new Error('not a saved learning state');
    this.armModels.restore(j.arms, restoreModel); // all or none: throws before anything changes
    this.book.restore(j.bundles);
  }

  /** Feeds the tick's execution events. */
  observe(events: readonly ExecutionEvent[]): void {
    this.book.observe(events);
    this.armModels.observe(events);
  }

  /** Bundles the prefetch selection prepares together at `nowSec` (none when disabled). */
  bundles(nowSec: number): readonly MinedBundle[] {
    return this.book.current(nowSec);
  }
}
