import { describe, expect, it } from 'vitest';
import { authorize, matchesPattern } from '../../../src/core/compose/index.js';
import { PolicySchema, PrincipalSchema } from '../../../src/core/model/index.js';

const bob = PrincipalSchema.parse({ id: 'bob', kind: 'user', memberOf: ['tenant-a'] });
const req = { workflow: 'etl', variant: 'spot', pools: ['spot-batch'] };

describe('authorize', () => {
  it('allows through a group policy and names it, with the tightest spend cap', () => {
    const policies = [
      PolicySchema.parse({ id: 'tenant-a-etl', effect: 'allow', principals: ['tenant-a'], workflows: ['etl'], spendCapUsdPerHour: 10 }),
      PolicySchema.parse({ id: 'bob-cap', effect: 'allow', principals: ['bob'], workflows: ['e*'], spendCapUsdPerHour: 2 }),
    ];
    expect(authorize(bob, policies, req)).toMatchObject({ allowed: true, policyId: 'tenant-a-etl', spendCap: { usdPerHour: 2, policyId: 'bob-cap' } });
  });

  it('denies by default when nothing matches', () => {
    const policies = [PolicySchema.parse({ id: 'other', effect: 'allow', principals: ['carol'] })];
    expect(authorize(bob, policies, req)).toMatchObject({ allowed: false, policyId: 'default-deny' });
  });

  it('lets an explicit deny win over an allow', () => {
    const policies = [
      PolicySchema.parse({ id: 'allow-all', effect: 'allow', principals: ['*'] }),
      PolicySchema.parse({ id: 'no-spot', effect: 'deny', principals: ['bob'], pools: ['spot-*'] }),
    ];
    expect(authorize(bob, policies, req)).toMatchObject({ allowed: false, policyId: 'no-spot' });
    expect(authorize(bob, policies, { ...req, pools: ['od'] })).toMatchObject({ allowed: true, policyId: 'allow-all' });
  });

  it('denies a variant using a pool the allow policy does not list', () => {
    const policies = [PolicySchema.parse({ id: 'od-only', effect: 'allow', principals: ['bob'], pools: ['od'] })];
    const res = authorize(bob, policies, { ...req, pools: ['od', 'spot-batch'] });
    expect(res.allowed).toBe(false);
    expect(res.reason).toMatch(/policy od-only allows .* but not all its pools/);
  });

  it('matches * wildcards and escapes other characters', () => {
    expect(matchesPattern('etl-*', 'etl-nightly')).toBe(true);
    expect(matchesPattern('a.b', 'axb')).toBe(false);
  });
});
