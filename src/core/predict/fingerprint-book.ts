/**
 * The persisted historical fingerprint (seed 001 §2, issue 22): per workflow the execution graph —
 * per task type the runs, failures and runtime distribution; per edge (consecutively started steps
 * of a chain) the transitions, start-to-start delay and data size of the source step's output —
 * rebuilt online from the tick's execution events over a rolling window (e.g. 7 or 30 days).
 *
 * The state is plain JSON ({@link FingerprintBookState}) so the tick's state store can hold it:
 * aggregates are kept per day bucket (`bucketSec`) and the window drops whole buckets, so eviction
 * costs nothing per event; distributions are sparse log-spaced histograms (bin ratio
 * {@link HIST_RATIO}, so a quantile is within ±5 % of the sample's), mergeable across buckets. The
 * same graph as core/predict/graph.ts `reconstructGraph` over the window, up to the histograms'
 * resolution and to the bucket granularity of the window's start.
 */
import type { ExecutionEvent } from '../model/events.js';
import { InputError } from '../model/errors.js';
import type { SampleSummary } from './graph.js';
import type { WorkflowFingerprint } from './fingerprint.js';

/** Ratio between consecutive histogram bin edges (±5 % quantile resolution). */
export const HIST_RATIO = 1.1;
/** Lower edge of the first histogram bin (values at or below it share bin 0). */
export const HIST_MIN = 1e-3;
const LOG_RATIO = Math.log(HIST_RATIO);

/** A sparse log-spaced histogram: count, sum and bin index → count. */
export interface Histogram {
  n: number;
  sum: number;
  bins: Record<string, number>;
}

/** Aggregates of one task type in one bucket. */
export interface NodeAgg {
  runs: number;
  failures: number;
  runtimeSec: Histogram;
}

/** Aggregates of one edge in one bucket. */
export interface EdgeAgg {
  transitions: number;
  delaySec: Histogram;
  dataBytes: Histogram;
}

/** One workflow's aggregates in one bucket. */
export interface WorkflowAgg {
  chains: number;
  nodes: Record<string, NodeAgg>;
  /** Keyed `from → to` joined by U+0001. */
  edges: Record<string, EdgeAgg>;
}

/** One day (bucket) of aggregates. */
export interface BucketAgg {
  readonly startSec: number;
  workflows: Record<string, WorkflowAgg>;
}

/** A chain with steps seen recently (for edges, runtimes and data sizes that span ticks). */
export interface OpenChain {
  readonly workflow: string;
  lastSec: number;
  /** The most recently started step. */
  last?: string;
  steps: Record<string, { type: string; startSec: number; next?: string; bytes?: number; done?: boolean }>;
}

/** The book's whole state (plain JSON). */
export interface FingerprintBookState {
  readonly version: 1;
  readonly bucketSec: number;
  readonly windowSec: number;
  /** Events before this second were counted already (a restarted tick re-reads its window). */
  throughSec: number | null;
  buckets: BucketAgg[];
  open: Record<string, OpenChain>;
}

/** Settings of the book. */
export interface FingerprintBookOptions {
  /** Rolling window, seconds. @default 7 days */
  readonly windowSec?: number;
  /** Bucket (eviction granularity), seconds. @default 86400 */
  readonly bucketSec?: number;
  /** A chain quiet this long is closed (its pending edges forgotten), seconds. @default 86400 */
  readonly openChainTtlSec?: number;
}

/** Runtime estimate of a task type, seconds. */
export interface FingerprintRuntime {
  readonly runs: number;
  readonly meanSec: number;
  readonly p50Sec: number;
  readonly p95Sec: number;
}

/** One outgoing edge of a task type: probability and delay, for the next-step prior. */
export interface FingerprintSuccessor {
  readonly taskType: string;
  readonly probability: number;
  readonly transitions: number;
  /** Median start-to-start delay, seconds. */
  readonly delayP50Sec: number;
}

function emptyHist(): Histogram {
  return { n: 0, sum: 0, bins: {} };
}

function binOf(x: number): number {
  return x <= HIST_MIN ? 0 : Math.max(0, Math.floor(Math.log(x / HIST_MIN) / LOG_RATIO) + 1);
}

