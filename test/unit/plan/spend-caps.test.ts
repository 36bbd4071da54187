import { describe, expect, it } from 'vitest';
import { createGreedyPlanner, effectiveSpendCap, remainingSpendCapUsdPerHour } from '../../../src/core/plan/index.js';
import { InputError } from '../../../src/core/model/index.js';
import { flatDemand, input, offering, pool } from './builders.js';

describe('spend caps', () => {
  it('takes the smallest of the pool cap and the principal/global caps', () => {
    expect(effectiveSpendCap({ spendCapUsdPerHour: 1, extraSpendCaps: [{ label: 'global', capUsdPerHour: 0.5 }, { label: 'principal t1', capUsdPerHour: 0.7 }] })).toEqual({ label: 'global', capUsdPerHour: 0.5 });
    expect(effectiveSpendCap({})).toBeUndefined();
    expect(() => effectiveSpendCap({ extraSpendCaps: [{ label: 'x', capUsdPerHour: -1 }] })).toThrow(InputError);
  });

  it('gives a pool what other pools leave of a shared cap', () => {
    expect(remainingSpendCapUsdPerHour(1, { a: 0.3, b: 0.5, c: 0.1 }, 'c')).toBeCloseTo(0.2, 12);
    expect(remainingSpendCapUsdPerHour(1, { a: 2 }, 'b')).toBe(0);
  });

  it('never plans past a global cap shared with other pools and names it', () => {
    const p = pool({ markets: ['on-demand'] });
    const od = offering('m5.large', 'on-demand', 0.1);
    const cap = remainingSpendCapUsdPerHour(0.5, { p: 0, other: 0.25 }, 'p');
    const { plan } = createGreedyPlanner().plan(input({ pool: p, offerings: [od], extraSpendCaps: [{ label: 'global', capUsdPerHour: cap }], demand: flatDemand(3, 1000, 60, 10) }));
    expect(plan.slots.every((s) => s.plannedUnits === 4)).toBe(true);
    expect(plan.reason).toMatch(/spend cap 0\.25 USD\/h \(global\)/);
  });
});
