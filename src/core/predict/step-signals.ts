/**
 * Seed 001's augmented signals: per chain and step, the timestamps of every state change kept as
 * arrays (the "timestamp array" per signal), progress intensities alongside, and the step's outcome.
 */
import type { ExecutionEvent } from '../model/events.js';

/** All signals of one step (a task of a chain). Times are epoch seconds, in arrival order. */
export interface StepSignals {
  readonly taskId: string;
  readonly taskType: string;
  readonly startedAtSec: number[];
  readonly finishedAtSec: number[];
  readonly failedAtSec: number[];
  /** Progress reports: `atSec[i]` had `intensity[i]` (0..1). */
  readonly progress: { readonly atSec: number[]; readonly intensity: number[] };
  /** Bytes produced (last report), when known. */
  outputBytes?: number;
  vcpu?: number;
  memoryGiB?: number;
}

/** One chain's steps in start order (a step that never started sorts last by its first signal). */
export interface ChainSignals {
  readonly chainId: string;
  readonly workflow: string;
  readonly principal?: string;
  readonly channel?: string;
  readonly steps: StepSignals[];
}

/** First start of a step, or Infinity when it never started. */
export function firstStartSec(s: StepSignals): number {
  return s.startedAtSec.length > 0 ? s.startedAtSec[0] : Number.POSITIVE_INFINITY;
}

/** Runtime of a step: last finish − first start, seconds; undefined unless both are known. */
export function runtimeSecOf(s: StepSignals): number | undefined {
  if (s.startedAtSec.length === 0 || s.finishedAtSec.length === 0) return undefined;
  return Math.max(0, s.finishedAtSec[s.finishedAtSec.length - 1] - s.startedAtSec[0]);
}

/**
 * Groups events by chain and step. Chains are returned in order of their first event (ties by chain
 * id); steps in order of first start (ties by task id). `submitted` events only open the chain.
 */
export function groupSignals(events: readonly ExecutionEvent[]): ChainSignals[] {
  const chains = new Map<string, { c: ChainSignals; first: number; byTask: Map<string, StepSignals> }>();
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atSec - b.e.atSec || a.i - b.i);
  for (const { e } of sorted) {
    let entry = chains.get(e.chainId);
    if (!entry) {
      entry = { c: { chainId: e.chainId, workflow: e.workflow, principal: e.principal, channel: e.channel, steps: [] }, first: e.atSec, byTask: new Map() };
      chains.set(e.chainId, entry);
    }
    if (e.kind === 'submitted') continue;
    let s = entry.byTask.get(e.taskId);
    if (!s) {
      s = { taskId: e.taskId, taskType: e.taskType, startedAtSec: [], finishedAtSec: [], failedAtSec: [], progress: { atSec: [], intensity: [] } };
      entry.byTask.set(e.taskId, s);
      entry.c.steps.push(s);
    }
    if (e.kind === 'started') s.startedAtSec.push(e.atSec);
    else if (e.kind === 'finished') s.finishedAtSec.push(e.atSec);
    else if (e.kind === 'failed') s.failedAtSec.push(e.atSec);
    else if (e.kind === 'progress') {
      s.progress.atSec.push(e.atSec);
      s.progress.intensity.push(Math.min(1, Math.max(0, e.intensity ?? 0)));
    }
    if (e.outputBytes !== undefined) s.outputBytes = e.outputBytes;
    if (e.vcpu !== undefined) s.vcpu = e.vcpu;
    if (e.memoryGiB !== undefined) s.memoryGiB = e.memoryGiB;
  }
  const out = [...chains.values()].sort((a, b) => a.first - b.first || (a.c.chainId < b.c.chainId ? -1 : 1)).map((x) => x.c);
  for (const c of out) c.steps.sort((a, b) => firstStartSec(a) - firstStartSec(b) || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
  return out;
}
