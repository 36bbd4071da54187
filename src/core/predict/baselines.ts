/**
 * Baseline next-step model for benchmarks: the most frequent successor of the last started step,
 * predicted with probability 1 (what a lookup table of "what usually comes next" does).
 */
import type { ExecutionEvent } from '../model/events.js';
import type { ChainContext, DistributionModel, NextStepPrediction } from './types.js';
import { Markov1Model } from './markov1.js';
import type { Transition } from './chain-tracker.js';

/** Most-frequent-successor baseline: argmax of the first-order counts, ties by task type, with p = 1. */
export class MostFrequentSuccessorModel implements DistributionModel {
  readonly name = 'most-frequent-successor';
  private readonly counts = new Markov1Model();

  observe(events: readonly ExecutionEvent[]): void {
    this.counts.observe(events);
  }

  /** Learns one transition directly. */
  learn(t: Transition): void {
    this.counts.learn(t);
  }

  distribution(ctx: ChainContext): Map<string, number> {
    const best = this.counts.predict(ctx, 1)[0];
    return best ? new Map([[best.taskType, 1]]) : new Map();
  }

  predict(ctx: ChainContext, n: number): NextStepPrediction[] {
    const best = this.counts.predict(ctx, 1)[0];
    return best && n > 0 ? [{ ...best, probability: 1 }] : [];
  }

  toJSON(): unknown {
    return { kind: 'most-frequent-successor', counts: this.counts.toJSON() };
  }
}
