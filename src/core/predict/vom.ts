/**
 * Variable-order Markov next-step model (seeds 000, 002, 004).
 *
 * - Contexts are the last k started task types (k = 0..maxOrder, with a start symbol in front), per
 *   workflow. Probabilities blend from the longest context down, PPM method C without exclusion
 *   (Moffat 1990, "Implementing the PPM data compression scheme", IEEE Trans. Commun. 38(11)):
 *   `P_k(x) = (c_k(x) + u_k·P_{k−1}(x)) / (n_k + u_k)` with `n_k` the context's total count and `u_k`
 *   its number of distinct next steps. Below order 0 is a prior over the workflow's task types
 *   proportional to their `prefetch_weight` (seed 002), 0.5 when not given.
 * - Optional contexts (principal, channel, hour of week) are "experts": the same model with counts
 *   kept per context value, backing off to the global model. Their predictions are mixed with weights
 *   learned online by Fixed-Share Hedge (Herbster & Warmuth 1998, "Tracking the best expert", Machine
 *   Learning 32): every prediction is scored when the truth arrives and a context that gave the true
 *   step low probability loses weight, `w ← w·exp(−η·(1 − p(truth)))`, then `α` of the weight is shared.
 * - Old evidence decays exponentially with `halfLifeSec`.
 * - Every transition is first predicted and scored (top-1, top-3, Brier per workflow), then learned.
 */
import { z } from 'zod';
import type { ExecutionEvent } from '../model/events.js';
import { InputError, inputErrorFromZod } from '../model/errors.js';
import type { ChainContext, DistributionModel, NextStepPrediction } from './types.js';
import { ChainTracker, START_SYMBOL, type TrackerJson, type Transition } from './chain-tracker.js';
import { EdgeDelayTable, SEP } from './edge-table.js';
import { DecayedCounts } from './decayed-counts.js';
import { AccuracyTracker, type AccuracyStats } from './scoring.js';
import { effectiveHistory, lastStep, topN, withStartTime } from './context.js';

/**
 * Optional prediction contexts. `hourOfWeek` is UTC, Monday 00:00 = 0 … Sunday 23:00 = 167;
 * `lastFinished` is the type of the chain's most recently finished step.
 */
export const VomContextSchema = z.enum(['principal', 'channel', 'hourOfWeek', 'lastFinished']);
/** One optional prediction context. */
export type VomContext = z.infer<typeof VomContextSchema>;

/** Options of the variable-order model; every field has a default. */
export const VomOptionsSchema = z.object({
  /** Longest context, in steps. @default 3 */
  maxOrder: z.number().int().min(1).max(8).default(3),
  /** Half-life of evidence, seconds; `null`: no decay. @default 30 days */
  halfLifeSec: z.number().positive().nullable().default(30 * 86_400),
  /** Optional contexts mixed in as experts. @default ['principal', 'channel', 'hourOfWeek', 'lastFinished'] */
  contexts: z.array(VomContextSchema).default(['principal', 'channel', 'hourOfWeek', 'lastFinished']),
  /** `prefetch_weight` priors: workflow → task type → weight 0..1. @default {} */
  priors: z.record(z.string(), z.record(z.string(), z.number().min(0).max(1))).default({}),
  /** Hedge learning rate η. @default 0.5 */
  learningRate: z.number().positive().default(0.5),
  /** Fixed-share α (weight redistributed after each update, so a context can recover). @default 0.01 */
  fixedShare: z.number().min(0).max(0.5).default(0.01),
});
/** Options of {@link VomModel} (input form, defaults not applied). */
export type VomOptions = z.input<typeof VomOptionsSchema>;
type ResolvedOptions = z.output<typeof VomOptionsSchema>;

const DEFAULT_PRIOR_WEIGHT = 0.5;

/** Hour of week, UTC, Monday 00:00 = 0 (1970-01-01 was a Thursday, hence the 72 h offset). */
export function hourOfWeek(epochSec: number): number {
  return (((Math.floor(epochSec / 3600) + 72) % 168) + 168) % 168;
}

interface ExpertInput {
  readonly workflow: string;
  readonly principal?: string;
  readonly channel?: string;
  readonly lastFinished?: string;
  readonly atSec: number;
}

