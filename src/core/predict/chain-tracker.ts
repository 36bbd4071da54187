/**
 * Turns a stream of execution events into step transitions: a chain's steps ordered by start time,
 * each new start being the "next step" of the steps that started before it (seeds 001, 002).
 */
import type { ExecutionEvent } from '../model/events.js';

/** Context symbol used before a chain's first step (so the first step is predictable too). */
export const START_SYMBOL = '\u0002start';

/** JSON form of a {@link ChainTracker}. */
export interface TrackerJson {
  readonly idleSec: number;
  readonly chains: ReadonlyArray<{
    readonly id: string;
    readonly workflow: string;
    readonly principal?: string;
    readonly channel?: string;
    readonly lastEventSec: number;
    readonly steps: ReadonlyArray<readonly [string, string, number, number | null]>;
  }>;
}

/** One observed transition: `history` (oldest first) was followed by a step of type `next`. */
export interface Transition {
  readonly chainId: string;
  readonly workflow: string;
  readonly principal?: string;
  readonly channel?: string;
  /** Task types that started before `next`, oldest first (may be empty for a first step). */
  readonly history: readonly string[];
  readonly next: string;
  /** Type of the chain's step that finished last before `next` started, if any. */
  readonly lastFinished?: string;
  /** Epoch seconds `next` started. */
  readonly atSec: number;
  /** Start of the step before `next` (epoch seconds), absent for a first step. */
  readonly prevStartedAtSec?: number;
  /** End of the step before `next` when it had finished by then (epoch seconds). */
  readonly prevFinishedAtSec?: number;
}

interface TrackedStep {
  readonly taskId: string;
  readonly taskType: string;
  readonly startedAtSec: number;
  finishedAtSec?: number;
}

interface TrackedChain {
  readonly workflow: string;
  principal?: string;
  channel?: string;
  readonly steps: TrackedStep[];
  readonly byTaskId: Map<string, TrackedStep>;
  lastEventSec: number;
}

/**
 * Follows open chains. A repeated `started` for the same task id (a retry) is not a new step.
 * Chains with no event for `idleSec` are forgotten to bound memory.
 */
export class ChainTracker {
  private readonly chains = new Map<string, TrackedChain>();

  /** @param idleSec seconds without events after which a chain is dropped (default 2 days) */
  constructor(private readonly idleSec = 2 * 86_400) {}

  /**
   * Sorts `events` by `atSec` (stable, so same-second events keep their order) and feeds them in.
   * @returns the transitions the `started` events produced, in time order
   */
  ingest(events: readonly ExecutionEvent[]): Transition[] {
    const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atSec - b.e.atSec || a.i - b.i);
    const out: Transition[] = [];
    for (const { e } of sorted) {
      const t = this.ingestOne(e);
      if (t) out.push(t);
    }
    if (sorted.length > 0) this.prune(sorted[sorted.length - 1].e.atSec);
    return out;
  }

  /** Task types started so far in `chainId`, oldest first (empty when unknown). */
  historyOf(chainId: string): string[] {
    return this.chains.get(chainId)?.steps.map((s) => s.taskType) ?? [];
  }

  /** Number of chains being followed. */
  get size(): number {
    return this.chains.size;
  }

  private ingestOne(e: ExecutionEvent): Transition | undefined {
    let chain = this.chains.get(e.chainId);
    if (!chain) {
      chain = { workflow: e.workflow, principal: e.principal, channel: e.channel, steps: [], byTaskId: new Map(), lastEventSec: e.atSec };
      this.chains.set(e.chainId, chain);
    }
    chain.lastEventSec = Math.max(chain.lastEventSec, e.atSec);
    chain.principal ??= e.principal;
    chain.channel ??= e.channel;
    if (e.kind === 'finished' || e.kind === 'failed') {
      const step = chain.byTaskId.get(e.taskId);
      if (step && step.finishedAtSec === undefined) step.finishedAtSec = e.atSec;
      return undefined;
    }
    if (e.kind !== 'started' || chain.byTaskId.has(e.taskId)) return undefined;
    const prev = chain.steps[chain.steps.length - 1];
    let lastFinished: TrackedStep | undefined;
    for (const s of chain.steps) {
      if (s.finishedAtSec !== undefined && s.finishedAtSec <= e.atSec && (!lastFinished || s.finishedAtSec >= lastFinished.finishedAtSec!)) lastFinished = s;
    }
    const transition: Transition = {
      chainId: e.chainId,
      workflow: chain.workflow,
      principal: chain.principal,
      channel: chain.channel,
      history: chain.steps.map((s) => s.taskType),
      next: e.taskType,
      lastFinished: lastFinished?.taskType,
      atSec: e.atSec,
      prevStartedAtSec: prev?.startedAtSec,
      prevFinishedAtSec: prev?.finishedAtSec,
    };
    const step: TrackedStep = { taskId: e.taskId, taskType: e.taskType, startedAtSec: e.atSec };
    chain.steps.push(step);
    chain.byTaskId.set(e.taskId, step);
    return transition;
  }

  /** Plain-data form of the open chains (so a restored model continues their histories). */
  toJSON(): TrackerJson {
    return {
      idleSec: this.idleSec,
      chains: [...this.chains.entries()].map(([id, c]) => ({
        id,
        workflow: c.workflow,
        principal: c.principal,
        channel: c.channel,
        lastEventSec: c.lastEventSec,
        steps: c.steps.map((s) => [s.taskId, s.taskType, s.startedAtSec, s.finishedAtSec ?? null] as [string, string, number, number | null]),
      })),
    };
  }

  /** Restores {@link ChainTracker.toJSON} output; a missing value gives an empty tracker. */
  static fromJSON(json: TrackerJson | undefined): ChainTracker {
    const t = new ChainTracker(json?.idleSec);
    for (const c of json?.chains ?? []) {
      const steps: TrackedStep[] = c.steps.map(([taskId, taskType, startedAtSec, fin]) => ({ taskId, taskType, startedAtSec, ...(fin === null ? {} : { finishedAtSec: fin }) }));
      t.chains.set(c.id, { workflow: c.workflow, principal: c.principal, channel: c.channel, lastEventSec: c.lastEventSec, steps, byTaskId: new Map(steps.map((s) => [s.taskId, s])) });
    }
    return t;
  }

  private prune(nowSec: number): void {
    for (const [id, c] of this.chains) if (nowSec - c.lastEventSec > this.idleSec) this.chains.delete(id);
  }
}
