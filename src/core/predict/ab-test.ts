/**
 * A/B testing of prefetch configurations across groups of principals (seed 000 §3 "deploy different
 * prefetching configurations to different user groups"): deterministic assignment of a principal to
 * an arm by hashing, per-arm metrics, and a comparison of each arm with a control arm.
 */
import { InputError } from '../model/errors.js';
import { selectPrefetch, type PrefetchBundle, type PrefetchChainInput, type PrefetchSelection, type PrefetchSelectionConfigInput } from '../prefetch/selection.js';

/** One prefetch configuration under test. */
export interface PrefetchArm {
  /** Arm name (metrics key), e.g. "control", "top3-t0.3". */
  readonly name: string;
  /** Relative share of principals (default 1). */
  readonly weight?: number;
  /** Selection settings of this arm. */
  readonly config: PrefetchSelectionConfigInput;
}

/** What one arm's preparations achieved. Seconds and USD are sums. */
export interface ArmMetrics {
  /** Preparations started. */
  readonly prepared: number;
  /** Steps triggered while a preparation of them was known (or looked up). */
  readonly triggers: number;
  /** Triggers resumed from cached state. */
  readonly hits: number;
  /** Triggers that ran cold (nothing cached, still running, or stale). */
  readonly misses: number;
  /** Of the misses: the cached state was prepared from other inputs and was rejected. */
  readonly stale: number;
  /** Preparations thrown away: prediction wrong, inputs changed, failed, or unused before the TTL. */
  readonly discarded: number;
  /** Cache calls that failed because the cache was unreachable. */
  readonly cacheErrors: number;
  /** Setup seconds the hits skipped. */
  readonly setupSecSaved: number;
  /** CPU-seconds (vCPU × seconds) spent on discarded preparations. */
  readonly wastedCpuSec: number;
  /** Cost of the discarded preparations, USD. */
  readonly wastedUsd: number;
  /** Bytes of prepared state currently cached by this arm. */
  readonly cacheBytes: number;
}

/** An empty {@link ArmMetrics}. */
export function emptyArmMetrics(): ArmMetrics {
  return { prepared: 0, triggers: 0, hits: 0, misses: 0, stale: 0, discarded: 0, cacheErrors: 0, setupSecSaved: 0, wastedCpuSec: 0, wastedUsd: 0, cacheBytes: 0 };
}

/** 32-bit FNV-1a hash of a string (Fowler–Noll–Vo, IETF draft-eastlake-fnv). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser (Appleby, smhasher `fmix32`): spreads every input bit over the high
 * bits, which FNV-1a alone does not do for its last characters (principals differing only in a final
 * digit would otherwise land in the same arm).
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The arm of `principal`: the principal's hash (FNV-1a salted with `salt`, then {@link fmix32}) placed
 * on the arms' cumulative weights. The same principal always gets the same arm while the arms stay the same.
 * @throws InputError when there is no arm, a weight is not positive, or two arms share a name
 */
export function assignArm(principal: string, arms: readonly PrefetchArm[], salt = 'prefetch-ab'): PrefetchArm {
  if (arms.length === 0) throw new InputError({ field: 'arms' }, arms, 'at least one prefetch arm');
  const names = new Set<string>();
  let total = 0;
  for (const a of arms) {
    const w = a.weight ?? 1;
    if (!(w > 0)) throw new InputError({ field: `arms.${a.name}.weight` }, w, 'a weight > 0');
    if (names.has(a.name)) throw new InputError({ field: 'arms.name' }, a.name, 'unique arm names');
    names.add(a.name);
    total += w;
  }
  const u = (fmix32(fnv1a32(`${salt}:${principal}`)) / 2 ** 32) * total;
  let acc = 0;
  for (const a of arms) {
    acc += a.weight ?? 1;
    if (u < acc) return a;
  }
  return arms[arms.length - 1];
}