function binValue(b: number): number {
  // the bin's geometric middle (bin 0: the floor)
  return b === 0 ? 0 : HIST_MIN * HIST_RATIO ** (b - 0.5);
}

function addHist(h: Histogram, x: number): void {
  if (!Number.isFinite(x) || x < 0) return;
  h.n++;
  h.sum += x;
  const k = String(binOf(x));
  h.bins[k] = (h.bins[k] ?? 0) + 1;
}

function mergeInto(into: Histogram, h: Histogram): void {
  into.n += h.n;
  into.sum += h.sum;
  for (const [k, c] of Object.entries(h.bins)) into.bins[k] = (into.bins[k] ?? 0) + c;
}

/** Quantile `q` of a histogram (the middle of the bin holding it); NaN when empty. */
export function histQuantile(h: Histogram, q: number): number {
  if (h.n === 0) return Number.NaN;
  const bins = Object.entries(h.bins).map(([k, c]) => [Number(k), c] as const).sort((a, b) => a[0] - b[0]);
  const target = q * (h.n - 1);
  let acc = 0;
  for (const [b, c] of bins) {
    acc += c;
    if (acc > target) return binValue(b);
  }
  return binValue(bins[bins.length - 1][0]);
}

function summaryOf(h: Histogram): SampleSummary {
  return { count: h.n, mean: h.n > 0 ? h.sum / h.n : Number.NaN, p10: histQuantile(h, 0.1), p50: histQuantile(h, 0.5), p90: histQuantile(h, 0.9), p95: histQuantile(h, 0.95) };
}

const SEP = '\u0001';

/**
 * See the module comment. Feed events in time order with {@link observe}; read with
 * {@link fingerprint}, {@link runtime} and {@link successors}; persist {@link state}.
 */
export class FingerprintBook {
  private s: FingerprintBookState;
  private readonly ttlSec: number;
  private cache = new Map<string, unknown>();

  /**
   * @param state a saved state (its window and bucket win over `opts` only when they agree; a state
   *   saved with another window or bucket is rebuilt from scratch)
   * @throws InputError for a window or bucket that is not a positive number of seconds
   */
  constructor(opts: FingerprintBookOptions = {}, state?: FingerprintBookState) {
    const windowSec = opts.windowSec ?? 7 * 86_400;
    const bucketSec = opts.bucketSec ?? 86_400;
    if (!(Number.isFinite(windowSec) && windowSec > 0)) throw new InputError({ field: 'fingerprint.windowDays' }, windowSec / 86_400, 'a positive number of days (e.g. 7 or 30)');
    if (!(Number.isInteger(bucketSec) && bucketSec > 0)) throw new InputError({ field: 'fingerprint.bucketSec' }, bucketSec, 'a positive whole number of seconds');
    this.ttlSec = opts.openChainTtlSec ?? 86_400;
    const usable = state && state.version === 1 && state.windowSec === windowSec && state.bucketSec === bucketSec;
    this.s = usable ? structuredClone(state) : { version: 1, bucketSec, windowSec, throughSec: null, buckets: [], open: {} };
  }

  /** The state to persist (plain JSON; a copy). */
  state(): FingerprintBookState {
    return structuredClone(this.s);
  }

  /** Seconds up to which events were counted, or null. */
  get throughSec(): number | null {
    return this.s.throughSec;
  }

  private bucket(atSec: number): BucketAgg {
    const startSec = Math.floor(atSec / this.s.bucketSec) * this.s.bucketSec;
    const bs = this.s.buckets;
    let b = bs.length > 0 && bs[bs.length - 1].startSec === startSec ? bs[bs.length - 1] : bs.find((x) => x.startSec === startSec);
    if (!b) {
      b = { startSec, workflows: {} };
      bs.push(b);
      bs.sort((x, y) => x.startSec - y.startSec);
    }
    return b;
  }

  private wf(atSec: number, workflow: string): WorkflowAgg {
    const b = this.bucket(atSec);
    return (b.workflows[workflow] ??= { chains: 0, nodes: {}, edges: {} });
  }

  private node(atSec: number, workflow: string, type: string): NodeAgg {
    const w = this.wf(atSec, workflow);
    return (w.nodes[type] ??= { runs: 0, failures: 0, runtimeSec: emptyHist() });
  }

