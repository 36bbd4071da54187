/**
 * Authorization (seed 003 component 3, step 1): which workflows, variants and pools a principal may
 * use, and its spend cap. Default deny; an explicit deny beats any allow (the IAM evaluation order:
 * "Policy evaluation logic", AWS IAM User Guide). Every result names the deciding policy.
 */
import type { Policy, Principal } from '../model/principal.js';

/** Policy id reported when no allow policy matched. */
export const DEFAULT_DENY_POLICY_ID = 'default-deny';

/** What is asked for. */
export interface AuthorizationRequest {
  readonly workflow: string;
  readonly variant: string;
  /** Pool ids the variant's tasks run on. */
  readonly pools: readonly string[];
}

/** The answer, naming the policy that decided it. */
export interface AuthorizationResult {
  readonly allowed: boolean;
  /** The deciding policy id (`default-deny` when nothing matched). */
  readonly policyId: string;
  readonly reason: string;
  /** Tightest spend cap among the matching allow policies, USD per hour, and the policy setting it. */
  readonly spendCap?: { readonly usdPerHour: number; readonly policyId: string };
}

/** Glob match with `*` wildcards only (no other metacharacters). */
export function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

function appliesTo(policy: Policy, principal: Principal): boolean {
  const names = [principal.id, ...principal.memberOf];
  return policy.principals.some((p) => names.some((n) => matchesPattern(p, n)));
}

const anyMatch = (patterns: readonly string[], value: string): boolean => patterns.some((p) => matchesPattern(p, value));

/**
 * Decides whether `principal` may run `request`. Policies are read in the given order; the first
 * matching deny wins; otherwise the first allow whose workflow, variant and every pool match; otherwise
 * default deny. A deny policy matches when its workflow and variant patterns match and it names any of
 * the request's pools; a deny policy with `tasks` is left to {@link authorizeTasks}.
 */
export function authorize(principal: Principal, policies: readonly Policy[], request: AuthorizationRequest): AuthorizationResult {
  const mine = policies.filter((p) => appliesTo(p, principal));
  for (const p of mine) {
    // A deny policy that lists registered `tasks` denies those tasks only (see authorizeTasks).
    if (p.effect !== 'deny' || p.tasks) continue;
    if (anyMatch(p.workflows, request.workflow) && anyMatch(p.variants, request.variant) && request.pools.some((pool) => anyMatch(p.pools, pool))) {
      return { allowed: false, policyId: p.id, reason: `policy ${p.id} denies ${principal.id} ${request.workflow}/${request.variant}` };
    }
  }
  const allows = mine.filter(
    (p) =>
      p.effect === 'allow' &&
      anyMatch(p.workflows, request.workflow) &&
      anyMatch(p.variants, request.variant) &&
      request.pools.every((pool) => anyMatch(p.pools, pool)),
  );
  if (allows.length === 0) {
    const partial = mine.find((p) => p.effect === 'allow' && anyMatch(p.workflows, request.workflow) && anyMatch(p.variants, request.variant));
    const reason = partial
      ? `policy ${partial.id} allows ${request.workflow}/${request.variant} but not all its pools (${request.pools.join(', ')}); default deny`
      : `no policy allows ${principal.id} to run ${request.workflow}/${request.variant}; default deny`;
    return { allowed: false, policyId: DEFAULT_DENY_POLICY_ID, reason };
  }
  let spendCap: AuthorizationResult['spendCap'];
  for (const p of allows) {
    if (p.spendCapUsdPerHour !== undefined && (!spendCap || p.spendCapUsdPerHour < spendCap.usdPerHour)) {
      spendCap = { usdPerHour: p.spendCapUsdPerHour, policyId: p.id };
    }
  }
  return { allowed: true, policyId: allows[0].id, reason: `policy ${allows[0].id} allows ${principal.id} ${request.workflow}/${request.variant}`, spendCap };
}

/**
 * Decides whether `principal` may use the registered tasks `taskIds` in a submitted chain: denied when
 * a deny policy lists a pattern matching any of them, else allowed when some allow policy that applies
 * to the principal admits every one (an allow policy without `tasks` admits any), else default deny.
 * Policies whose `workflows` patterns do not match `workflow` are ignored.
 */
export function authorizeTasks(principal: Principal, policies: readonly Policy[], workflow: string, taskIds: readonly string[]): AuthorizationResult {
  const mine = policies.filter((p) => appliesTo(p, principal) && anyMatch(p.workflows, workflow));
  for (const p of mine) {
    if (p.effect !== 'deny' || !p.tasks) continue;
    const hit = taskIds.find((t) => anyMatch(p.tasks!, t));
    if (hit !== undefined) return { allowed: false, policyId: p.id, reason: `policy ${p.id} denies ${principal.id} the registered task ${hit}` };
  }
  const allow = mine.find((p) => p.effect === 'allow' && taskIds.every((t) => !p.tasks || anyMatch(p.tasks, t)));
  if (!allow) {
    const missing = taskIds.find((t) => !mine.some((p) => p.effect === 'allow' && (!p.tasks || anyMatch(p.tasks, t)))) ?? taskIds[0];
    return { allowed: false, policyId: DEFAULT_DENY_POLICY_ID, reason: `no policy allows ${principal.id} to use the registered task ${missing}; default deny` };
  }
  return { allowed: true, policyId: allow.id, reason: `policy ${allow.id} allows ${principal.id} the registered tasks ${taskIds.join(', ')}` };
}
