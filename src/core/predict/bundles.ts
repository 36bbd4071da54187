/**
 * Prefetch bundles kept online (seed 000 §3 "pre-fetch entire subgraphs if they consistently appear
 * together"): the first start of each task type of each chain over a rolling window of execution
 * events, mined into bundles (core/predict/mining.ts `mineBundles`: task types that follow a root in
 * at least `minSupport` of the chains where the root ran, within `maxLagSec` of it) at most every
 * `refreshSec`. The tick hands the bundles to the prefetch selection, which then prepares a predicted
 * root's members with it (probability × the bundle's confidence).
 *
 * A chain counts once it has been quiet for `settleSec` (so a chain still running does not count as
 * one where a member did not follow). Pure and deterministic.
 */
import type { ExecutionEvent } from '../model/events.js';
import { inputErrorFromZod } from '../model/errors.js';
import { BundleConfigSchema, type BundleConfig, type BundleConfigInput } from '../model/learning-config.js';
import { mineBundles, type MinedBundle } from './mining.js';

export { BundleConfigSchema, type BundleConfig, type BundleConfigInput };

/**
 * Parses bundle settings.
 * @throws InputError naming the first bad field
 */
export function parseBundleConfig(input: BundleConfigInput = {}): BundleConfig {
  const r = BundleConfigSchema.safeParse(input);
  if (!r.success) throw inputErrorFromZod(r.error.issues, input);
  return r.data;
}

interface ChainStarts {
  readonly workflow: string;
  firstSec: number;
  lastSec: number;
  /** Task type → first start, epoch seconds. */
  readonly starts: Map<string, number>;
}

/** A {@link BundleBook}'s learned state as data (Maps kept: the tick's memory codec encodes them). */
export interface BundleBookJSON {
  readonly chains: ReadonlyMap<string, { readonly workflow: string; readonly firstSec: number; readonly lastSec: number; readonly starts: ReadonlyMap<string, number> }>;
  readonly mined: readonly MinedBundle[];
  readonly minedAtSec: number;
}

/** See the module comment. */
export class BundleBook {
  readonly config: BundleConfig;
  private readonly chains = new Map<string, ChainStarts>();
  private mined: MinedBundle[] = [];
  private minedAtSec = -Infinity;

  /** @throws InputError for bad settings */
  constructor(config: BundleConfigInput = {}) {
    this.config = parseBundleConfig(config);
  }

  /** Learns from execution events (any order; only `started` events count). */
  observe(events: readonly ExecutionEvent[]): void {
    if (!this.config.enabled) return;
    for (const e of events) {
      if (e.kind !== 'started') continue;
      let c = this.chains.get(e.chainId);
      if (!c) this.chains.set(e.chainId, (c = { workflow: e.workflow, firstSec: e.atSec, lastSec: e.atSec, starts: new Map() }));
      c.firstSec = Math.min(c.firstSec, e.atSec);
      c.lastSec = Math.max(c.lastSec, e.atSec);
      const s = c.starts.get(e.taskType);
      if (s === undefined || e.atSec < s) c.starts.set(e.taskType, e.atSec);
    }
  }

  /** The learned state as data (copies), for the tick's persisted memory (core/tick/memory-codec.ts). */
  toJSON(): BundleBookJSON {
    return { chains: new Map([...this.chains].map(([id, c]) => [id, { ...c, starts: new Map(c.starts) }])), mined: [...this.mined], minedAtSec: this.minedAtSec };
  }

  /** Replaces the learned state with one saved by {@link toJSON} (the settings stay this book's). */
  restore(json: BundleBookJSON): void {
    this.chains.clear();
    for (const [id, c] of json.chains) this.chains.set(id, { workflow: c.workflow, firstSec: c.firstSec, lastSec: c.lastSec, starts: new Map(c.starts) });
    this.mined = [...json.mined];
    this.minedAtSec = json.minedAtSec;
  }

  /** Chains kept (inside the window). */
  get size(): number {
    return this.chains.size;
  }

  /**
   * The bundles at `nowSec`: re-mined from the settled chains of the window when `refreshSec` has
   * passed since the last mining, else the last ones. Chains older than the window are dropped.
   */
  current(nowSec: number): readonly MinedBundle[] {
    if (!this.config.enabled) return [];
    if (nowSec - this.minedAtSec < this.config.refreshSec) return this.mined;
    this.minedAtSec = nowSec;
    const from = nowSec - this.config.windowSec;
    const events: ExecutionEvent[] = [];
    for (const [id, c] of [...this.chains.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (c.lastSec < from) { this.chains.delete(id); continue; }
      if (c.firstSec < from || c.lastSec > nowSec - this.config.settleSec) continue;
      for (const [taskType, atSec] of [...c.starts.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
        events.push({ chainId: id, workflow: c.workflow, taskId: taskType, taskType, kind: 'started', atSec });
      }
    }
    this.mined = mineBundles(events, { minConfidence: this.config.minSupport, minChains: this.config.minChains, maxLagSec: this.config.maxLagSec });
    return this.mined;
  }
}

/**
 * Keeps the bundle members a preparation can serve: prepared with their root, a member is ready after
 * its setup and kept `ttlSec`, so it is a hit only if it starts (a median `lag` after the root) no
 * sooner than its setup and no later than setup + TTL. Members outside that window would be aborted
 * or expire (pure waste) and are dropped; bundles left without members are dropped. With `maxHoldSec`,
 * members whose state would wait longer than that (lag − setup) are dropped too, and the hold is
 * carried on each bundle so the selection applies it to the member's whole expected wait (the root's
 * predicted start + lag − setup); `minRootProbability` is carried on each bundle for the selection
 * (members join a root predicted at least that likely). `admits` (the bundle feedback,
 * core/predict/bundle-outcomes.ts) drops the members of edges whose measured outcomes fail the gate.
 * @param setupSecOf setup seconds of a task type of a workflow (undefined: unknown, member dropped)
 */
export function feasibleBundles(
  bundles: readonly MinedBundle[], setupSecOf: (workflow: string, taskType: string) => number | undefined, ttlSec: number,
  opts: { readonly maxHoldSec?: number; readonly minRootProbability?: number; readonly admits?: (workflow: string, root: string, member: string) => boolean } = {},
): MinedBundle[] {
  const hold = Math.min(ttlSec, opts.maxHoldSec ?? ttlSec);
  const out: MinedBundle[] = [];
  for (const b of bundles) {
    const keep = b.members.map((m, i) => ({ m, lag: b.medianLagSec[i] })).filter(({ m, lag }) => {
      const setup = setupSecOf(b.workflow, m);
      return setup !== undefined && setup > 0 && lag >= setup && lag <= setup + hold && (opts.admits?.(b.workflow, b.root, m) ?? true);
    });
    if (keep.length > 0) {
      out.push({
        ...b, members: keep.map((k) => k.m), medianLagSec: keep.map((k) => k.lag),
        ...(opts.maxHoldSec !== undefined ? { maxHoldSec: hold } : {}), ...(opts.minRootProbability ? { minRootProbability: opts.minRootProbability } : {}),
      });
    }
  }
  return out;
}
