/**
 * Default launch lead times (launch request → instance ready to take work), per instance family.
 *
 * AWS publishes no launch-time figures. These are assumptions in the range the simulator models
 * (60–180 s, issue 2): EC2 reports `running` after roughly 30–60 s and an AMI with a bootstrap agent
 * needs roughly another 40–60 s; Graviton (`*g`) and newer Nitro generations boot somewhat faster than
 * the 5th generation. Override them per family with `launchLeadTimeSecByFamily` when you measure yours.
 */

/** Median launch lead time by family, seconds. */
export const DEFAULT_LAUNCH_LEAD_TIME_SEC_BY_FAMILY: Readonly<Record<string, number>> = {
  c5: 105, m5: 110, r5: 115,
  c6i: 85, m6i: 90, r6i: 95, c6a: 90, m6a: 95, r6a: 100,
  c7i: 80, m7i: 85, r7i: 90,
  c6g: 75, m6g: 80, r6g: 85,
  c7g: 70, m7g: 75, r7g: 80,
};

/** Lead time assumed for families missing from the table, seconds. */
export const FALLBACK_LAUNCH_LEAD_TIME_SEC = 120;

/**
 * Launch lead time of a family: the override, else the default table, else
 * {@link FALLBACK_LAUNCH_LEAD_TIME_SEC}.
 */
export function launchLeadTimeSecForFamily(family: string, overrides?: Readonly<Record<string, number>>): number {
  return overrides?.[family] ?? DEFAULT_LAUNCH_LEAD_TIME_SEC_BY_FAMILY[family] ?? FALLBACK_LAUNCH_LEAD_TIME_SEC;
}
