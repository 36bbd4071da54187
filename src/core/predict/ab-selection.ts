/**
 * Prefetch selection under an A/B test of configurations (seed 000 §3, the controller config's
 * `prefetch.abTest`): each chain is given the arm of its principal (a chain without one: of its chain
 * id) by `assignArm`'s salted FNV-1a hash, each arm selects among its chains with its own top-N,
 * probability threshold, worker-pool size (`maxConcurrent`) and bundles, and every command carries its
 * arm's name so its outcome can be attributed.
 */
import type { AbArmConfig, AbTestConfig } from '../model/learning-config.js';
import { assignArm, type PrefetchArm } from './ab-test.js';
import type { AbArmModels, ArmChainContext } from './ab-models.js';
import { selectPrefetch, type PrefetchBundle, type PrefetchChainInput, type PrefetchSelection, type PrefetchSelectionConfigInput } from '../prefetch/selection.js';

/** The unit an arm is assigned to: the principal, else the chain id. */
export function abUnitOf(chain: { readonly chainId: string; readonly principal?: string }): string {
  return chain.principal !== undefined && chain.principal !== '' ? `principal:${chain.principal}` : `chain:${chain.chainId}`;
}

/** The arms as `assignArm` takes them (selection settings = `base` with the arm's overrides). */
export function abArms(ab: AbTestConfig, base: PrefetchSelectionConfigInput): PrefetchArm[] {
  return ab.arms.map((a: AbArmConfig) => ({
    name: a.name, weight: a.weight,
    config: { ...base, ...(a.topN !== undefined ? { topN: a.topN } : {}), ...(a.probabilityThreshold !== undefined ? { probabilityThreshold: a.probabilityThreshold } : {}), ...(a.maxConcurrent !== undefined ? { maxConcurrent: a.maxConcurrent } : {}) },
  }));
}

/** The arm name of a chain. */
export function abArmOf(chain: { readonly chainId: string; readonly principal?: string }, ab: AbTestConfig): string {
  return assignArm(abUnitOf(chain), ab.arms.map((a) => ({ name: a.name, weight: a.weight, config: {} })), ab.salt).name;
}

/** Per-arm models and the chains' contexts they predict from (arms with `model`; see ab-models.ts). */
export interface AbArmModelInput {
  readonly models: AbArmModels;
  readonly contextOf: (chainId: string) => ArmChainContext | undefined;
}

/**
 * Selects per arm; commands carry `arm` and an id suffixed with it. An arm with its own model
 * (`armModels`) selects among its chains' predictions by that model.
 * @throws InputError for invalid arm settings
 */
export function selectForAbTest(
  chains: ReadonlyArray<PrefetchChainInput & { readonly principal?: string }>, base: PrefetchSelectionConfigInput, ab: AbTestConfig, nowSec: number, bundles: readonly PrefetchBundle[] = [],
  armModels?: AbArmModelInput,
): PrefetchSelection & { readonly armOfChain: Record<string, string> } {
  const arms = abArms(ab, base);
  const groups = new Map<string, PrefetchChainInput[]>(arms.map((a) => [a.name, []]));
  const armOfChain: Record<string, string> = {};
  for (const c of chains) {
    const arm = assignArm(abUnitOf(c), arms, ab.salt);
    groups.get(arm.name)!.push(c);
    armOfChain[c.chainId] = arm.name;
  }
  const commands: PrefetchSelection['commands'] = [];
  const decisions: PrefetchSelection['decisions'] = [];
  for (const [i, arm] of arms.entries()) {
    const withBundles = ab.arms[i].bundles ?? true;
    const mine = armModels ? armModels.models.repredict(arm.name, groups.get(arm.name)!, armModels.contextOf, nowSec, arm.config.topN ?? base.topN ?? 0) : groups.get(arm.name)!;
    const sel = selectPrefetch(mine, arm.config, nowSec, withBundles ? bundles : []);
    commands.push(...sel.commands.map((c) => ({ ...c, arm: arm.name, id: `${c.id}:${arm.name}` })));
    decisions.push(...sel.decisions.map((d) => ({ ...d, reason: `[arm ${arm.name}] ${d.reason}` })));
  }
  return { commands, decisions, armOfChain };
}