/** One arm compared with the control arm. */
export interface ArmComparison {
  readonly arm: string;
  /** hits ÷ prepared (share of preparations that were used). */
  readonly hitRate: number;
  /** hits ÷ triggers (share of prepared-for triggers that resumed). */
  readonly resumeRate: number;
  readonly setupSecSaved: number;
  readonly wastedCpuSec: number;
  readonly wastedUsd: number;
  /** Setup seconds saved per USD wasted (Infinity when nothing was wasted and something saved). */
  readonly savedSecPerWastedUsd: number;
  /** Hit rate minus the control's (0 for the control itself). */
  readonly hitRateDelta: number;
  /**
   * Two-sided p-value of the two-proportion z-test of this arm's hit rate against the control's
   * (pooled standard error; e.g. Agresti, "Categorical Data Analysis", §2.1); NaN when undefined.
   */
  readonly pValue: number;
}

/** Standard normal CDF (Abramowitz & Stegun 26.2.17, |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z > 0 ? 1 - p : p;
}

/**
 * Compares every arm with `control` (default: the first arm in name order), in arm-name order.
 */
export function compareArms(metrics: Readonly<Record<string, ArmMetrics>>, control?: string): ArmComparison[] {
  const names = Object.keys(metrics).sort();
  if (names.length === 0) return [];
  const ctrl = metrics[control ?? names[0]] ?? metrics[names[0]];
  const rate = (m: ArmMetrics) => (m.prepared > 0 ? m.hits / m.prepared : 0);
  return names.map((arm) => {
    const m = metrics[arm];
    let pValue = Number.NaN;
    if (m !== ctrl && m.prepared > 0 && ctrl.prepared > 0) {
      const pooled = (m.hits + ctrl.hits) / (m.prepared + ctrl.prepared);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / m.prepared + 1 / ctrl.prepared));
      pValue = se > 0 ? 2 * (1 - normalCdf(Math.abs(rate(m) - rate(ctrl)) / se)) : Number.NaN;
    }
    return {
      arm,
      hitRate: rate(m),
      resumeRate: m.triggers > 0 ? m.hits / m.triggers : 0,
      setupSecSaved: m.setupSecSaved,
      wastedCpuSec: m.wastedCpuSec,
      wastedUsd: m.wastedUsd,
      savedSecPerWastedUsd: m.wastedUsd > 0 ? m.setupSecSaved / m.wastedUsd : m.setupSecSaved > 0 ? Number.POSITIVE_INFINITY : 0,
      hitRateDelta: rate(m) - rate(ctrl),
      pValue,
    };
  });
}

/**
 * {@link selectPrefetch} with A/B arms: each chain is assigned the arm of its principal (chains
 * without one use the empty principal), each arm selects among its chains with its own
 * configuration and budget, and every command carries its arm's name.
 * @throws InputError for invalid arms or configurations
 */
export function selectPrefetchForArms(
  chains: ReadonlyArray<PrefetchChainInput & { readonly principal?: string }>,
  arms: readonly PrefetchArm[],
  nowSec: number,
  bundles: readonly PrefetchBundle[] = [],
): PrefetchSelection & { readonly armOfChain: Record<string, string> } {
  const groups = new Map<string, Array<PrefetchChainInput>>(arms.map((a) => [a.name, []]));
  const armOfChain: Record<string, string> = {};
  for (const c of chains) {
    const arm = assignArm(c.principal ?? '', arms);
    groups.get(arm.name)!.push(c);
    armOfChain[c.chainId] = arm.name;
  }
  const commands: PrefetchSelection['commands'] = [];
  const decisions: PrefetchSelection['decisions'] = [];
  for (const arm of arms) {
    const sel = selectPrefetch(groups.get(arm.name)!, arm.config, nowSec, bundles);
    commands.push(...sel.commands.map((c) => ({ ...c, arm: arm.name, id: `${c.id}:${arm.name}` })));
    decisions.push(...sel.decisions);
  }
  return { commands, decisions, armOfChain };
}
