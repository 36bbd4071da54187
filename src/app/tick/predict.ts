/**
 * The predict stage: next steps of each running chain, turned into expected units per pool and
 * slot — from the workflow DAG (every step whose dependencies have all started, at its dependencies'
 * expected finish) and, beyond it, from the NextStepModel (probability × vCPU at the expected
 * start) — with the model's top-1 scored against the step that really started next, and offered to
 * the pre-execution selection.
 */
import { taskTypeOf, type ExecutionEvent } from '../../core/model/index.js';
import type { NextStepModel, NextStepPrediction } from '../../core/predict/types.js';
import type { PrefetchChainInput } from '../../core/predict/prefetch-selection.js';
import type { ChainBook } from './chains.js';

/** Top-1 hit counting. */
export interface HitCounter {
  predictions: number;
  hits: number;
}

/** Output of {@link predictSteps}. */
export interface PredictOutput {
  /** Expected units per pool per slot index. */
  readonly unitsByPool: Map<string, number[]>;
  readonly prefetchInputs: PrefetchChainInput[];
}

/** Per-chain memory of the last top-1 prediction, scored when the next step starts. */
export class PredictionScorer {
  private readonly lastTop1 = new Map<string, string>();
  readonly counter: HitCounter = { predictions: 0, hits: 0 };

  /** Scores `started` events against the previous predictions. */
  score(started: readonly ExecutionEvent[]): void {
    for (const e of started) {
      const predicted = this.lastTop1.get(e.chainId);
      if (predicted === undefined) continue;
      this.counter.predictions++;
      if (predicted === e.taskType) this.counter.hits++;
      this.lastTop1.delete(e.chainId);
    }
  }

  remember(chainId: string, top: NextStepPrediction | undefined): void {
    if (top) this.lastTop1.set(chainId, top.taskType);
    else this.lastTop1.delete(chainId);
  }

  forget(liveChainIds: ReadonlySet<string>): void {
    for (const id of [...this.lastTop1.keys()]) if (!liveChainIds.has(id)) this.lastTop1.delete(id);
  }
}

/**
 * Predicts the next steps of every chain with a running step.
 * @param topN predictions per chain
 */
export function predictSteps(
  book: ChainBook, model: NextStepModel, scorer: PredictionScorer, nowSec: number, slotSec: number, slots: number, topN: number,
): PredictOutput {
  const unitsByPool = new Map<string, number[]>();
  const prefetchInputs: PrefetchChainInput[] = [];
  for (const c of book.chains.values()) {
    if (!c.running) continue;
    const preds = model.predict({ chainId: c.chainId, workflow: c.workflow, principal: c.principal, history: c.history, running: c.running, nowSec }, topN);
    scorer.remember(c.chainId, preds[0]);
    const future = book.futureSteps(c);
    const addUnits = (poolId: string, inSec: number, units: number): void => {
      const k = Math.max(0, Math.floor(inSec / slotSec));
      if (k >= slots) return;
      let arr = unitsByPool.get(poolId);
      if (!arr) unitsByPool.set(poolId, (arr = new Array<number>(slots).fill(0)));
      arr[k] += units;
    };
    // steps whose dependencies have all started: from the DAG, each at its expected release time
    const frontier = book.frontierSteps(c, nowSec);
    const counted = new Set<string>();
    for (const f of frontier) {
      counted.add(f.step.def.task_id);
      addUnits(f.step.poolId, f.expectedStartSec - nowSec, f.step.def.resource_requirements.vcpu);
    }
    // further steps the next-step model expects (not already counted from the DAG)
    const used = new Set<string>(counted);
    for (const p of preds) {
      const step = future.find((s) => taskTypeOf(s.def) === p.taskType && !used.has(s.def.task_id));
      if (!step) continue;
      used.add(step.def.task_id);
      if (frontier.some((f) => taskTypeOf(f.step.def) === p.taskType)) continue;
      addUnits(step.poolId, p.expectedStartInSec, p.probability * step.def.resource_requirements.vcpu);
    }
    prefetchInputs.push({ chainId: c.chainId, workflow: c.workflow, predictions: preds, pendingSteps: future.map((s) => ({ task: s.def, poolId: s.poolId })) });
  }
  scorer.forget(new Set(book.chains.keys()));
  return { unitsByPool, prefetchInputs };
}
