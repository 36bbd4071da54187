/**
 * The fingerprint's edge probabilities as the next-step model's prior (seed 001 §2, issue 22): a
 * {@link NextStepModel} wrapper that passes events through to the inner model and, for a chain whose
 * running step's type has outgoing edges in the persisted fingerprint (core/predict/fingerprint-book.ts),
 * spreads the probability mass the inner model leaves unassigned (1 − Σ p, all of it when the model
 * has no prediction, e.g. after a restart whose re-read history window is shorter than the
 * fingerprint's) over the edges' successors in proportion to their transition probabilities, with
 * the edge's median start-to-start delay as the expected start. The inner model's own predictions are
 * kept as they are, so a model that has learned the context is not overridden.
 */
import type { ExecutionEvent } from '../model/events.js';
import type { FingerprintSuccessor } from './fingerprint-book.js';
import type { ChainContext, NextStepModel, NextStepPrediction } from './types.js';

/** Successor edges of a task type in a workflow (the fingerprint book's `successors`). */
export type SuccessorLookup = (workflow: string, taskType: string) => readonly FingerprintSuccessor[];

/** Settings of {@link FingerprintPriorModel}. */
export interface FingerprintPriorOptions {
  /** Edges with fewer transitions are not used. @default 5 */
  readonly minTransitions?: number;
}

/** See the module comment. */
export class FingerprintPriorModel implements NextStepModel {
  readonly name: string;
  private readonly minTransitions: number;

  constructor(readonly inner: NextStepModel, private readonly successors: SuccessorLookup, opts: FingerprintPriorOptions = {}) {
    this.name = `${inner.name}+fingerprint-prior`;
    this.minTransitions = opts.minTransitions ?? 5;
  }

  observe(events: readonly ExecutionEvent[]): void {
    this.inner.observe(events);
  }

  predict(context: ChainContext, topN: number): NextStepPrediction[] {
    const base = this.inner.predict(context, topN);
    const from = context.running?.taskType ?? context.history[context.history.length - 1];
    if (from === undefined || base.length >= topN) return base;
    const mass = 1 - base.reduce((s, p) => s + p.probability, 0);
    if (!(mass > 1e-9)) return base;
    const have = new Set(base.map((p) => p.taskType));
    const edges = this.successors(context.workflow, from).filter((e) => e.transitions >= this.minTransitions && !have.has(e.taskType));
    const total = edges.reduce((s, e) => s + e.probability, 0);
    if (edges.length === 0 || !(total > 0)) return base;
    const elapsed = context.running ? Math.max(0, context.nowSec - context.running.startedAtSec) : 0;
    const added = edges.map((e) => ({
      taskType: e.taskType,
      probability: (mass * e.probability) / total,
      expectedStartInSec: Number.isFinite(e.delayP50Sec) ? Math.max(0, e.delayP50Sec - elapsed) : 0,
    }));
    return [...base, ...added].map((p, i) => ({ p, i })).sort((a, b) => b.p.probability - a.p.probability || a.i - b.i).slice(0, topN).map((x) => x.p);
  }

  toJSON(): unknown {
    return this.inner.toJSON();
  }

  accuracySummary(): ReturnType<NonNullable<NextStepModel['accuracySummary']>> {
    return this.inner.accuracySummary?.() ?? {};
  }
}
