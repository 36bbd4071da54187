/**
 * The Lambda burst tier (issue 19, item 5): its limits and price, and the per-step-class choice
 * between waiting for EC2 and bursting to Lambda, priced. Pure.
 *
 * Constants (us-east-1, x86), each from AWS's own pages:
 * - Price: USD 0.0000166667 per GB-second of duration, billed per millisecond with no minimum, and
 *   USD 0.20 per million requests (https://aws.amazon.com/lambda/pricing/). The init (cold start) of
 *   an on-demand function is not charged ("You are not charged for the time it takes for Lambda to
 *   prepare the function", AWS Lambda Operator Guide, "Lambda execution environments").
 * - Limits: timeout at most 900 s, memory 128–10,240 MB, 1,000 concurrent executions per Region by
 *   default (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * - Scaling rate: 1,000 execution environments every 10 seconds per function, refilled continuously
 *   (https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html).
 * - CPU: proportional to memory, one vCPU's worth at 1,769 MB, up to 6 vCPU
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 * - Start latency: a cold start takes "from under 100 ms to over 1 second" (AWS Lambda Operator
 *   Guide, "Lambda execution environments"); we take 1 s for every burst invocation (conservative:
 *   a burst mostly needs new execution environments).
 */

/** Lambda's limits and price, see module doc. */
export const LAMBDA = {
  usdPerGbSec: 0.0000166667,
  usdPerRequest: 0.2 / 1_000_000,
  maxTimeoutSec: 900,
  minMemoryMiB: 128,
  maxMemoryMiB: 10_240,
  memoryMiBPerVcpu: 1769,
  maxVcpu: 6,
  accountConcurrency: 1000,
  scalingEnvironmentsPer10Sec: 1000,
  startLatencySec: 1,
} as const;

/**
 * Expected EC2 wait past which a step that fits Lambda is priced for bursting, seconds. Our own
 * choice, under the wait goal (p95 wait at most a tenth of reactive's, whose suite p95 waits
 * are 29–313 s); decided on the backtest suite (docs/benchmarks.md, issue 19).
 */
export const DEFAULT_BURST_WAIT_BUDGET_SEC = 5;

/** The step class a tier choice is made for (one task type in one pool). */
export interface StepClass {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Expected runtime (median), seconds. */
  readonly runtimeSec: number;
  /** A high runtime quantile (p95) or the task's timeout, seconds: must fit Lambda's timeout. */
  readonly maxRuntimeSec: number;
}

/**
 * Memory a Lambda function needs to give a step its vCPU and memory, MiB (whole MiB, within
 * Lambda's range), or undefined when the step does not fit Lambda (more than 6 vCPU, more than
 * 10,240 MB, or a runtime past the 900 s timeout).
 */
export function lambdaMemoryMiB(step: StepClass): number | undefined {
  if (!(step.vcpu > 0) || step.vcpu > LAMBDA.maxVcpu || !(step.maxRuntimeSec <= LAMBDA.maxTimeoutSec)) return undefined;
  const mib = Math.ceil(Math.max(step.vcpu * LAMBDA.memoryMiBPerVcpu, step.memoryGiB * 1024, LAMBDA.minMemoryMiB));
  return mib <= LAMBDA.maxMemoryMiB ? mib : undefined;
}

/** Cost of one invocation of `memoryMiB` running `durationSec` (billed per ms, no minimum), USD. */
export function lambdaInvocationUsd(memoryMiB: number, durationSec: number): number {
  const billedSec = Math.ceil(Math.max(0, durationSec) * 1000) / 1000;
  return (memoryMiB / 1024) * billedSec * LAMBDA.usdPerGbSec + LAMBDA.usdPerRequest;
}

/** What the planner knows when a step of a class is about to wait for EC2. */
export interface TierContext {
  /** Expected wait on the pool's EC2 capacity (ready, pending, then a launch), seconds. */
  readonly expectedEc2WaitSec: number;
  /** Wait a step may take before another tier is worth its price, seconds (the drain tolerance). */
  readonly waitBudgetSec: number;
  /** Price of the capacity EC2 would add for the step, USD per vCPU-hour (cheapest fitting offering). */
  readonly ec2UsdPerVcpuHour: number;
  /** Billed launch lead time of that capacity, seconds (EC2 bills from the launch request). */
  readonly ec2LeadTimeSec: number;
  /**
   * What an hour of one step's wait past the budget is worth to the user, USD (the latency value of
   * the wait goal; our own knob, no AWS source). Waiting for EC2 is then priced at this rate × the
   * expected wait on top of EC2's price, so a higher value bursts more steps; an unbounded expected
   * wait (no ready or pending capacity) with a positive value always bursts. @default 0 (cost alone)
   */
  readonly waitValueUsdPerHour?: number;
}

