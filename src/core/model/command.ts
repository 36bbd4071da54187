/**
 * Commands: one change to the cloud, as data (DESIGN.md rule 3). Plans are lists of commands; only
 * `CloudProvider.apply` carries them out, after re-validation against fresh state.
 */

/** Fields every command has. */
interface CommandBase {
  /**
   * Deterministic client token (idempotency key): the same intent in the same tick gives the same id,
   * so a retried or resumed tick never launches twice (EC2 ClientToken semantics).
   */
  readonly id: string;
  readonly poolId: string;
  /** Why, in words, for the decision log. */
  readonly reason: string;
}

/** Launch `count` instances of one offering. */
export interface LaunchCommand extends CommandBase {
  readonly kind: 'launch';
  readonly offeringId: string;
  readonly count: number;
  /** When the capacity is needed (epoch seconds); the launch is issued lead time ahead of it. */
  readonly needAtSec: number;
  /** Expected price of what is launched, USD per hour. */
  readonly expectedCostUsdPerHour: number;
}

/** Terminate instances (only ones prescale launched). */
export interface TerminateCommand extends CommandBase {
  readonly kind: 'terminate';
  readonly instanceIds: readonly string[];
}

/** Change an ElastiCache replication group's shape. */
export interface ScaleCacheCommand extends CommandBase {
  readonly kind: 'scale-cache';
  readonly shards: number;
  readonly replicasPerShard: number;
}

/**
 * Keep `minSize` instances of one on-demand offering pre-initialised and stopped beside the pool (an
 * EC2 Auto Scaling warm pool, `PutWarmPool` with `PoolState: Stopped` and `ReuseOnScaleIn`): a launch
 * of that offering starts stopped instances first, which is faster than a cold launch, and a stopped
 * instance is billed only for its EBS volumes (EC2 Auto Scaling User Guide, "Warm pools"). Warm pools
 * support neither Spot Instances nor mixed instances policies (PutWarmPool API reference), so the
 * offering is on-demand. `minSize` 0 empties the pool. Sized by core/plan/warm-pool.ts.
 */
export interface WarmPoolCommand extends CommandBase {
  readonly kind: 'warm-pool';
  /** The on-demand offering the warm instances are of (the Auto Scaling group's launch template type). */
  readonly offeringId: string;
  /** Instances to keep stopped in the pool (WarmPoolConfiguration MinSize), ≥ 0. */
  readonly minSize: number;
  /** Expected cost of holding them stopped (EBS only), USD per hour. */
  readonly expectedCostUsdPerHour: number;
}

/**
 * Run the `prepare` phase of a predicted step ahead of its trigger: a preparation, handed to the
 * Preparer port (ports/preparer.ts), not a {@link Command} (the CloudProvider never sees it).
 */
export interface PreExecuteCommand extends CommandBase {
  readonly kind: 'pre-execute';
  readonly chainId: string;
  readonly taskId: string;
  readonly probability: number;
  /** Task type of the step (what the next-step model predicted), when known. */
  readonly taskType?: string;
  /** How long the prepared state is kept (cache TTL), seconds; unused after that it is wasted. */
  readonly ttlSec?: number;
  /** Expected seconds from the command until the step is triggered. */
  readonly expectedStartInSec?: number;
  /** Setup seconds the preparation saves when the step starts within `ttlSec`. */
  readonly expectedSavedSec?: number;
  /** Expected cost of the preparation (compute while preparing + memory held until used), USD. */
  readonly expectedCostUsd?: number;
  /** Prefetch configuration arm (A/B test) the chain's principal is assigned to, when arms are used. */
  readonly arm?: string;
}

/** Any command to the cloud (CloudProvider.apply). Preparations are {@link PreExecuteCommand}s, apart. */
export type Command = LaunchCommand | TerminateCommand | ScaleCacheCommand | WarmPoolCommand;

/**
 * The parameters of a command that the cloud request carries (not its reason, timing or expected
 * cost), as a string: a provider that sees a command id again with another key answers
 * `IdempotentParameterMismatch`, as EC2 does for a ClientToken reused with other parameters (EC2 API
 * reference, "Ensuring idempotency").
 */
export function commandRequestKey(c: Command): string {
  if (c.kind === 'launch') return JSON.stringify([c.kind, c.poolId, c.offeringId, c.count]);
  if (c.kind === 'terminate') return JSON.stringify([c.kind, c.poolId, [...c.instanceIds].sort()]);
  if (c.kind === 'warm-pool') return JSON.stringify([c.kind, c.poolId, c.offeringId, c.minSize]);
  return JSON.stringify([c.kind, c.poolId, c.shards, c.replicasPerShard]);
}

/** Error kinds a provider maps its failures to (AWS error codes → port meaning). */
export type ApplyErrorCode =
  | 'insufficient-capacity'
  | 'throttled'
  | 'unauthorized'
  | 'invalid'
  | 'not-owned'
  | 'limit-exceeded'
  /** An account quota of the market (EC2 VcpuLimitExceeded, MaxSpotInstanceCountExceeded, InstanceLimitExceeded). */
  | 'quota-exceeded'
  /** The resource is busy (e.g. an ElastiCache modification in progress): try again on a later tick. */
  | 'retry-later'
  /** The offering cannot be launched at all (EC2 `Unsupported`: type not offered in the zone or market). */
  | 'unsupported'
  | 'unknown';

/** Outcome of applying one command. */
export interface ApplyResult {
  readonly commandId: string;
  /** `partial`: some of a launch's count was fulfilled. `duplicate`: the id was already applied. */
  readonly status: 'applied' | 'partial' | 'failed' | 'duplicate' | 'dry-run';
  /** Instances created (launch) or affected (terminate). */
  readonly instanceIds: readonly string[];
  /**
   * Instances a launch added when the provider cannot name them yet (an Auto Scaling group's desired
   * capacity raised): counted like `instanceIds` by the safety guard and the pending-launch ledger.
   */
  readonly launchedCount?: number;
  readonly error?: { readonly code: ApplyErrorCode; readonly message: string };
}
