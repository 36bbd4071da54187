/**
 * A workflow's historical fingerprint (seed 001 §2): the execution graph reconstructed from the
 * execution events of a rolling window (core/predict/graph.ts: per task type the runtime, vCPU and
 * memory distributions; per edge the transition probability, start-to-start delay and data size), with
 * its frequent paths and prefetch bundles (core/predict/mining.ts), and per task type the runtime
 * estimates a planner can use in place of a task definition's static ones.
 */
import type { ExecutionEvent } from '../model/events.js';
import type { WorkflowTrace } from '../signals/wfformat.js';
import { reconstructGraph, WINDOW_7_DAYS_SEC, type GraphEdge, type GraphNode } from './graph.js';
import { frequentPaths, mineBundles, type FrequentPath, type MinedBundle } from './mining.js';

/** The fingerprint of one workflow over `[fromSec, toSec)`. */
export interface WorkflowFingerprint {
  readonly workflow: string;
  readonly fromSec: number;
  readonly toSec: number;
  readonly windowSec: number;
  /** Chains of the workflow with a step started in the window. */
  readonly chains: number;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Frequent contiguous paths (support ≥ 0.5). */
  readonly paths: readonly FrequentPath[];
  /** Task types prepared together with a root (confidence ≥ 0.9, at least 3 chains). */
  readonly bundles: readonly MinedBundle[];
  /** True for the controller's persisted fingerprint (core/predict/fingerprint-book.ts: no paths, bundles, vCPU or memory). */
  readonly persisted?: boolean;
}

/** Runtime estimate of one task type from a fingerprint, seconds. */
export interface RuntimeEstimate {
  readonly runs: number;
  readonly meanSec: number;
  readonly p50Sec: number;
  readonly p95Sec: number;
}

/**
 * The fingerprint of `workflow` over the window `[nowSec − windowSec, nowSec)` of `events`.
 * @throws InputError for a bad window
 */
export function workflowFingerprint(events: readonly ExecutionEvent[], workflow: string, nowSec: number, windowSec = WINDOW_7_DAYS_SEC): WorkflowFingerprint {
  const mine = events.filter((e) => e.workflow === workflow && e.atSec >= nowSec - windowSec && e.atSec < nowSec);
  const g = reconstructGraph(mine, nowSec, windowSec);
  return {
    workflow, fromSec: g.fromSec, toSec: g.toSec, windowSec, chains: g.chains, nodes: g.nodes, edges: g.edges,
    paths: frequentPaths(mine, { minSupport: 0.5 }), bundles: mineBundles(mine, { minConfidence: 0.9, minChains: 3 }),
  };
}

/** Per task type with at least `minRuns` measured runtimes: mean, p50 and p95 runtime, seconds. */
export function runtimeEstimates(fp: WorkflowFingerprint, minRuns = 5): Map<string, RuntimeEstimate> {
  const out = new Map<string, RuntimeEstimate>();
  for (const n of fp.nodes) {
    if (n.runtimeSec.count < minRuns) continue;
    out.set(n.taskType, { runs: n.runtimeSec.count, meanSec: n.runtimeSec.mean, p50Sec: n.runtimeSec.p50, p95Sec: n.runtimeSec.p95 });
  }
  return out;
}

/**
 * Execution events of WfCommons traces (one chain per trace, each anchored at `t0Sec` plus its
 * recorded start offsets): started and finished per task, with vCPU, memory and output bytes.
 */
export function traceEvents(traces: readonly WorkflowTrace[], t0Sec = 0): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  for (const t of traces) {
    for (const x of t.executions) {
      const base = { chainId: t.id, workflow: t.workflowName, taskId: x.taskId, taskType: x.taskType, vcpu: x.vcpu, memoryGiB: x.memoryGiB };
      out.push({ ...base, kind: 'started', atSec: t0Sec + x.startOffsetSec });
      out.push({ ...base, kind: 'finished', atSec: t0Sec + x.endOffsetSec, runtimeSec: x.runtimeSec, ...(x.outputBytes !== undefined ? { outputBytes: x.outputBytes } : {}) });
    }
  }
  return out.sort((a, b) => a.atSec - b.atSec || (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : 0) || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}
