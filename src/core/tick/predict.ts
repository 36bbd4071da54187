/**
 * The predict stage: the capacity each tracked chain will hold per pool and slot — from the workflow
 * DAG and the tasks' median runtimes (running steps until their expected finish, runnable steps from
 * now, blocked steps from when their dependencies are expected to finish; a fan-out's children all
 * count, where a next-step model names one task type), and beyond that from the NextStepModel
 * (probability × vCPU at the expected start) — with the model's top-1 scored against the step that
 * really started next, and offered to the pre-execution selection.
 */
import { taskTypeOf, type ExecutionEvent } from '../model/index.js';
import type { NextStepModel, NextStepPrediction } from '../predict/types.js';
import type { PrefetchChainInput } from '../prefetch/selection.js';
import type { ChainBook, StepRuntimeLookup, TrackedChain } from './chain-book.js';
import type { StageResult, TickMemory } from './memory.js';
import { drainedDemandUnits, type CapacityArrival, type DrainJob } from '../plan/queue-drain.js';

/** Top-1 hit counting. */
export interface HitCounter {
  predictions: number;
  hits: number;
}

/** Output of {@link predictSteps}. */
export interface PredictOutput {
  /** Expected units per pool per slot index of steps the next-step model predicts beyond the DAG's timings. */
  readonly unitsByPool: Map<string, number[]>;
  readonly prefetchInputs: PrefetchChainInput[];
  /**
   * Units per pool per slot of every step whose timing the workflow DAG gives (started, runnable and
   * blocked steps, from their expected start to their expected release; see ChainBook.schedule).
   */
  readonly committedByPool: Map<string, number[]>;
}

/** How known steps are drained (core/plan/queue-drain.ts `DrainOptions`), per pool. */
export interface PredictDrainOptions {
  /** Pending capacity per pool joining the ready capacity at its expected ready time. */
  readonly pendingByPool?: ReadonlyMap<string, readonly CapacityArrival[]>;
  /** Waiting steps count as the capacity draining them within this many seconds. @default full units */
  readonly drainToleranceSec?: number;
  /**
   * issue 22 (intensity): a running step with a trustworthy progress report is expected to end when
   * the report says (ChainBook.schedule), and the next-step model gets its fraction. @default true
   */
  readonly useProgress?: boolean | 'earlier';
  /** issue 22: measured runtimes (the persisted fingerprint's) in place of the definitions'. @default the definitions' */
  readonly runtimeOf?: StepRuntimeLookup;
}

/** Per-chain memory of the last top-1 prediction, scored when the next step starts. */
export class PredictionScorer {
  private readonly lastTop1 = new Map<string, string>();
  readonly counter: HitCounter = { predictions: 0, hits: 0 };

  /** The scorer as data: top-1 prediction per chain (insertion order) and the counter. */
  toJSON(): { readonly lastTop1: Array<[string, string]>; readonly counter: HitCounter } {
    return { lastTop1: [...this.lastTop1], counter: { ...this.counter } };
  }

