/**
 * Shared bookkeeping of next-step models: per-workflow edge delay samples and the keys they use.
 */
import { pushSample, type EdgeDelaySamples } from './delays.js';
import { START_SYMBOL, type Transition } from './chain-tracker.js';

/** Separator of composite keys (a control character that task names do not contain). */
export const SEP = '\u0001';

/** Key of the edge `from → to` within `workflow`. */
export function edgeKey(workflow: string, from: string, to: string): string {
  return `${workflow}${SEP}${from}${SEP}${to}`;
}

/** Delay samples per edge, keyed by {@link edgeKey}. Insertion-ordered for deterministic JSON. */
export class EdgeDelayTable {
  readonly byEdge = new Map<string, EdgeDelaySamples>();

  /** Records the delays of one transition (first steps are measured from nothing and are skipped). */
  record(t: Transition): void {
    const from = t.history.length > 0 ? t.history[t.history.length - 1] : START_SYMBOL;
    if (t.prevStartedAtSec === undefined) return;
    const key = edgeKey(t.workflow, from, t.next);
    let s = this.byEdge.get(key);
    if (!s) {
      s = { startToStartSec: [], finishToStartSec: [] };
      this.byEdge.set(key, s);
    }
    pushSample(s.startToStartSec, Math.max(0, t.atSec - t.prevStartedAtSec));
    if (t.prevFinishedAtSec !== undefined) pushSample(s.finishToStartSec, Math.max(0, t.atSec - t.prevFinishedAtSec));
  }

  /** Samples of `from → to` in `workflow`, if any. */
  get(workflow: string, from: string, to: string): EdgeDelaySamples | undefined {
    return this.byEdge.get(edgeKey(workflow, from, to));
  }

  /** Plain-data form for JSON. */
  toJSON(): Array<[string, EdgeDelaySamples]> {
    return [...this.byEdge.entries()];
  }

  /** Restores from {@link EdgeDelayTable.toJSON} output. */
  static fromJSON(entries: ReadonlyArray<readonly [string, EdgeDelaySamples]>): EdgeDelayTable {
    const t = new EdgeDelayTable();
    for (const [k, v] of entries) t.byEdge.set(k, { startToStartSec: [...v.startToStartSec], finishToStartSec: [...v.finishToStartSec] });
    return t;
  }
}