/** The choice for one step: its tier and both prices. */
export interface TierChoice {
  readonly tier: 'ec2' | 'lambda';
  /** Lambda's price for the step, USD (undefined: it does not fit Lambda). */
  readonly lambdaUsd?: number;
  /** EC2's price to serve it without waiting past the budget: a launch billed for lead time + runtime, at least EC2's 60 s minimum, USD. */
  readonly ec2Usd: number;
  readonly reason: string;
}

/** EC2's per-second billing minimum, seconds (https://aws.amazon.com/ec2/pricing/on-demand/, per-second billing). */
const EC2_MINIMUM_BILLED_SEC = 60;

/**
 * Wait for EC2 or burst to Lambda, priced. A step that EC2 serves within the wait budget (ready or
 * pending capacity frees in time: the headroom the planner holds) stays on EC2. Otherwise serving it
 * on time on EC2 means capacity launched for it, billed for the lead time and its runtime (at least
 * the 60 s minimum); Lambda serves it in about a second for its GB-seconds and request. The cheaper of
 * the two wins, the wait priced at `waitValueUsdPerHour` when the user values it; a step that does
 * not fit Lambda waits for EC2.
 */
export function chooseStepTier(step: StepClass, ctx: TierContext): TierChoice {
  const ec2Usd = (step.vcpu * ctx.ec2UsdPerVcpuHour * Math.max(EC2_MINIMUM_BILLED_SEC, ctx.ec2LeadTimeSec + step.runtimeSec)) / 3600;
  const mib = lambdaMemoryMiB(step);
  if (mib === undefined) return { tier: 'ec2', ec2Usd, reason: 'does not fit Lambda (vCPU, memory or timeout)' };
  const lambdaUsd = lambdaInvocationUsd(mib, step.runtimeSec);
  if (ctx.expectedEc2WaitSec <= ctx.waitBudgetSec) return { tier: 'ec2', lambdaUsd, ec2Usd, reason: `EC2 serves it within ${ctx.waitBudgetSec}s` };
  if (lambdaUsd < ec2Usd) return { tier: 'lambda', lambdaUsd, ec2Usd, reason: `EC2 wait ${Math.round(ctx.expectedEc2WaitSec)}s; Lambda ${lambdaUsd.toExponential(2)} < EC2 ${ec2Usd.toExponential(2)} USD` };
  const waitValue = ctx.waitValueUsdPerHour ?? 0;
  const waitUsd = waitValue > 0 ? (waitValue * ctx.expectedEc2WaitSec) / 3600 : 0; // 0 × an unbounded wait is no value
  return lambdaUsd < ec2Usd + waitUsd
    ? { tier: 'lambda', lambdaUsd, ec2Usd, reason: `EC2 wait ${Math.round(ctx.expectedEc2WaitSec)}s valued ${waitUsd.toExponential(2)} USD; Lambda ${lambdaUsd.toExponential(2)} < EC2 ${ec2Usd.toExponential(2)} + wait` }
    : { tier: 'ec2', lambdaUsd, ec2Usd, reason: `Lambda ${lambdaUsd.toExponential(2)} >= EC2 ${ec2Usd.toExponential(2)} USD: wait` };
}

/**
 * Lambda's concurrency and scaling-rate limits over time: at most `accountConcurrency` executions at
 * once, and new executions beyond those already running limited by a bucket of
 * `scalingEnvironmentsPer10Sec` refilled continuously over 10 s (the scaling-behavior page: unused
 * rate does not accumulate past 1,000). Pure state machine: times are passed in.
 */
export class LambdaConcurrency {
  /** Executions running now. */
  running = 0;
  private tokens: number;
  private lastSec: number;

  /**
   * @param startSec epoch seconds the bucket starts full
   * @param limit concurrent executions at most @default LAMBDA.accountConcurrency
   * @param ratePer10Sec new executions per 10 s at most @default LAMBDA.scalingEnvironmentsPer10Sec
   */
  constructor(startSec: number, readonly limit: number = LAMBDA.accountConcurrency, readonly ratePer10Sec: number = LAMBDA.scalingEnvironmentsPer10Sec) {
    this.tokens = ratePer10Sec;
    this.lastSec = startSec;
  }

  /** Starts one execution at `nowSec` when the limits allow; false: throttled (429). */
  tryStart(nowSec: number): boolean {
    this.tokens = Math.min(this.ratePer10Sec, this.tokens + ((nowSec - this.lastSec) * this.ratePer10Sec) / 10);
    this.lastSec = Math.max(this.lastSec, nowSec);
    if (this.running >= this.limit || this.tokens < 1) return false;
    this.tokens -= 1;
    this.running++;
    return true;
  }

  /** One execution ended. */
  end(): void {
    this.running = Math.max(0, this.running - 1);
  }
}
