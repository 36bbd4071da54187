import type { ApplyResult, CapacitySnapshot, Command, Ec2Pool, Offering } from '../core/model/index.js';

/**
 * The one cloud interface (DESIGN.md rule 2; Karpenter's CloudProvider). The AWS provider, the
 * simulated cloud and the test fake implement it and pass the same contract suite
 * (test/contract/cloud-provider.contract.ts).
 *
 * Rules every implementation keeps:
 * - only resources carrying prescale's owner tag are described or changed;
 * - `apply` is idempotent per `command.id` (a second apply returns status `duplicate` and changes nothing);
 * - a launch for an unavailable offering fails with `insufficient-capacity` and changes nothing;
 * - a terminate acts only on instances with the owner tag and the command's pool; the others (unknown,
 *   foreign, another pool) are reported in a `not-owned` error, with status `partial` when some were
 *   terminated and `failed` when none was;
 * - a command id seen again with other parameters fails (`invalid`, IdempotentParameterMismatch).
 */
export interface CloudProvider {
  /** Current capacity: instances with the owner tag and managed cache groups. */
  describeCapacity(): Promise<CapacitySnapshot>;
  /** Offerings matching a pool's instance requirements and markets, with current prices and hazards. */
  offerings(pool: Ec2Pool): Promise<Offering[]>;
  /** Carries out one command. Never throws for cloud-side failures: they come back in the result. */
  apply(command: Command): Promise<ApplyResult>;
}
