/**
 * Principals and authorization policies (seed 003 component 3: "filter workflows based on user authorization").
 */
import { z } from 'zod';

/** Who asks for work: a user, a tenant or a role. */
export const PrincipalSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['user', 'tenant', 'role']),
  /** Groups/roles this principal belongs to; policies may target them. */
  memberOf: z.array(z.string()).default([]),
});
/** Who asks for work. */
export type Principal = z.infer<typeof PrincipalSchema>;

/**
 * An authorization policy. Default deny: a request is allowed only when some `allow` policy matches
 * and no `deny` policy does. Patterns accept `*` as a wildcard.
 */
export const PolicySchema = z.object({
  id: z.string().min(1),
  effect: z.enum(['allow', 'deny']),
  /** Principal ids or group names this policy applies to. */
  principals: z.array(z.string()).min(1),
  /** Workflow name patterns. */
  workflows: z.array(z.string()).default(['*']),
  /** Variant name patterns. */
  variants: z.array(z.string()).default(['*']),
  /** Pool id patterns the principal may use. */
  pools: z.array(z.string()).default(['*']),
  /**
   * Registered task ids (the chain service's task registry) a submitted chain may use. On an allow
   * policy, absent means any registered task; on a deny policy, absent means the policy does not look
   * at tasks, and listed patterns deny a chain using any matching task.
   */
  tasks: z.array(z.string()).optional(),
  /** Spend cap for matching principals, USD per hour (allow policies only). */
  spendCapUsdPerHour: z.number().nonnegative().optional(),
});
/** An authorization policy. */
export type Policy = z.infer<typeof PolicySchema>;
