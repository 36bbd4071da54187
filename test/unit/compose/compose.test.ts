import { describe, expect, it } from 'vitest';
import { composeWorkflow, learnedBehaviour, type AuthorizationContext } from '../../../src/core/compose/index.js';
import { InputError, PolicySchema, PrincipalSchema } from '../../../src/core/model/index.js';
import { etlWorkflow, fixedProfile, poolAvail } from '../../fixtures/tasks/builders.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user', memberOf: ['analysts'] });
const allowAll = PolicySchema.parse({ id: 'analysts-all', effect: 'allow', principals: ['analysts'] });
const auth = (policies = [allowAll], spentUsdLastHour = 0): AuthorizationContext => ({ principal: alice, policies, spentUsdLastHour });

// Per task (1 vCPU, 600 s): spot 0.01/6 + (1 − e^(−0.1/6)) × 0.04/6; on-demand 0.04/6.
const spotTaskUsd = 0.01 / 6 + (1 - Math.exp(-0.1 / 6)) * (0.04 / 6);
const odTaskUsd = 0.04 / 6;

describe('composeWorkflow with a fixed availability profile', () => {
  it('scores every variant and picks the cheaper spot variant when both fit', () => {
    const res = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), subject: 'chain-1' });
    expect(res.status).toBe('composed');
    if (res.status !== 'composed') return;
    expect(res.dag.variant).toBe('spot');
    expect(res.dag.steps.map((s) => `${s.taskId}@${s.poolId}`)).toEqual(['a@spot-batch', 'b@spot-batch', 'c@spot-batch']);
    expect(res.score.expectedCostUsd).toBeCloseTo(3 * spotTaskUsd, 10);
    expect(res.score.score).toBeCloseTo(0.4 * 0.5 + 0.3 * 1 + 0.3 * 1, 10);
    const compose = res.decisions.find((d) => d.kind === 'compose')!;
    expect(compose.chosen).toBe('spot');
    const od = compose.candidates!.find((c) => c.name === 'on-demand')!;
    expect(od.parts!.costScore).toBeCloseTo(spotTaskUsd / odTaskUsd, 10);
    expect(od.score).toBeCloseTo(0.2 + 0.3 + 0.3 * (spotTaskUsd / odTaskUsd), 10);
    expect(res.decisions.filter((d) => d.kind === 'authorize').map((d) => d.policyId)).toEqual(['analysts-all', 'analysts-all']);
  });

  it('lets the behaviour model and weights change the choice', () => {
    const res = composeWorkflow({
      workflow: etlWorkflow(),
      auth: auth(),
      availability: fixedProfile(),
      behaviour: { spot: 0.05, 'alice/on-demand': 0.95 },
      options: { weights: { probability: 1, fit: 0, cost: 0.1 } },
      subject: 'c',
    });
    expect(res.status === 'composed' && res.dag.variant).toBe('on-demand');
  });

  it('evaluates a mathjs scoring formula', () => {
    const res = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), options: { formula: '1 - cost + probability * 0' }, subject: 'c' });
    expect(res.status === 'composed' && res.dag.variant).toBe('on-demand');
    expect(() => composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), options: { formula: 'probability +' }, subject: 'c' })).toThrow(InputError);
  });

  it('queues with an estimated start when no variant fits now', () => {
    const profile = fixedProfile({
      'spot-batch': poolAvail('spot-batch', 1, { spotUsdPerUnitHour: 0.01 }, 1000),
      od: { poolId: 'od', slots: [{ startSec: 1000, availableUnits: 1 }, { startSec: 4000, availableUnits: 4 }], onDemandUsdPerUnitHour: 0.04 },
    });
    const res = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: profile, subject: 'c' });
    expect(res.status).toBe('fallback');
    if (res.status !== 'fallback') return;
    expect(res.fallback).toMatchObject({ kind: 'queue', variant: 'on-demand', estimatedStartSec: 4000 });
    const compose = res.decisions.find((d) => d.kind === 'compose')!;
    expect(compose.chosen).toBe('queue:on-demand');
    expect(compose.candidates!.map((c) => c.excludedBecause)).toEqual(['fit 0.5 < minFit 1', 'fit 0.5 < minFit 1']);
  });

  it('requests the missing capacity when configured to', () => {
    const profile = fixedProfile({ 'spot-batch': poolAvail('spot-batch', 1, { spotUsdPerUnitHour: 0.01 }, 1000), od: poolAvail('od', 0, { onDemandUsdPerUnitHour: 0.04 }, 1000) });
    const res = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: profile, options: { fallback: { kind: 'request-capacity' } }, subject: 'c' });
    expect(res.status === 'fallback' && res.fallback).toMatchObject({ kind: 'request-capacity', variant: 'spot', capacityRequests: [{ poolId: 'spot-batch', units: 1, needAtSec: 1000 }] });
  });

  it('denies by default and names the policy', () => {
    const res = composeWorkflow({ workflow: etlWorkflow(), auth: auth([]), availability: fixedProfile(), subject: 'c' });
    expect(res).toMatchObject({ status: 'denied', policyId: 'default-deny' });
  });

  it('leaves out a variant an explicit deny policy names and runs the allowed one', () => {
    const noSpot = PolicySchema.parse({ id: 'no-spot', effect: 'deny', principals: ['alice'], pools: ['spot-batch'] });
    const res = composeWorkflow({ workflow: etlWorkflow(), auth: auth([allowAll, noSpot]), availability: fixedProfile(), subject: 'c' });
    expect(res.status === 'composed' && res.dag.variant).toBe('on-demand');
    expect(res.decisions.find((d) => d.kind === 'authorize' && d.subject === 'c/spot')).toMatchObject({ chosen: 'deny', policyId: 'no-spot' });
  });

  it('excludes variants over the spend cap and reports the cap policy when all are over', () => {
    const capped = PolicySchema.parse({ id: 'cap-1c', effect: 'allow', principals: ['alice'], spendCapUsdPerHour: 0.01 });
    const ok = composeWorkflow({ workflow: etlWorkflow(), auth: auth([capped]), availability: fixedProfile(), subject: 'c' });
    expect(ok.status === 'composed' && ok.dag.variant).toBe('spot');
    expect(ok.decisions.find((d) => d.kind === 'compose')!.candidates!.find((c) => c.name === 'on-demand')!.excludedBecause).toMatch(/spend cap 0.01 USD\/h of policy cap-1c/);
    const over = composeWorkflow({ workflow: etlWorkflow(), auth: auth([capped], 0.006), availability: fixedProfile(), subject: 'c' });
    expect(over).toMatchObject({ status: 'over-spend-cap', policyId: 'cap-1c' });
  });

  it('gives the same result for the same input (pure)', () => {
    const a = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), subject: 'c' });
    const b = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), subject: 'c' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('learns the variant split from the principal\'s own chains and never from another principal\'s', () => {
    const mine = Array.from({ length: 18 }, () => ({ principalId: 'alice', workflow: 'etl', variant: 'on-demand' }));
    const bobs = Array.from({ length: 500 }, () => ({ principalId: 'bob', workflow: 'etl', variant: 'spot' }));
    const options = { weights: { probability: 1, fit: 0, cost: 0.1 } };
    const learned = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), behaviour: learnedBehaviour([...mine, ...bobs], 'alice', etlWorkflow()), options, subject: 'c' });
    expect(learned.status === 'composed' && learned.dag.variant).toBe('on-demand');
    const od = learned.decisions.find((d) => d.kind === 'compose')!.candidates!.find((c) => c.name === 'on-demand')!;
    expect(od.parts!.probability).toBeCloseTo(19 / 20, 12);
    // bob's 500 spot chains say nothing about alice: with no history of her own she gets the table, then uniform
    const onlyBob = learnedBehaviour(bobs, 'alice', etlWorkflow(), { 'alice/on-demand': 0.7 });
    expect(onlyBob({ principalId: 'alice', workflow: 'etl', variant: 'on-demand' })).toBe(0.7);
    expect(onlyBob({ principalId: 'alice', workflow: 'etl', variant: 'spot' })).toBeUndefined();
    const uniform = composeWorkflow({ workflow: etlWorkflow(), auth: auth(), availability: fixedProfile(), behaviour: learnedBehaviour(bobs, 'alice', etlWorkflow()), subject: 'c' });
    expect(uniform.decisions.find((d) => d.kind === 'compose')!.candidates!.map((c) => c.parts!.probability)).toEqual([0.5, 0.5]);
    // a model built for alice answers a query for bob from the table only
    expect(learnedBehaviour(mine, 'alice', etlWorkflow())({ principalId: 'bob', workflow: 'etl', variant: 'on-demand' })).toBeUndefined();
  });
});
