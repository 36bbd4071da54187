/**
 * Mining recurring execution patterns (seed 000 "pre-fetch entire subgraphs if they consistently
 * appear together", seed 001 "frequent subgraphs and common execution sequences").
 *
 * - Frequent paths: contiguous task-type sequences (after collapsing repeats of the same type, so a
 *   fan-out of 100 `bwa` steps counts as one `bwa`) and their support, the share of a workflow's
 *   chains that contain them (the support measure of Agrawal & Srikant 1995, "Mining sequential
 *   patterns", ICDE).
 * - Bundles: for a root type `a`, the types `b` that follow `a` in at least `minConfidence` of the
 *   chains where `a` runs (association-rule confidence), and start soon after it. A predicted root
 *   can then be prepared together with its bundle.
 */
import type { ExecutionEvent } from '../model/events.js';
import { InputError } from '../model/errors.js';
import { quantile } from './delays.js';
import { groupSignals, firstStartSec } from './step-signals.js';
import type { PrefetchBundle } from '../prefetch/selection.js';

/** A frequent path of one workflow. */
export interface FrequentPath {
  readonly workflow: string;
  /** Task types in order (repeats collapsed). */
  readonly path: readonly string[];
  /** Chains containing the path. */
  readonly chains: number;
  /** `chains ÷ chains of the workflow`, 0..1. */
  readonly support: number;
}

/** A mined bundle, with the evidence behind it. */
export interface MinedBundle extends PrefetchBundle {
  /** Chains of the workflow where the root ran. */
  readonly rootChains: number;
  /** Median seconds from the root's first start to each member's first start, in member order. */
  readonly medianLagSec: readonly number[];
}

interface Seq {
  readonly workflow: string;
  readonly types: string[];
  readonly starts: number[];
}

function sequences(events: readonly ExecutionEvent[]): Seq[] {
  return groupSignals(events).map((c) => {
    const started = c.steps.filter((s) => s.startedAtSec.length > 0);
    return { workflow: c.workflow, types: started.map((s) => s.taskType), starts: started.map(firstStartSec) };
  });
}

function byWorkflow<T extends { workflow: string }>(xs: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const l = m.get(x.workflow) ?? [];
    l.push(x);
    m.set(x.workflow, l);
  }
  return new Map([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

function checkShare(field: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new InputError({ field }, v, 'a share between 0 and 1');
}

/**
 * Frequent contiguous paths of length `minLength..maxLength` with support ≥ `minSupport`, per
 * workflow, most supported first (ties: longer first, then by name).
 * @throws InputError for a share outside 0..1 or lengths below 1
 */
export function frequentPaths(events: readonly ExecutionEvent[], opts: { minSupport?: number; minLength?: number; maxLength?: number } = {}): FrequentPath[] {
  const minSupport = opts.minSupport ?? 0.5;
  const minLength = opts.minLength ?? 2;
  const maxLength = opts.maxLength ?? 4;
  checkShare('minSupport', minSupport);
  if (!(minLength >= 1 && maxLength >= minLength)) throw new InputError({ field: 'minLength/maxLength' }, [minLength, maxLength], '1 ≤ minLength ≤ maxLength');
  const out: FrequentPath[] = [];
  for (const [workflow, seqs] of byWorkflow(sequences(events))) {
    const counts = new Map<string, { path: string[]; n: number }>();
    for (const s of seqs) {
      const collapsed = s.types.filter((t, i) => i === 0 || s.types[i - 1] !== t);
      const seen = new Set<string>();
      for (let len = minLength; len <= maxLength; len++) {
        for (let i = 0; i + len <= collapsed.length; i++) {
          const path = collapsed.slice(i, i + len);
          const key = path.join('\u0001');
          if (seen.has(key)) continue;
          seen.add(key);
          const c = counts.get(key) ?? { path, n: 0 };
          c.n++;
          counts.set(key, c);
        }
      }
    }
    for (const { path, n } of counts.values()) if (n / seqs.length >= minSupport) out.push({ workflow, path, chains: n, support: n / seqs.length });
  }
  return out.sort((a, b) => b.support - a.support || b.path.length - a.path.length || (a.workflow + a.path.join('>') < b.workflow + b.path.join('>') ? -1 : 1));
}

/**
 * Bundles of task types that (almost) always run after a root, within `maxLagSec` (median) of it.
 * Only roots seen in at least `minChains` chains are considered; roots with no member give no bundle.
 * @param opts `minConfidence` (default 0.95), `minChains` (default 3), `maxLagSec` (default 600)
 * @throws InputError for a confidence outside 0..1
 */
export function mineBundles(events: readonly ExecutionEvent[], opts: { minConfidence?: number; minChains?: number; maxLagSec?: number } = {}): MinedBundle[] {
  const minConfidence = opts.minConfidence ?? 0.95;
  const minChains = opts.minChains ?? 3;
  const maxLagSec = opts.maxLagSec ?? 600;
  checkShare('minConfidence', minConfidence);
  const out: MinedBundle[] = [];
  for (const [workflow, seqs] of byWorkflow(sequences(events))) {
    const types = [...new Set(seqs.flatMap((s) => s.types))].sort();
    for (const root of types) {
      const withRoot = seqs.filter((s) => s.types.includes(root));
      if (withRoot.length < minChains) continue;
      const members: Array<{ type: string; conf: number; lag: number }> = [];
      for (const b of types) {
        if (b === root) continue;
        const lags: number[] = [];
        for (const s of withRoot) {
          const i = s.types.indexOf(root);
          const j = s.types.indexOf(b, i + 1);
          if (j > i) lags.push(s.starts[j] - s.starts[i]);
        }
        const conf = lags.length / withRoot.length;
        const lag = quantile(lags, 0.5);
        if (conf >= minConfidence && lag <= maxLagSec) members.push({ type: b, conf, lag });
      }
      if (members.length === 0) continue;
      out.push({
        workflow,
        root,
        members: members.map((m) => m.type),
        confidence: Math.min(...members.map((m) => m.conf)),
        rootChains: withRoot.length,
        medianLagSec: members.map((m) => m.lag),
      });
    }
  }
  return out;
}