/** Variable-order Markov next-step model. See the module comment. */
export class VomModel implements DistributionModel {
  readonly name = 'vom';
  private readonly opts: ResolvedOptions;
  private tracker = new ChainTracker();
  private counts: DecayedCounts;
  private delays = new EdgeDelayTable();
  private weights = new Map<string, number[]>();
  private accuracy = new AccuracyTracker();

  /** @throws InputError when an option is out of range */
  constructor(options: VomOptions = {}) {
    const parsed = VomOptionsSchema.safeParse(options);
    if (!parsed.success) throw inputErrorFromZod(parsed.error.issues, options, 'vom options');
    this.opts = parsed.data;
    this.counts = new DecayedCounts(this.opts.halfLifeSec ?? Number.POSITIVE_INFINITY);
  }

  /** Experts in mixing order: the global model, then one per enabled context. */
  get experts(): string[] {
    return ['global', ...this.opts.contexts];
  }

  observe(events: readonly ExecutionEvent[]): void {
    for (const t of this.tracker.ingest(events)) this.learnTransition(t);
  }

  /** Scores the prediction the model would have made for `t`, updates context weights, then learns `t`. */
  learnTransition(t: Transition): void {
    const input: ExpertInput = { workflow: t.workflow, principal: t.principal, channel: t.channel, lastFinished: t.lastFinished, atSec: t.atSec };
    const experts = this.expertDistributions(input, t.history);
    const mixed = this.mix(t.workflow, experts);
    if (mixed.size > 0) {
      this.accuracy.score(t.workflow, mixed, t.next);
      this.updateWeights(t.workflow, experts.map((d) => d.get(t.next) ?? 0));
    }
    const padded = [START_SYMBOL, ...t.history];
    const tags = this.tags(input);
    for (const tag of tags) {
      if (tag === undefined) continue;
      for (let k = 0; k <= Math.min(this.opts.maxOrder, padded.length); k++) this.counts.add(this.key(t.workflow, tag, padded, k), t.next, t.atSec);
    }
    this.delays.record(t);
  }

  distribution(ctx: ChainContext): Map<string, number> {
    const input: ExpertInput = { workflow: ctx.workflow, principal: ctx.principal, channel: ctx.channel, lastFinished: ctx.lastFinished, atSec: ctx.nowSec };
    return this.mix(ctx.workflow, this.expertDistributions(input, effectiveHistory(ctx)));
  }

  predict(ctx: ChainContext, n: number): NextStepPrediction[] {
    const last = lastStep(effectiveHistory(ctx));
    return topN(this.distribution(ctx), n).map(([type, p]) => withStartTime(ctx, this.delays, last, type, p));
  }

  /** Accuracy of the predictions scored so far, per workflow and `*` for all (prequential). */
  accuracySummary(): Record<string, AccuracyStats> {
    return this.accuracy.summary();
  }

  /** Current mixing weight of each expert for `workflow` (sums to 1). */
  contextWeights(workflow: string): Record<string, number> {
    const w = this.weightsOf(workflow);
    return Object.fromEntries(this.experts.map((e, i) => [e, w[i]]));
  }

  toJSON(): unknown {
    return {
      kind: 'vom',
      version: 1,
      options: this.opts,
      counts: this.counts.toJSON(),
      delays: this.delays.toJSON(),
      weights: [...this.weights.entries()],
      accuracy: this.accuracy.toJSON(),
      open: this.tracker.toJSON(),
    };
  }

  /**
   * Restores a model saved with {@link VomModel.toJSON}, open chains included.
   * @throws InputError when `json` is not a saved vom model
   */
  static fromJSON(json: unknown): VomModel {
    const j = json as Record<string, unknown> | null;
    if (!j || j.kind !== 'vom' || j.version !== 1 || !Array.isArray(j.counts) || !Array.isArray(j.delays) || !Array.isArray(j.weights) || !Array.isArray(j.accuracy)) {
      throw new InputError({ field: 'kind' }, j?.kind, 'a vom model saved by VomModel.toJSON (version 1)');
    }
    const m = new VomModel(j.options as VomOptions);
    m.counts = DecayedCounts.fromJSON(m.opts.halfLifeSec ?? Number.POSITIVE_INFINITY, j.counts as never);
    m.delays = EdgeDelayTable.fromJSON(j.delays as never);
    m.weights = new Map(j.weights as Array<[string, number[]]>);
    m.accuracy = AccuracyTracker.fromJSON(j.accuracy as never);
    m.tracker = ChainTracker.fromJSON(j.open as TrackerJson | undefined);
    return m;
  }

