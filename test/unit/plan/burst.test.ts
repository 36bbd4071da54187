import { describe, expect, it } from 'vitest';
import { chooseStepTier, LAMBDA, LambdaConcurrency, lambdaInvocationUsd, lambdaMemoryMiB } from '../../../src/core/plan/burst.js';

const short = { vcpu: 1, memoryGiB: 1, runtimeSec: 2, maxRuntimeSec: 5 };
const ctx = { expectedEc2WaitSec: 60, waitBudgetSec: 10, ec2UsdPerVcpuHour: 0.02, ec2LeadTimeSec: 90 };

describe('the Lambda burst tier', () => {
  it('sizes a function by the vCPU it must give (1,769 MB per vCPU) or the memory, within Lambda limits', () => {
    expect(lambdaMemoryMiB(short)).toBe(1769);
    expect(lambdaMemoryMiB({ ...short, memoryGiB: 4 })).toBe(4096);
    expect(lambdaMemoryMiB({ ...short, vcpu: 0.25, memoryGiB: 0.05 })).toBe(443);
    expect(lambdaMemoryMiB({ ...short, vcpu: 8 })).toBeUndefined();
    expect(lambdaMemoryMiB({ ...short, memoryGiB: 11 })).toBeUndefined();
    expect(lambdaMemoryMiB({ ...short, maxRuntimeSec: 901 })).toBeUndefined();
    expect(lambdaMemoryMiB({ ...short, maxRuntimeSec: LAMBDA.maxTimeoutSec })).toBe(1769);
  });

  it('bills GB-seconds per millisecond with no minimum, plus the request', () => {
    // 1 GiB for 1 s: 0.0000166667 + 0.0000002
    expect(lambdaInvocationUsd(1024, 1)).toBeCloseTo(0.0000168667, 12);
    expect(lambdaInvocationUsd(1024, 0.0004)).toBeCloseTo(0.001 * 0.0000166667 + 0.0000002, 14);
    expect(lambdaInvocationUsd(2048, 0)).toBeCloseTo(0.0000002, 14);
  });

  it('bursts a short step that would wait past the budget when Lambda is cheaper than a launch for it', () => {
    const c = chooseStepTier(short, ctx);
    expect(c.tier).toBe('lambda');
    expect(c.lambdaUsd!).toBeLessThan(c.ec2Usd);
    // EC2: 1 vCPU × 0.02 USD/h × (90 s lead + 2 s), above the 60 s minimum
    expect(c.ec2Usd).toBeCloseTo((0.02 * 92) / 3600, 12);
  });

  it('keeps a step on EC2 when EC2 serves it within the budget, when Lambda is dearer, or when it does not fit', () => {
    expect(chooseStepTier(short, { ...ctx, expectedEc2WaitSec: 5 }).tier).toBe('ec2');
    // a 10-minute step: Lambda 1.73 GB × 600 s ≈ 0.0173 USD against EC2 0.02 × 690 s / 3600 ≈ 0.0038 USD
    const long = chooseStepTier({ ...short, runtimeSec: 600, maxRuntimeSec: 800 }, ctx);
    expect(long.tier).toBe('ec2');
    expect(long.lambdaUsd!).toBeGreaterThan(long.ec2Usd);
    const big = chooseStepTier({ ...short, vcpu: 16 }, ctx);
    expect(big.tier).toBe('ec2');
    expect(big.lambdaUsd).toBeUndefined();
  });

  it('bursts a step Lambda prices above a launch when the wait it would take is valued high enough, and only then', () => {
    const tenMin = { ...short, runtimeSec: 600, maxRuntimeSec: 800 };
    const base = chooseStepTier(tenMin, ctx);
    expect(base.tier).toBe('ec2');
    const gapUsd = base.lambdaUsd! - base.ec2Usd;
    // 60 s of wait valued at v USD/h is worth v × 60 / 3600: bursts once that covers Lambda's extra price
    const breakEvenUsdPerHour = (gapUsd * 3600) / ctx.expectedEc2WaitSec;
    expect(chooseStepTier(tenMin, { ...ctx, waitValueUsdPerHour: breakEvenUsdPerHour * 0.9 }).tier).toBe('ec2');
    const valued = chooseStepTier(tenMin, { ...ctx, waitValueUsdPerHour: breakEvenUsdPerHour * 1.1 });
    expect(valued.tier).toBe('lambda');
    expect(valued.reason).toMatch(/valued/);
    // a wait within the budget stays on EC2 whatever it is worth; an unbounded wait with any value bursts
    expect(chooseStepTier(tenMin, { ...ctx, expectedEc2WaitSec: 5, waitValueUsdPerHour: 1e6 }).tier).toBe('ec2');
    expect(chooseStepTier(tenMin, { ...ctx, expectedEc2WaitSec: Infinity, waitValueUsdPerHour: 0.01 }).tier).toBe('lambda');
    expect(chooseStepTier(tenMin, { ...ctx, expectedEc2WaitSec: Infinity, waitValueUsdPerHour: 0 }).tier).toBe('ec2');
  });

  it('limits concurrency and the scaling rate (1,000 new environments per 10 s, refilled continuously)', () => {
    const l = new LambdaConcurrency(0, 3, 2);
    expect(l.tryStart(0)).toBe(true);
    expect(l.tryStart(0)).toBe(true);
    expect(l.tryStart(0)).toBe(false); // scaling bucket empty
    expect(l.tryStart(5)).toBe(true); // 1 token refilled in 5 s
    expect(l.tryStart(20)).toBe(false); // 3 running: the concurrency limit
    l.end();
    expect(l.tryStart(20)).toBe(true);
    expect(l.running).toBe(3);
  });
});
