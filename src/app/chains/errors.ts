/**
 * Errors of the chain service, each mapped to one HTTP status by the API adapter. Bad input is the
 * core's `InputError` (400).
 */

/** 401: no or unknown bearer token. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** 403: a policy denies the request; `policyId` names it (`default-deny` when nothing allowed it). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  constructor(readonly policyId: string, message: string) {
    super(message);
  }
}

/** 404: no such chain or execution for this principal. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** 409: the request conflicts with stored state (existing chain id, Idempotency-Key reuse). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** 429: the principal's spend cap is reached or its queue is full. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsError';
  /**
   * @param retryAfterSec seconds after which a retry may succeed (the `Retry-After` header); default 60
   */
  constructor(readonly reasonCode: 'spend-cap' | 'queue-full', message: string, readonly policyId?: string, readonly retryAfterSec = 60) {
    super(message);
  }
}