  private edge(atSec: number, workflow: string, from: string, to: string): EdgeAgg {
    const w = this.wf(atSec, workflow);
    return (w.edges[`${from}${SEP}${to}`] ??= { transitions: 0, delaySec: emptyHist(), dataBytes: emptyHist() });
  }

  /**
   * Counts `events` (time order) with `atSec` in `[throughSec, nowSec)`, then evicts buckets that left
   * the window `[nowSec − windowSec, nowSec)` and chains quiet for the open-chain TTL.
   */
  observe(events: readonly ExecutionEvent[], nowSec: number): void {
    const from = this.s.throughSec ?? -Infinity;
    let changed = false;
    for (const e of events) {
      if (e.atSec < from || e.atSec >= nowSec) continue;
      changed = true;
      let c = this.s.open[e.chainId];
      if (!c) {
        c = { workflow: e.workflow, lastSec: e.atSec, steps: {} };
        this.s.open[e.chainId] = c;
      }
      c.lastSec = e.atSec;
      const step = c.steps[e.taskId];
      if (e.kind === 'started') {
        if (step) continue; // a retry of a step already started: one run, one edge
        if (Object.keys(c.steps).length === 0) this.wf(e.atSec, e.workflow).chains++;
        this.node(e.atSec, e.workflow, e.taskType).runs++;
        const prev = c.last !== undefined ? c.steps[c.last] : undefined;
        if (prev) {
          const ed = this.edge(e.atSec, e.workflow, prev.type, e.taskType);
          ed.transitions++;
          addHist(ed.delaySec, e.atSec - prev.startSec);
          if (prev.bytes !== undefined) addHist(ed.dataBytes, prev.bytes);
          prev.next = e.taskType;
        }
        c.steps[e.taskId] = { type: e.taskType, startSec: e.atSec };
        c.last = e.taskId;
      } else if (e.kind === 'finished' && step && !step.done) {
        step.done = true;
        const rt = e.runtimeSec ?? e.atSec - step.startSec;
        addHist(this.node(e.atSec, e.workflow, step.type).runtimeSec, rt);
        if (e.outputBytes !== undefined) {
          step.bytes = e.outputBytes;
          // the edge out of this step was counted before its output size was known
          if (step.next !== undefined) addHist(this.edge(e.atSec, e.workflow, step.type, step.next).dataBytes, e.outputBytes);
        }
      } else if (e.kind === 'failed' && step && !step.done) {
        this.node(e.atSec, e.workflow, step.type).failures++;
      }
    }
    this.s.throughSec = this.s.throughSec === null ? nowSec : Math.max(this.s.throughSec, nowSec);
    const evicted = this.evict(nowSec);
    if (changed || evicted) this.cache.clear();
  }

  private evict(nowSec: number): boolean {
    const fromSec = nowSec - this.s.windowSec;
    const before = this.s.buckets.length;
    this.s.buckets = this.s.buckets.filter((b) => b.startSec + this.s.bucketSec > fromSec);
    let closed = false;
    for (const [id, c] of Object.entries(this.s.open)) {
      if (c.lastSec < nowSec - this.ttlSec) { delete this.s.open[id]; closed = true; }
    }
    return this.s.buckets.length !== before || closed;
  }

  /** Workflows with aggregates in the window, sorted. */
  workflows(): string[] {
    const out = new Set<string>();
    for (const b of this.s.buckets) for (const w of Object.keys(b.workflows)) out.add(w);
    return [...out].sort();
  }

  private merged(workflow: string): { chains: number; nodes: Map<string, NodeAgg>; edges: Map<string, EdgeAgg> } {
    const key = `m${SEP}${workflow}`;
    const hit = this.cache.get(key) as ReturnType<FingerprintBook['merged']> | undefined;
    if (hit) return hit;
    const nodes = new Map<string, NodeAgg>();
    const edges = new Map<string, EdgeAgg>();
    let chains = 0;
    for (const b of this.s.buckets) {
      const w = b.workflows[workflow];
      if (!w) continue;
      chains += w.chains;
      for (const [t, n] of Object.entries(w.nodes)) {
        const m = nodes.get(t) ?? { runs: 0, failures: 0, runtimeSec: emptyHist() };
        m.runs += n.runs; m.failures += n.failures; mergeInto(m.runtimeSec, n.runtimeSec);
        nodes.set(t, m);
      }
      for (const [k, e] of Object.entries(w.edges)) {
        const m = edges.get(k) ?? { transitions: 0, delaySec: emptyHist(), dataBytes: emptyHist() };
        m.transitions += e.transitions; mergeInto(m.delaySec, e.delaySec); mergeInto(m.dataBytes, e.dataBytes);
        edges.set(k, m);
      }
    }
    const out = { chains, nodes, edges };
    this.cache.set(key, out);
    return out;
  }

