/**
 * A warm pool's size counts against `maxInstances` (its stopped instances are instances the account
 * holds): one rule in core/plan/limits.ts (`warmPoolBreach`, `warmPoolRoom`), which the tick's
 * validate stage caps commands with and the Lambda's last-line guard refuses with.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyResult, CapacitySnapshot, Command, SafetyLimits, WarmPoolCommand } from '../../../src/core/model/index.js';
import { warmPoolBreach, warmPoolRoom } from '../../../src/core/plan/limits.js';
import { validateCommands } from '../../../src/core/tick/validate.js';
import { SafetyGuardProvider } from '../../../src/handlers/safety-guard.js';
import type { CloudProvider } from '../../../src/ports/index.js';
import { instance, offering } from '../plan/builders.js';

const NOW = 1000;
const od = offering('m5.large', 'on-demand', 0.1);
const limits: SafetyLimits = { maxInstances: 5, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 100 };
const twoLive: CapacitySnapshot = { atSec: NOW, instances: [instance('i-1', od), instance('i-2', od)], caches: [] };
const warm = (minSize: number, id = `w${minSize}`): WarmPoolCommand => ({ kind: 'warm-pool', id, poolId: 'p', reason: 't', offeringId: od.id, minSize, expectedCostUsdPerHour: 0.01 * minSize });
const launch = (id: string, count: number): Command => ({ kind: 'launch', id, poolId: 'p', reason: 't', offeringId: od.id, count, needAtSec: NOW, expectedCostUsdPerHour: count * od.priceUsdPerHour });

describe('the warm-pool rule (core/plan/limits.ts)', () => {
  it('breaches maxInstances when live instances plus the pool size exceed it, and leaves maxInstances minus live as room', () => {
    expect(warmPoolBreach(limits, 2, 3)).toBeUndefined();
    expect(warmPoolBreach(limits, 2, 4)).toEqual({ limit: 'maxInstances', value: 6, max: 5 });
    expect(warmPoolRoom(limits, 2)).toBe(3);
    expect(warmPoolRoom(limits, 7)).toBe(0);
  });
});

describe('validate and the warm-pool rule', () => {
  it('accepts a warm pool that fits beside the live instances unchanged', () => {
    const out = validateCommands([warm(3)], twoLive, new Map([[od.id, od]]), limits, NOW);
    expect(out.accepted).toEqual([warm(3)]);
    expect(out.decisions).toEqual([]);
  });

  it('caps an over-size warm pool to the room maxInstances leaves, with a safety decision', () => {
    const out = validateCommands([warm(8)], twoLive, new Map([[od.id, od]]), limits, NOW);
    expect(out.accepted).toEqual([{ ...warm(8), minSize: 3, expectedCostUsdPerHour: 0.03 }]);
    expect(out.decisions).toEqual([{ atSec: NOW, kind: 'safety', subject: 'p', chosen: 'cap w8 to 3', reason: 'would hold 10 instances > maxInstances 5' }]);
  });

  it('counts the launches accepted earlier in the tick: the room shrinks with them', () => {
    const out = validateCommands([launch('l', 2), warm(3)], twoLive, new Map([[od.id, od]]), limits, NOW);
    expect(out.accepted.map((c) => (c.kind === 'warm-pool' ? c.minSize : c.kind))).toEqual(['launch', 1]);
    expect(out.decisions.map((d) => d.chosen)).toEqual(['cap w3 to 1']);
  });
});

describe('the guard and the warm-pool rule', () => {
  function cloud(snap: CapacitySnapshot): CloudProvider & { applied: string[] } {
    const applied: string[] = [];
    return {
      applied,
      describeCapacity: async () => snap,
      offerings: async () => [od],
      apply: async (c): Promise<ApplyResult> => { applied.push(c.id); return { commandId: c.id, status: 'applied', instanceIds: [] }; },
    };
  }

  it('refuses exactly the warm pools the rule says breach, and applies the size validate caps to', async () => {
    const inner = cloud(twoLive);
    const guard = new SafetyGuardProvider(inner, limits);
    await guard.describeCapacity();
    for (const size of [0, 3, 4, 8]) {
      const res = await guard.apply(warm(size));
      expect(res.status === 'failed').toBe(warmPoolBreach(limits, 2, size) !== undefined);
    }
    expect(inner.applied).toEqual(['w0', 'w3']);
    expect((await guard.apply(warm(4, 'again'))).error).toEqual({ code: 'limit-exceeded', message: 'safety stop: warm pool of 4 with 2 live instance(s) exceeds maxInstances 5' });
    // what validate lets through, the guard applies
    const capped = validateCommands([warm(8, 'capped')], twoLive, new Map([[od.id, od]]), limits, NOW).accepted[0];
    expect((await guard.apply(capped)).status).toBe('applied');
  });
});
