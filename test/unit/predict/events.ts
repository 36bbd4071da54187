/** Builders of execution events for next-step model tests. */
import type { ExecutionEvent } from '../../../src/core/model/index.js';

/** Options of {@link chainEvents}. */
export interface ChainSpec {
  readonly chainId: string;
  readonly workflow?: string;
  readonly principal?: string;
  readonly channel?: string;
  /** Task types in start order. */
  readonly steps: readonly string[];
  /** Epoch seconds of the first start. */
  readonly t0?: number;
  /** Seconds between consecutive starts (one value, or one per transition). */
  readonly gapSec?: number | readonly number[];
  /** Runtime of each step, seconds (finished events at start + runtime); default: gap. */
  readonly runtimeSec?: number;
}

/** Started and finished events of a linear chain, in time order. */
export function chainEvents(spec: ChainSpec): ExecutionEvent[] {
  const out: ExecutionEvent[] = [];
  let t = spec.t0 ?? 1_000_000;
  spec.steps.forEach((type, i) => {
    const gap = Array.isArray(spec.gapSec) ? (spec.gapSec as number[])[i] ?? 10 : ((spec.gapSec as number | undefined) ?? 10);
    const base = { chainId: spec.chainId, workflow: spec.workflow ?? 'wf', taskId: `${spec.chainId}-${i}`, taskType: type, principal: spec.principal, channel: spec.channel };
    out.push({ ...base, kind: 'started', atSec: t });
    out.push({ ...base, kind: 'finished', atSec: t + (spec.runtimeSec ?? gap) });
    t += gap;
  });
  return out.sort((a, b) => a.atSec - b.atSec);
}
