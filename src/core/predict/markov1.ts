/**
 * First-order Markov model over task-type transitions: P(next | workflow, last started step) as the
 * ratio of observed transition counts (Norris, "Markov Chains", 1997, §1.10 maximum-likelihood
 * estimate). When the last step was never seen, it falls back to the workflow's overall frequencies of
 * next steps (order 0). Used as the early model and as a benchmark baseline.
 */
import type { ExecutionEvent } from '../model/events.js';
import { InputError } from '../model/errors.js';
import type { ChainContext, DistributionModel, NextStepPrediction } from './types.js';
import { ChainTracker, type TrackerJson, type Transition } from './chain-tracker.js';
import { EdgeDelayTable, SEP } from './edge-table.js';
import { effectiveHistory, lastStep, topN, withStartTime } from './context.js';
import { AccuracyTracker, type AccuracyStats } from './scoring.js';

/** JSON form of a {@link Markov1Model}. */
export interface Markov1Json {
  readonly kind: 'markov1';
  readonly version: 1;
  readonly transitions: Array<[string, Array<[string, number]>]>;
  readonly order0: Array<[string, Array<[string, number]>]>;
  readonly delays: ReturnType<EdgeDelayTable['toJSON']>;
  /** Open chains (absent in older saves). */
  readonly open?: TrackerJson;
}

function bump(table: Map<string, Map<string, number>>, key: string, next: string): void {
  let row = table.get(key);
  if (!row) {
    row = new Map();
    table.set(key, row);
  }
  row.set(next, (row.get(next) ?? 0) + 1);
}

function normalise(row: ReadonlyMap<string, number> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!row) return out;
  let total = 0;
  for (const v of row.values()) total += v;
  if (total <= 0) return out;
  for (const [k, v] of row) out.set(k, v / total);
  return out;
}

/** First-order Markov next-step model. See the module comment. */
export class Markov1Model implements DistributionModel {
  readonly name: string = 'markov1';
  private tracker = new ChainTracker();
  private readonly transitions = new Map<string, Map<string, number>>();
  private readonly order0 = new Map<string, Map<string, number>>();
  private delays = new EdgeDelayTable();
  private readonly accuracy = new AccuracyTracker();

  /** Online update; events may arrive in any batch size, in time order across batches. */
  observe(events: readonly ExecutionEvent[]): void {
    for (const t of this.tracker.ingest(events)) this.learn(t);
  }

  /** Learns one transition directly (for callers that reconstruct transitions themselves). */
  learn(t: Transition): void {
    const key = `${t.workflow}${SEP}${lastStep(t.history)}`;
    const dist = normalise(this.transitions.get(key) ?? this.order0.get(t.workflow));
    if (dist.size > 0) this.accuracy.score(t.workflow, dist, t.next);
    bump(this.transitions, `${t.workflow}${SEP}${lastStep(t.history)}`, t.next);
    bump(this.order0, t.workflow, t.next);
    this.delays.record(t);
  }

  /** Full next-step distribution for `ctx` (probabilities sum to 1, or the map is empty). */
  distribution(ctx: ChainContext): Map<string, number> {
    const last = lastStep(effectiveHistory(ctx));
    const row = this.transitions.get(`${ctx.workflow}${SEP}${last}`);
    return normalise(row ?? this.order0.get(ctx.workflow));
  }

  predict(ctx: ChainContext, n: number): NextStepPrediction[] {
    const last = lastStep(effectiveHistory(ctx));
    return topN(this.distribution(ctx), n).map(([type, p]) => withStartTime(ctx, this.delays, last, type, p));
  }

  /** Accuracy of the predictions scored in `observe` (not saved in the JSON). */
  accuracySummary(): Record<string, AccuracyStats> {
    return this.accuracy.summary();
  }

  toJSON(): Markov1Json {
    const rows = (m: Map<string, Map<string, number>>): Array<[string, Array<[string, number]>]> => [...m.entries()].map(([k, v]) => [k, [...v.entries()]]);
    return { kind: 'markov1', version: 1, transitions: rows(this.transitions), order0: rows(this.order0), delays: this.delays.toJSON(), open: this.tracker.toJSON() };
  }

  /**
   * Restores a model saved with {@link Markov1Model.toJSON}, open chains included.
   * @throws InputError when `json` is not a markov1 model
   */
  static fromJSON(json: unknown): Markov1Model {
    const j = json as Partial<Markov1Json> | null;
    if (!j || j.kind !== 'markov1' || j.version !== 1 || !Array.isArray(j.transitions) || !Array.isArray(j.order0) || !Array.isArray(j.delays)) {
      throw new InputError({ field: 'kind' }, j?.kind, 'a markov1 model saved by Markov1Model.toJSON (version 1)');
    }
    const m = new Markov1Model();
    for (const [k, row] of j.transitions) m.transitions.set(k, new Map(row));
    for (const [k, row] of j.order0) m.order0.set(k, new Map(row));
    m.delays = EdgeDelayTable.fromJSON(j.delays);
    m.tracker = ChainTracker.fromJSON(j.open);
    return m;
  }
}
