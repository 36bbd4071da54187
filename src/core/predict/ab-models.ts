/**
 * Per-arm next-step models of an A/B test of prefetch configurations (issue 22; the controller
 * config's `prefetch.abTest.arms[].model`): an arm that names a model gets its own
 * {@link NextStepModel} (kind, Markov order, feedback on or off), trained online on the same
 * execution events as the controller's model, and its chains' prefetch candidates are re-predicted
 * with it before the arm's selection. Arms without a model keep the controller's predictions.
 */
import type { ExecutionEvent } from '../model/events.js';
import type { AbArmModel, AbTestConfig } from '../model/learning-config.js';
import type { PrefetchChainInput } from '../prefetch/selection.js';
import { FeedbackModel } from './feedback.js';
import { Markov1Model } from './markov1.js';
import type { ChainContext, NextStepModel } from './types.js';
import { VomModel } from './vom.js';

/** What the tick knows of a running chain (the ChainContext without `nowSec`). */
export type ArmChainContext = Omit<ChainContext, 'nowSec'>;

/** Predictions asked of an arm model per chain, at least (as the tick's predict stage asks). */
export const ARM_MODEL_MIN_TOP_N = 3;

/**
 * The model an arm names.
 * @throws InputError (from the models) for out-of-range options
 */
export function armModelOf(m: AbArmModel): NextStepModel {
  const inner: NextStepModel = m.kind === 'markov1' ? new Markov1Model() : new VomModel({ maxOrder: m.maxOrder });
  return new FeedbackModel(inner, { calibrate: m.feedback });
}

/** A short label of an arm model, e.g. "vom(order 2)+feedback". */
export function armModelLabel(m: AbArmModel): string {
  return `${m.kind === 'markov1' ? 'markov1' : `vom(order ${m.maxOrder})`}${m.feedback ? '+feedback' : ''}`;
}

/** See the module comment. */
export class AbArmModels {
  private readonly models = new Map<string, NextStepModel>();

  /** @throws InputError for invalid model options */
  constructor(ab: AbTestConfig | undefined) {
    for (const a of ab?.arms ?? []) if (a.model) this.models.set(a.name, armModelOf(a.model));
  }

  /** Each arm model's `toJSON()`, in arm order (the tick's persisted memory). */
  toJSON(): Array<[string, unknown]> {
    return [...this.models].map(([arm, m]) => [arm, m.toJSON()]);
  }

  /**
   * Replaces the arm models with those saved by {@link toJSON}, rebuilt by `restoreModel`; all or none.
   * @throws Error when the saved arms are not this configuration's, or what `restoreModel` throws
   */
  restore(json: ReadonlyArray<readonly [string, unknown]>, restoreModel: (j: unknown) => NextStepModel): void {
    const arms = [...this.models.keys()];
    if (json.length !== arms.length || json.some(([a], i) => a !== arms[i])) throw new Error(`saved arm models [${json.map(([a]) => a).join(', ')}] are not the configured [${arms.join(', ')}]`);
    const restored = json.map(([a, j]) => [a, restoreModel(j)] as const);
    for (const [a, m] of restored) this.models.set(a, m);
  }

  /** Whether any arm has its own model. */
  get size(): number {
    return this.models.size;
  }

  /** The model of `arm`, when it has its own. */
  modelOf(arm: string): NextStepModel | undefined {
    return this.models.get(arm);
  }

  /** Feeds the tick's execution events (time order) to every arm model, in arm order. */
  observe(events: readonly ExecutionEvent[]): void {
    if (events.length === 0) return;
    for (const m of this.models.values()) m.observe(events);
  }

  /**
   * `chains` with the predictions of `arm`'s model (unchanged when the arm has none, or a chain's
   * context is unknown or has no running step).
   * @param topN predictions per chain (at least {@link ARM_MODEL_MIN_TOP_N})
   */
  repredict<C extends PrefetchChainInput>(arm: string, chains: readonly C[], contextOf: (chainId: string) => ArmChainContext | undefined, nowSec: number, topN: number): C[] {
    const m = this.models.get(arm);
    if (!m) return [...chains];
    return chains.map((c) => {
      const ctx = contextOf(c.chainId);
      if (!ctx?.running) return c;
      return { ...c, predictions: m.predict({ ...ctx, nowSec }, Math.max(ARM_MODEL_MIN_TOP_N, topN)) };
    });
  }
}
