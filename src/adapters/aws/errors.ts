/**
 * Maps AWS SDK v3 errors to the port's meaning ({@link ApplyErrorCode}). Error codes are the `name`
 * of the SDK's ServiceException (EC2 API reference, "Error codes"; ElastiCache API reference).
 */
import type { ApplyErrorCode } from '../../core/model/index.js';

/** Codes AWS services use when a caller is throttled (EC2 "Request throttling", SDK retry docs). */
const THROTTLING_CODES = new Set([
  'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException',
  'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException', 'SlowDown',
  'EC2ThrottledException', 'PriorRequestNotComplete',
]);

/** EC2 codes meaning the offering has no capacity now (EC2 User Guide, "Insufficient instance capacity"). */
const CAPACITY_CODES = new Set([
  'InsufficientInstanceCapacity', 'InsufficientCapacity', 'InsufficientHostCapacity', 'InsufficientReservedInstanceCapacity',
  'UnfulfillableCapacity', 'InsufficientFreeAddressesInSubnet', 'SpotMaxPriceTooLow',
]);

/** EC2 codes meaning an account launch quota of the market was hit (EC2 API reference, "Error codes"). */
const QUOTA_CODES = new Set(['VcpuLimitExceeded', 'InstanceLimitExceeded', 'MaxSpotInstanceCountExceeded']);

/** Codes meaning another account quota was hit. */
const LIMIT_CODES = new Set([
  'MaxFleetCountExceeded',
  'NodeQuotaForClusterExceeded', 'NodeQuotaForCustomerExceeded', 'ClusterQuotaForCustomerExceeded',
  'NodeGroupsPerReplicationGroupQuotaExceeded',
]);

/**
 * Codes meaning the resource is busy with another change: retry on a later tick, not a bad request
 * (ElastiCache API reference: InvalidReplicationGroupState, "the requested replication group is not
 * in the available state"; InvalidCacheClusterState likewise).
 */
const RETRY_LATER_CODES = new Set(['InvalidReplicationGroupState', 'InvalidCacheClusterState', 'IncorrectInstanceState', 'ConcurrentUpdateException', 'ResourceInUse']);

/** EC2 codes meaning the offering cannot be launched at all (the type is not offered in the zone or market). */
const UNSUPPORTED_CODES = new Set(['Unsupported', 'UnsupportedOperation', 'InstanceTypeNotSupported']);

/** Codes meaning the caller's IAM policy does not allow the call. */
const UNAUTHORIZED_CODES = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'UnauthorizedException', 'AuthFailure']);

/** Codes meaning the request itself is wrong. */
const INVALID_CODES = new Set([
  'InvalidParameterValue', 'InvalidParameterCombination', 'InvalidParameter', 'MissingParameter', 'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateName.NotFoundException', 'InvalidSubnetID.NotFound', 'IdempotentParameterMismatch',
  'ReplicationGroupNotFoundFault', 'InvalidParameterValueException', 'InvalidParameterCombinationException',
  'ValidationException', 'InvalidInstanceID.Malformed',
]);

/** The AWS error code of a thrown SDK error (its `name`, or `Code` for some protocols). */
export function awsErrorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.code === 'string') return e.code;
  }
  return 'Unknown';
}

/** True when `err` (or a code string) is a throttling error; also honours the SDK's `$retryable.throttling`. */
export function isThrottling(err: unknown): boolean {
  if (typeof err === 'string') return THROTTLING_CODES.has(err);
  const retryable = (err as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable;
  return THROTTLING_CODES.has(awsErrorCode(err)) || retryable?.throttling === true;
}

/** Maps an AWS error code (thrown or from a CreateFleet `Errors` entry) to the port's code. */
export function mapAwsErrorCode(code: string): ApplyErrorCode {
  if (THROTTLING_CODES.has(code)) return 'throttled';
  if (CAPACITY_CODES.has(code)) return 'insufficient-capacity';
  if (QUOTA_CODES.has(code)) return 'quota-exceeded';
  if (LIMIT_CODES.has(code)) return 'limit-exceeded';
  if (UNAUTHORIZED_CODES.has(code)) return 'unauthorized';
  if (RETRY_LATER_CODES.has(code)) return 'retry-later';
  if (UNSUPPORTED_CODES.has(code)) return 'unsupported';
  if (INVALID_CODES.has(code) || code.startsWith('Invalid')) return 'invalid';
  return 'unknown';
}

/** The port's error for a thrown SDK error, naming the IAM action when it is an authorisation failure. */
export function toApplyError(err: unknown, iamActions: readonly string[]): { code: ApplyErrorCode; message: string } {
  if (err instanceof AwsThrottledError) return { code: 'throttled', message: err.message };
  if (err instanceof AwsUnauthorizedError) return { code: 'unauthorized', message: err.message };
  const awsCode = awsErrorCode(err);
  const code = isThrottling(err) ? 'throttled' : mapAwsErrorCode(awsCode);
  const raw = err instanceof Error ? err.message : String(err);
  if (code === 'unauthorized') return { code, message: unauthorizedMessage(iamActions, awsCode, raw) };
  return { code, message: `${awsCode}: ${raw}` };
}

/** A message naming the IAM action(s) the controller's role needs. */
export function unauthorizedMessage(iamActions: readonly string[], awsCode: string, raw: string): string {
  const first = raw.split('Encoded authorization failure message')[0].trim();
  return `${awsCode}: the controller's IAM role is not allowed ${iamActions.join(' + ')} ` +
    `(grant ${iamActions.join(', ')} on resources tagged by prescale; see cdk/lib/controller-iam.ts)` +
    (first ? ` — AWS said: ${first}` : '');
}

/**
 * Thrown by read paths (describe, offerings, metrics) when AWS keeps throttling after the SDK's
 * adaptive retries: the tick should back off for `retryAfterSec` seconds and try later.
 */
export class AwsThrottledError extends Error {
  override readonly name = 'AwsThrottledError';
  constructor(readonly operation: string, readonly retryAfterSec: number, cause?: unknown) {
    super(`${operation} throttled by AWS after adaptive retries; back off ${retryAfterSec}s`, { cause });
  }
}

/** Thrown by read paths when the IAM role lacks a permission; names the action. */
export class AwsUnauthorizedError extends Error {
  override readonly name = 'AwsUnauthorizedError';
  constructor(readonly iamAction: string, cause?: unknown) {
    super(unauthorizedMessage([iamAction], awsErrorCode(cause), cause instanceof Error ? cause.message : String(cause)), { cause });
  }
}

/**
 * Runs a read-only SDK call, rethrowing throttling as {@link AwsThrottledError} and authorisation
 * failures as {@link AwsUnauthorizedError}; other errors pass through unchanged.
 */
export async function readCall<T>(iamAction: string, call: () => Promise<T>, backOffSec = 60): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isThrottling(err)) throw new AwsThrottledError(iamAction, backOffSec, err);
    if (mapAwsErrorCode(awsErrorCode(err)) === 'unauthorized') throw new AwsUnauthorizedError(iamAction, err);
    throw err;
  }
}