  /**
   * The runtime estimate of `taskType` in `workflow` over the window, when it has at least `minRuns`
   * measured runtimes.
   */
  runtime(workflow: string, taskType: string, minRuns = 1): FingerprintRuntime | undefined {
    const key = `r${SEP}${workflow}${SEP}${taskType}`;
    let r = this.cache.get(key) as FingerprintRuntime | null | undefined;
    if (r === undefined) {
      const n = this.merged(workflow).nodes.get(taskType);
      r = n && n.runtimeSec.n > 0 ? { runs: n.runtimeSec.n, meanSec: n.runtimeSec.sum / n.runtimeSec.n, p50Sec: histQuantile(n.runtimeSec, 0.5), p95Sec: histQuantile(n.runtimeSec, 0.95) } : null;
      this.cache.set(key, r);
    }
    return r && r.runs >= Math.max(1, minRuns) ? r : undefined;
  }

  /** The edges out of `taskType` in `workflow`, most likely first (ties by name). */
  successors(workflow: string, taskType: string): FingerprintSuccessor[] {
    const key = `s${SEP}${workflow}${SEP}${taskType}`;
    const hit = this.cache.get(key) as FingerprintSuccessor[] | undefined;
    if (hit) return hit;
    const m = this.merged(workflow);
    const outs: Array<{ to: string; e: EdgeAgg }> = [];
    for (const [k, e] of m.edges) {
      const [from, to] = k.split(SEP);
      if (from === taskType) outs.push({ to, e });
    }
    const total = outs.reduce((s, o) => s + o.e.transitions, 0);
    const out = outs
      .map((o) => ({ taskType: o.to, probability: total > 0 ? o.e.transitions / total : 0, transitions: o.e.transitions, delayP50Sec: histQuantile(o.e.delaySec, 0.5) }))
      .sort((a, b) => b.probability - a.probability || (a.taskType < b.taskType ? -1 : a.taskType > b.taskType ? 1 : 0));
    this.cache.set(key, out);
    return out;
  }

  /**
   * The persisted fingerprint of `workflow` at `nowSec` in the shape `prescale signals` shows
   * (core/predict/fingerprint.ts; vCPU and memory are not kept, frequent paths and bundles are mined
   * by the bundle book, not here: those fields are empty).
   */
  fingerprint(workflow: string, nowSec: number): WorkflowFingerprint {
    const m = this.merged(workflow);
    const outgoing = new Map<string, number>();
    for (const [k, e] of m.edges) { const from = k.split(SEP)[0]; outgoing.set(from, (outgoing.get(from) ?? 0) + e.transitions); }
    const none: SampleSummary = { count: 0, mean: Number.NaN, p10: Number.NaN, p50: Number.NaN, p90: Number.NaN, p95: Number.NaN };
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return {
      workflow, fromSec: nowSec - this.s.windowSec, toSec: nowSec, windowSec: this.s.windowSec, chains: m.chains,
      nodes: [...m.nodes.entries()].sort((a, b) => byName(a[0], b[0])).map(([t, n]) => ({ workflow, taskType: t, runs: n.runs, failures: n.failures, runtimeSec: summaryOf(n.runtimeSec), vcpu: none, memoryGiB: none })),
      edges: [...m.edges.entries()].sort((a, b) => byName(a[0], b[0])).map(([k, e]) => {
        const [from, to] = k.split(SEP);
        return { workflow, from, to, transitions: e.transitions, probability: e.transitions / (outgoing.get(from) ?? e.transitions), delaySec: summaryOf(e.delaySec), dataBytes: summaryOf(e.dataBytes) };
      }),
      paths: [], bundles: [], persisted: true,
    };
  }
}
