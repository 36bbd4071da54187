import { describe, expect, it } from 'vitest';
import { rescoreForSwitch, withPoolUnavailable, type AuthorizationContext } from '../../../src/core/compose/index.js';
import { PolicySchema, PrincipalSchema } from '../../../src/core/model/index.js';
import { etlWorkflow, fixedProfile } from '../../fixtures/tasks/builders.js';

const alice = PrincipalSchema.parse({ id: 'alice', kind: 'user' });
const auth = (pools = ['*']): AuthorizationContext => ({ principal: alice, policies: [PolicySchema.parse({ id: 'p', effect: 'allow', principals: ['alice'], pools })], spentUsdLastHour: 0 });

describe('rescoreForSwitch', () => {
  it('switches the remaining steps to on-demand on a spot interruption notice', () => {
    const res = rescoreForSwitch({
      workflow: etlWorkflow(),
      currentVariant: 'spot',
      doneTaskIds: ['a'],
      auth: auth(),
      availability: withPoolUnavailable(fixedProfile(), 'spot-batch'),
      trigger: { kind: 'spot-interruption-notice', poolId: 'spot-batch', detail: 'i-123' },
      subject: 'exec-1',
    });
    expect(res).toMatchObject({ variant: 'on-demand', switched: true, remainingTaskIds: ['b', 'c'] });
    expect(res.decision.kind).toBe('switch');
    expect(res.decision.reason).toMatch(/spot capacity of pool spot-batch received an interruption notice \(i-123\); switching remaining steps to on-demand/);
    expect(res.decision.candidates!.find((c) => c.name === 'spot')!.excludedBecause).toMatch(/^current variant/);
    // Only the remaining two tasks are costed.
    expect(res.scores.find((s) => s.variant === 'on-demand')!.taskCosts.map((t) => t.taskId)).toEqual(['b', 'c']);
  });

  it('stays when no authorized alternative fits', () => {
    const res = rescoreForSwitch({
      workflow: etlWorkflow(),
      currentVariant: 'spot',
      doneTaskIds: ['a'],
      auth: auth(['spot-batch']),
      availability: fixedProfile(),
      trigger: { kind: 'insufficient-capacity', poolId: 'spot-batch' },
      subject: 'exec-1',
    });
    expect(res).toMatchObject({ variant: 'spot', switched: false });
    expect(res.decision.reason).toMatch(/no authorized alternative fits, staying on spot/);
  });

  it('switches on an overrun of p95 × factor', () => {
    const res = rescoreForSwitch({
      workflow: etlWorkflow(),
      currentVariant: 'spot',
      doneTaskIds: ['a'],
      auth: auth(),
      availability: fixedProfile(),
      trigger: { kind: 'overrun', taskId: 'a', runtimeSec: 2000, p95Sec: 900, factor: 2 },
      subject: 'exec-1',
    });
    expect(res.variant).toBe('on-demand');
    expect(res.decision.reason).toMatch(/step a ran 2000 s, over 2 × its p95 900 s/);
  });

  it('keeps the current variant at an ordinary boundary, and leaves it when it no longer fits', () => {
    const base = { workflow: etlWorkflow(), currentVariant: 'spot', doneTaskIds: ['a'], auth: auth(), subject: 'e' };
    expect(rescoreForSwitch({ ...base, availability: fixedProfile() })).toMatchObject({ variant: 'spot', switched: false });
    const res = rescoreForSwitch({ ...base, availability: withPoolUnavailable(fixedProfile(), 'spot-batch') });
    expect(res).toMatchObject({ variant: 'on-demand', switched: true });
    expect(res.decision.reason).toMatch(/no longer fit \(fit 0 < 1\)/);
  });
});
