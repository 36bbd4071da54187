import { describe, expect, it } from 'vitest';
import { advisorBucketFromMaxPct, hazardPerHourFromAdvisorBucket } from '../../../src/core/market/index.js';
import { InputError } from '../../../src/core/model/index.js';

describe('hazardPerHourFromAdvisorBucket', () => {
  it('turns a monthly interrupted share into a constant hourly hazard λ = −ln(1−p)/720', () => {
    expect(hazardPerHourFromAdvisorBucket(0)).toBeCloseTo(-Math.log(1 - 0.025) / 720, 15);
    // a whole 720 h month at λ interrupts exactly the bucket's share
    for (const [b, p] of [[0, 0.025], [1, 0.08], [2, 0.135], [3, 0.19], [4, 0.3]] as const) {
      expect(1 - Math.exp(-hazardPerHourFromAdvisorBucket(b) * 720)).toBeCloseTo(p, 12);
    }
  });

  it('grows with the bucket', () => {
    const hs = [0, 1, 2, 3, 4].map(hazardPerHourFromAdvisorBucket);
    for (let i = 1; i < hs.length; i++) expect(hs[i]).toBeGreaterThan(hs[i - 1]);
  });

  it('rejects an index outside 0..4 with an InputError naming the field', () => {
    expect(() => hazardPerHourFromAdvisorBucket(5)).toThrow(InputError);
    expect(() => hazardPerHourFromAdvisorBucket(1.5)).toThrow(/interruptionBucket: got 1.5, expected a Spot Advisor bucket index 0..4/);
  });

  it('maps the Advisor max values 5, 11, 16, 22, 100 to buckets 0..4', () => {
    expect([5, 11, 16, 22, 100].map(advisorBucketFromMaxPct)).toEqual([0, 1, 2, 3, 4]);
    expect(() => advisorBucketFromMaxPct(101)).toThrow(InputError);
  });
});
