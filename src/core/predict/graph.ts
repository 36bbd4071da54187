/**
 * Execution-graph reconstruction from step signals over a rolling window (seed 001 §2, seed 004 §1):
 * nodes are task types with run, failure, runtime and resource statistics; edges are transitions
 * between consecutively started steps with their counts, conditional probability, start-to-start
 * delay distribution and the data size the source step produced.
 */
import type { ExecutionEvent } from '../model/events.js';
import { InputError } from '../model/errors.js';
import { mean, quantile } from './delays.js';
import { groupSignals, firstStartSec, runtimeSecOf, type ChainSignals } from './step-signals.js';

/** Rolling windows the seed names, seconds. */
export const WINDOW_7_DAYS_SEC = 7 * 86_400;
/** @see WINDOW_7_DAYS_SEC */
export const WINDOW_30_DAYS_SEC = 30 * 86_400;

/** Summary of a sample: count, mean and quantiles (NaN fields when empty). */
export interface SampleSummary {
  readonly count: number;
  readonly mean: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
}

/** One task type of one workflow. */
export interface GraphNode {
  readonly workflow: string;
  readonly taskType: string;
  /** Steps of this type that started in the window. */
  readonly runs: number;
  /** Of those, how many reported `failed`. */
  readonly failures: number;
  readonly runtimeSec: SampleSummary;
  /** vCPUs reported by the steps. */
  readonly vcpu: SampleSummary;
  /** Memory reported by the steps, GiB. */
  readonly memoryGiB: SampleSummary;
}

/** A transition `from → to` between consecutively started steps of the same chain. */
export interface GraphEdge {
  readonly workflow: string;
  readonly from: string;
  readonly to: string;
  readonly transitions: number;
  /** `transitions` ÷ all transitions leaving `from`, 0..1. */
  readonly probability: number;
  /** Start-to-start delay, seconds. */
  readonly delaySec: SampleSummary;
  /** Bytes the `from` step produced, when reported. */
  readonly dataBytes: SampleSummary;
}

/** The reconstructed graph of a window `[fromSec, toSec)`. Nodes and edges sorted by name. */
export interface ExecutionGraph {
  readonly fromSec: number;
  readonly toSec: number;
  /** Chains with at least one step started in the window. */
  readonly chains: number;
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/** Summarises `xs` (count, mean, p10, p50, p90, p95). */
export function summarise(xs: readonly number[]): SampleSummary {
  return { count: xs.length, mean: mean(xs), p10: quantile(xs, 0.1), p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), p95: quantile(xs, 0.95) };
}

/**
 * Keeps the events of `[nowSec − windowSec, nowSec)` and groups them into chains.
 * @throws InputError when `windowSec` is not a positive finite number
 */
export function chainsInWindow(events: readonly ExecutionEvent[], nowSec: number, windowSec: number): ChainSignals[] {
  if (!Number.isFinite(windowSec) || windowSec <= 0) throw new InputError({ field: 'windowSec' }, windowSec, 'a positive number of seconds (e.g. 604800 for 7 days)');
  const from = nowSec - windowSec;
  return groupSignals(events.filter((e) => e.atSec >= from && e.atSec < nowSec));
}

/**
 * Reconstructs the execution graph of the window ending at `nowSec`.
 * @param windowSec rolling window length, e.g. {@link WINDOW_7_DAYS_SEC} or {@link WINDOW_30_DAYS_SEC}
 * @throws InputError for a bad window
 */
export function reconstructGraph(events: readonly ExecutionEvent[], nowSec: number, windowSec = WINDOW_7_DAYS_SEC): ExecutionGraph {
  const chains = chainsInWindow(events, nowSec, windowSec);
  const nodes = new Map<string, { workflow: string; taskType: string; runs: number; failures: number; runtime: number[]; vcpu: number[]; mem: number[] }>();
  const edges = new Map<string, { workflow: string; from: string; to: string; n: number; delay: number[]; bytes: number[] }>();
  const outgoing = new Map<string, number>();
  let chainCount = 0;
  for (const c of chains) {
    const started = c.steps.filter((s) => s.startedAtSec.length > 0);
    if (started.length > 0) chainCount++;
    started.forEach((s, i) => {
      const nk = `${c.workflow}\u0001${s.taskType}`;
      let n = nodes.get(nk);
      if (!n) nodes.set(nk, (n = { workflow: c.workflow, taskType: s.taskType, runs: 0, failures: 0, runtime: [], vcpu: [], mem: [] }));
      n.runs++;
      if (s.failedAtSec.length > 0) n.failures++;
      const rt = runtimeSecOf(s);
      if (rt !== undefined) n.runtime.push(rt);
      if (s.vcpu !== undefined) n.vcpu.push(s.vcpu);
      if (s.memoryGiB !== undefined) n.mem.push(s.memoryGiB);
      const next = started[i + 1];
      if (!next) return;
      const ek = `${nk}\u0001${next.taskType}`;
      let e = edges.get(ek);
      if (!e) edges.set(ek, (e = { workflow: c.workflow, from: s.taskType, to: next.taskType, n: 0, delay: [], bytes: [] }));
      e.n++;
      e.delay.push(firstStartSec(next) - firstStartSec(s));
      if (s.outputBytes !== undefined) e.bytes.push(s.outputBytes);
      outgoing.set(nk, (outgoing.get(nk) ?? 0) + 1);
    });
  }
  const byName = <T extends { workflow: string }>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    fromSec: nowSec - windowSec,
    toSec: nowSec,
    chains: chainCount,
    nodes: [...nodes.values()]
      .map((n) => ({ workflow: n.workflow, taskType: n.taskType, runs: n.runs, failures: n.failures, runtimeSec: summarise(n.runtime), vcpu: summarise(n.vcpu), memoryGiB: summarise(n.mem) }))
      .sort(byName((n) => `${n.workflow}\u0001${n.taskType}`)),
    edges: [...edges.values()]
      .map((e) => ({ workflow: e.workflow, from: e.from, to: e.to, transitions: e.n, probability: e.n / (outgoing.get(`${e.workflow}\u0001${e.from}`) ?? e.n), delaySec: summarise(e.delay), dataBytes: summarise(e.bytes) }))
      .sort(byName((e) => `${e.workflow}\u0001${e.from}\u0001${e.to}`)),
  };
}
