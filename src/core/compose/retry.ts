/**
 * Retry delays with AWS Step Functions semantics (Amazon States Language, "Retrying after an error":
 * IntervalSeconds, BackoffRate, MaxAttempts, JitterStrategy FULL).
 */
import type { RetryPolicy } from '../model/task.js';

/**
 * Seconds to wait before retry number `retryNumber` (1 = the first retry, after the first failed
 * attempt), or undefined when no retry is left. MaxAttempts counts retries, not attempts: with
 * `maxAttempts` 3 a task runs at most 4 times; 0 means never retry.
 * delay = intervalSec × backoffRate^(retryNumber − 1); with `jitter: 'full'` the delay is drawn
 * uniformly from [0, delay] using `uniform01` (a draw in [0, 1) from an injected Random).
 */
export function retryDelaySec(policy: RetryPolicy, retryNumber: number, uniform01: number): number | undefined {
  if (!Number.isInteger(retryNumber) || retryNumber < 1 || retryNumber > policy.maxAttempts) return undefined;
  const delay = policy.intervalSec * Math.pow(policy.backoffRate, retryNumber - 1);
  return policy.jitter === 'full' ? delay * uniform01 : delay;
}
