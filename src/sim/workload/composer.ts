/**
 * The chain service's composer inside the simulator: every arriving chain that does not pin a
 * variant is composed by core/compose's {@link composeWorkflow} for its principal, against an
 * availability profile taken from the world's cloud at arrival time; running chains are re-scored by
 * {@link rescoreForSwitch} on a trigger (spot interruption notice, overrun of p95 × factor,
 * insufficient capacity). The composer belongs to the workload (the chain service), not to a capacity
 * policy, so every policy's world composes the same way; only the capacity it sees differs.
 *
 * Spend: what each principal's chains used in the last hour (instance time × vCPU share of the
 * instance price), compared with the spend cap of its policies.
 */
import {
  composeWorkflow, rescoreForSwitch, type AvailabilityProfile, type ComposerOptions, type SwitchResult, type SwitchTrigger,
} from '../../core/compose/index.js';
import type { Policy, Principal, Workflow } from '../../core/model/index.js';

/** Principal id used for arrivals that name none. */
export const ANONYMOUS_PRINCIPAL = 'anonymous';
/** Policy applied when a scenario defines no policies: every principal may run everything. */
export const SCENARIO_ALLOW_ALL: Policy = { id: 'scenario-allow-all', effect: 'allow', principals: ['*'], workflows: ['*'], variants: ['*'], pools: ['*'] };

/** Composer settings of a scenario. */
export interface ComposerSetup {
  readonly principals: readonly Principal[];
  readonly policies: readonly Policy[];
  readonly options?: Partial<ComposerOptions>;
  /** A running step overrunning its p95 runtime × this factor triggers a re-score. */
  readonly overrunFactor: number;
  /** At most this many switches per chain (no ping-pong). */
  readonly maxSwitchesPerChain: number;
}

/** Outcome of composing one chain. */
export type ComposeOutcome =
  | { readonly status: 'composed' | 'fallback'; readonly variant: string; readonly reason: string }
  | { readonly status: 'denied' | 'over-spend-cap'; readonly reason: string };

/** Switch reason keys in the report. */
export function switchReasonKey(t: SwitchTrigger): string {
  return t.kind === 'spot-interruption-notice' ? 'spot-interruption' : t.kind;
}

/** See module doc. */
export class ChainComposer {
  readonly choices = new Map<string, number>();
  readonly switchReasons = new Map<string, number>();
  /** Switches keyed "workflow/from->to". */
  readonly switchPaths = new Map<string, number>();
  readonly decisionCounts = new Map<string, number>();
  switches = 0;
  fallbacks = 0;
  denied = 0;
  private readonly principals: Map<string, Principal>;
  private readonly policies: readonly Policy[];
  private readonly spend = new Map<string, Array<{ atSec: number; usd: number }>>();

  /**
   * @param setup principals, policies and options from the scenario
   * @param availability the availability profile of every pool at a time (epoch seconds)
   */
  constructor(readonly setup: ComposerSetup, private readonly availability: (nowSec: number) => AvailabilityProfile) {
    this.principals = new Map(setup.principals.map((p) => [p.id, p]));
    this.policies = setup.policies.length > 0 ? setup.policies : [SCENARIO_ALLOW_ALL];
  }

  /** The principal record for an id (an unknown id is a tenant with no groups). */
  principal(id: string | undefined): Principal {
    const key = id ?? ANONYMOUS_PRINCIPAL;
    return this.principals.get(key) ?? { id: key, kind: 'tenant', memberOf: [] };
  }

  /** Adds `usd` spent by `principalId` at `atSec`. */
  recordSpend(principalId: string | undefined, atSec: number, usd: number): void {
    const key = principalId ?? ANONYMOUS_PRINCIPAL;
    let list = this.spend.get(key);
    if (!list) this.spend.set(key, (list = []));
    list.push({ atSec, usd });
  }

  /** USD spent by `principalId` in the hour before `nowSec`. */
  spentLastHour(principalId: string | undefined, nowSec: number): number {
    const list = this.spend.get(principalId ?? ANONYMOUS_PRINCIPAL);
    if (!list) return 0;
    let drop = 0;
    while (drop < list.length && list[drop].atSec <= nowSec - 3600) drop++;
    if (drop > 0) list.splice(0, drop);
    return list.reduce((s, x) => s + x.usd, 0);
  }

  /** Composes `workflow` for `principalId` at `nowSec` (decisions counted by kind). */
  compose(workflow: Workflow, principalId: string | undefined, subject: string, nowSec: number): ComposeOutcome {
    const r = composeWorkflow({
      workflow, subject, options: this.setup.options, availability: this.availability(nowSec),
      auth: { principal: this.principal(principalId), policies: this.policies, spentUsdLastHour: this.spentLastHour(principalId, nowSec) },
    });
    for (const d of r.decisions) this.count(d.kind);
    if (r.status === 'composed' || r.status === 'fallback') {
      const variant = r.status === 'composed' ? r.dag.variant : r.fallback.variant;
      if (r.status === 'fallback') this.fallbacks++;
      const key = `${workflow.name}/${variant}`;
      this.choices.set(key, (this.choices.get(key) ?? 0) + 1);
      return { status: r.status, variant, reason: r.decisions[r.decisions.length - 1]?.reason ?? '' };
    }
    this.denied++;
    return { status: r.status, reason: r.reason };
  }

  /** Re-scores a running chain on `trigger`; records the switch when it happens. */
  rescore(workflow: Workflow, currentVariant: string, principalId: string | undefined, doneTaskIds: readonly string[], trigger: SwitchTrigger, subject: string, nowSec: number): SwitchResult {
    const r = rescoreForSwitch({
      workflow, currentVariant, doneTaskIds, trigger, subject, options: this.setup.options, availability: this.availability(nowSec),
      auth: { principal: this.principal(principalId), policies: this.policies, spentUsdLastHour: this.spentLastHour(principalId, nowSec) },
    });
    this.count(r.decision.kind);
    if (r.switched) {
      this.switches++;
      const reason = switchReasonKey(trigger);
      this.switchReasons.set(reason, (this.switchReasons.get(reason) ?? 0) + 1);
      const path = `${workflow.name}/${currentVariant}->${r.variant}`;
      this.switchPaths.set(path, (this.switchPaths.get(path) ?? 0) + 1);
    }
    return r;
  }

  private count(kind: string): void {
    this.decisionCounts.set(kind, (this.decisionCounts.get(kind) ?? 0) + 1);
  }
}