  private tags(input: ExpertInput): Array<string | undefined> {
    return this.experts.map((e) => {
      if (e === 'global') return '';
      if (e === 'principal') return input.principal === undefined ? undefined : `p=${input.principal}`;
      if (e === 'channel') return input.channel === undefined ? undefined : `c=${input.channel}`;
      if (e === 'lastFinished') return input.lastFinished === undefined ? undefined : `f=${input.lastFinished}`;
      return `h=${hourOfWeek(input.atSec)}`;
    });
  }

  private key(workflow: string, tag: string, padded: readonly string[], k: number): string {
    return `${workflow}${SEP}${tag}${SEP}${k}${SEP}${padded.slice(padded.length - k).join(SEP)}`;
  }

  /** Each expert's distribution; an expert without its context value predicts as the global model. */
  private expertDistributions(input: ExpertInput, history: readonly string[]): Array<Map<string, number>> {
    const padded = [START_SYMBOL, ...history];
    const tags = this.tags(input);
    const global = this.blend(input, '', padded, this.priorOf(input));
    return tags.map((tag, i) => (i === 0 || tag === undefined ? global : this.blend(input, tag, padded, global)));
  }

  /** PPM-C blending from order 0 up to the longest seen context, on top of `base`. */
  private blend(input: ExpertInput, tag: string, padded: readonly string[], base: Map<string, number>): Map<string, number> {
    let p = base;
    for (let k = 0; k <= Math.min(this.opts.maxOrder, padded.length); k++) {
      const row = this.counts.read(this.key(input.workflow, tag, padded, k), input.atSec);
      if (!row || row.total <= 0) break;
      const denom = row.total + row.distinct;
      const next = new Map<string, number>();
      for (const [x, px] of p) next.set(x, (row.distinct * px) / denom);
      for (const [x, c] of row.counts) next.set(x, (next.get(x) ?? 0) + c / denom);
      p = next;
    }
    return p;
  }

  /** Order −1: the workflow's known task types weighted by `prefetch_weight` (0.5 when unknown). */
  private priorOf(input: ExpertInput): Map<string, number> {
    const priors = this.opts.priors[input.workflow] ?? {};
    const types = new Set<string>(Object.keys(priors).sort());
    const seen = this.counts.read(this.key(input.workflow, '', [], 0), input.atSec);
    for (const x of seen?.counts.keys() ?? []) types.add(x);
    let total = 0;
    const out = new Map<string, number>();
    for (const x of types) {
      const w = priors[x] ?? DEFAULT_PRIOR_WEIGHT;
      out.set(x, w);
      total += w;
    }
    if (total > 0) for (const [x, w] of out) out.set(x, w / total);
    return out;
  }

  private weightsOf(workflow: string): number[] {
    return this.weights.get(workflow) ?? this.experts.map(() => 1 / this.experts.length);
  }

  private mix(workflow: string, dists: ReadonlyArray<Map<string, number>>): Map<string, number> {
    const w = this.weightsOf(workflow);
    const out = new Map<string, number>();
    dists.forEach((d, i) => {
      for (const [x, p] of d) out.set(x, (out.get(x) ?? 0) + w[i] * p);
    });
    return out;
  }

  private updateWeights(workflow: string, pTruth: readonly number[]): void {
    const w = this.weightsOf(workflow).map((wi, i) => wi * Math.exp(-this.opts.learningRate * (1 - pTruth[i])));
    const total = w.reduce((a, b) => a + b, 0);
    const n = w.length;
    const a = this.opts.fixedShare;
    this.weights.set(workflow, w.map((wi) => (1 - a) * (wi / total) + a / n));
  }
}