  /** Rebuilds a scorer saved by {@link toJSON}. */
  static fromJSON(json: { readonly lastTop1: ReadonlyArray<readonly [string, string]>; readonly counter: HitCounter }): PredictionScorer {
    const s = new PredictionScorer();
    for (const [k, v] of json.lastTop1) s.lastTop1.set(k, v);
    s.counter.predictions = json.counter.predictions;
    s.counter.hits = json.counter.hits;
    return s;
  }

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
 * @param readyUnitsByPool ready capacity per pool, units: when given, a pool's committed units are
 *   its known steps list-scheduled on that capacity (core/plan `drainedDemandUnits`: a queue the pool
 *   drains before a launch could help is not launched for, one that outlasts a runtime is held
 *   longer); absent (or a pool not in it): every known step holds its vCPU from its expected start
 *   for its median runtime, as if capacity were unlimited
 * @param drain pending capacity and the drain tolerance of waiting steps (issue 19: known steps as
 *   the capacity will face them)
 */
export function predictSteps(
  book: ChainBook, model: NextStepModel, scorer: PredictionScorer, nowSec: number, slotSec: number, slots: number, topN: number,
  readyUnitsByPool?: ReadonlyMap<string, number>, drain: PredictDrainOptions = {},
): PredictOutput {
  const unitsByPool = new Map<string, number[]>();
  const committedByPool = new Map<string, number[]>();
  const prefetchInputs: PrefetchChainInput[] = [];
  const row = (m: Map<string, number[]>, poolId: string): number[] => {
    let arr = m.get(poolId);
    if (!arr) m.set(poolId, (arr = new Array<number>(slots).fill(0)));
    return arr;
  };
  const jobsByPool = new Map<string, DrainJob[]>();
  for (const c of book.chains.values()) {
    // from the DAG: every known step of the chain over the slots it is expected to hold capacity
    const scheduled = book.schedule(c, nowSec, drain.useProgress ?? true, drain.runtimeOf);
    const indexOf = new Map<string, { poolId: string; index: number }>();
    for (const t of scheduled.values()) {
      if (!readyUnitsByPool?.has(t.step.poolId)) continue;
      let jobs = jobsByPool.get(t.step.poolId);
      if (!jobs) jobsByPool.set(t.step.poolId, (jobs = []));
      indexOf.set(t.step.def.task_id, { poolId: t.step.poolId, index: jobs.length });
      const running = t.step.status === 'started';
      jobs.push({ readySec: t.startSec, durationSec: t.releaseSec === Infinity ? Infinity : t.releaseSec - t.startSec, units: t.step.def.resource_requirements.vcpu, running });
    }
    for (const t of scheduled.values()) {
      const me = indexOf.get(t.step.def.task_id);
      if (me) {
        // parents in the same pool: the drain starts the step no earlier than they end there
        const after = t.step.def.dependencies.map((d) => indexOf.get(d)).filter((x) => x?.poolId === me.poolId).map((x) => x!.index);
        if (after.length > 0) { const jobs = jobsByPool.get(me.poolId)!; jobs[me.index] = { ...jobs[me.index], after }; }
        continue;
      }
      const k0 = Math.max(0, Math.floor((t.startSec - nowSec) / slotSec));
      const k1 = t.releaseSec === Infinity ? slots : Math.min(slots, Math.ceil((t.releaseSec - nowSec) / slotSec));
      if (k0 >= k1) continue;
      const arr = row(committedByPool, t.step.poolId);
      for (let k = k0; k < k1; k++) arr[k] += t.step.def.resource_requirements.vcpu;
    }
    if (!c.running) continue;
    const preds = model.predict({ chainId: c.chainId, workflow: c.workflow, principal: c.principal, history: c.history, running: runningWithProgress(c, drain.useProgress ?? true), nowSec }, topN);
    scorer.remember(c.chainId, preds[0]);
    const future = book.futureSteps(c);
    // beyond the DAG's known timings, the steps the next-step model expects (probability × vCPU at the expected start)
    const used = new Set<string>();
    for (const p of preds) {
      const step = future.find((s) => taskTypeOf(s.def) === p.taskType && !used.has(s.def.task_id));
      if (!step) continue;
      used.add(step.def.task_id);
      if (scheduled.has(step.def.task_id)) continue;
      const k = Math.max(0, Math.floor(p.expectedStartInSec / slotSec));
      if (k < slots) row(unitsByPool, step.poolId)[k] += p.probability * step.def.resource_requirements.vcpu;
    }
    prefetchInputs.push({ chainId: c.chainId, workflow: c.workflow, predictions: preds, pendingSteps: future.map((s) => ({ task: s.def, poolId: s.poolId })) });
  }
  for (const [poolId, jobs] of jobsByPool) {
    const drained = drainedDemandUnits(jobs, readyUnitsByPool?.get(poolId) ?? 0, nowSec, slotSec, slots, {
      arrivals: drain.pendingByPool?.get(poolId) ?? [],
      ...(drain.drainToleranceSec !== undefined ? { drainToleranceSec: drain.drainToleranceSec } : {}),
    });
    const arr = row(committedByPool, poolId);
    drained.forEach((u, k) => { arr[k] += u; });
  }
  scorer.forget(new Set(book.chains.keys()));
  return { unitsByPool, committedByPool, prefetchInputs };
}

/** The chain's running step for the next-step model, with its progress fraction when `useProgress` and reported (issue 22). */
function runningWithProgress(c: TrackedChain, useProgress: boolean | 'earlier'): TrackedChain['running'] & { intensity?: number } | undefined {
  if (!c.running || !useProgress) return c.running;
  const r = c.running;
  const step = [...c.steps.values()].find((s) => s.status === 'started' && s.startedAtSec === r.startedAtSec && s.progress);
  return step?.progress ? { ...r, intensity: step.progress.fraction } : r;
}

/** Inputs of {@link predictStage}. */
export interface PredictInputs {
  readonly nowSec: number;
  readonly slotSec: number;
  readonly slots: number;
  /** Predictions per chain. */
  readonly topN: number;
  readonly nextStep: NextStepModel;
  /** Ready capacity per EC2 pool, units (see {@link predictSteps}). */
  readonly readyUnitsByPool: ReadonlyMap<string, number>;
  /** How known steps are drained: pending capacity per pool and the drain tolerance (issue 19). */
  readonly drain?: PredictDrainOptions;
}

/** The predict stage: {@link predictSteps} on the memory's chain book and scorer. */
export function predictStage(inputs: PredictInputs, memory: TickMemory): StageResult & PredictOutput {
  const out = predictSteps(memory.chains, inputs.nextStep, memory.scorer, inputs.nowSec, inputs.slotSec, inputs.slots, inputs.topN, inputs.readyUnitsByPool, inputs.drain);
  return { memory, commands: [], decisions: [], ...out };
}
