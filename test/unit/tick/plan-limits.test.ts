/**
 * The global safety limits bind in the planner (core/tick/plan.ts through core/plan/limits.ts), not
 * in validate: with `maxChangeUnitsPerTick` or `maxInstances` tighter than what two pools want, the
 * plan stage shares one budget across the pools and validate then drops none of the planner's commands.
 */
import { describe, expect, it } from 'vitest';
import type { CapacitySnapshot, Command, Offering, SafetyLimits } from '../../../src/core/model/index.js';
import { createGreedyPlanner } from '../../../src/core/plan/index.js';
import { createTickMemory } from '../../../src/core/tick/memory.js';
import { planStage, type PlanInputs } from '../../../src/core/tick/plan.js';
import { validateCommands } from '../../../src/core/tick/validate.js';
import { instance, offering, pool } from '../plan/builders.js';

const NOW = 1000;
const web = pool({ id: 'web', maxUnits: 1000 });
const batch = pool({ id: 'batch', maxUnits: 1000 });
const od: Offering = offering('m5.large', 'on-demand', 0.1); // 2 units, 90 s lead time

function inputs(limits: SafetyLimits | undefined, capacity: CapacitySnapshot, unitsPerPool = 40, priorChangeUnits = 0): PlanInputs {
  const slots = 10;
  return {
    nowSec: NOW, tickSec: 60, slotSec: 60, slots, levels: [0.5, 0.9, 0.95], pools: [web, batch], cachePools: [], cacheNodes: [],
    offeringsByPool: new Map([['web', [od]], ['batch', [od]]]), capacity, signals: [], backlogSignals: [],
    latest: { recent: new Map(), recentAtSec: undefined, recentBacklog: new Map() },
    prediction: { unitsByPool: new Map(), prefetchInputs: [], committedByPool: new Map([['web', new Array(slots).fill(unitsPerPool)], ['batch', new Array(slots).fill(unitsPerPool)]]) },
    cloudEventCount: 0, planner: createGreedyPlanner({ tickSec: 60 }), ...(limits ? { limits } : {}), priorChangeUnits, prefetch: undefined,
  };
}

const launched = (cs: readonly Command[], poolId: string): number => cs.filter((c) => c.kind === 'launch' && c.poolId === poolId).reduce((s, c) => s + (c.kind === 'launch' ? c.count : 0), 0);
const empty: CapacitySnapshot = { atSec: NOW, instances: [], caches: [] };
const offeringsById = new Map([[od.id, od]]);

describe('global limits in the planner', () => {
  it('without binding limits both pools get all they need (20 instances each)', () => {
    const out = planStage(inputs({ maxInstances: 200, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 512 }, empty), createTickMemory([], false));
    expect([launched(out.commands, 'web'), launched(out.commands, 'batch')]).toEqual([20, 20]);
  });

  it('maxChangeUnitsPerTick is one budget across pools: the second pool gets what the first leaves, and validate drops nothing', () => {
    const limits: SafetyLimits = { maxInstances: 200, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 50 };
    const out = planStage(inputs(limits, empty), createTickMemory([], false));
    expect([launched(out.commands, 'web'), launched(out.commands, 'batch')]).toEqual([20, 5]); // 40 + 10 units = 50
    expect(out.decisions.find((d) => d.subject === 'batch')!.reason).toContain('global change limit per tick');
    const checked = validateCommands(out.commands, empty, offeringsById, limits, NOW);
    expect(checked.decisions).toEqual([]);
    expect(checked.accepted).toEqual(out.commands);
    // before the planner knew the global limit, validate dropped the second pool's launch
    const alone = planStage(inputs(undefined, empty), createTickMemory([], false));
    expect(validateCommands(alone.commands, empty, offeringsById, limits, NOW).decisions.map((d) => d.kind)).toEqual(['safety']);
  });

  it('units the spot stage already changed this tick count against the planner\'s change budget', () => {
    const limits: SafetyLimits = { maxInstances: 200, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 50 };
    const out = planStage(inputs(limits, empty, 40, 30), createTickMemory([], false));
    expect([launched(out.commands, 'web'), launched(out.commands, 'batch')]).toEqual([10, 0]);
    expect(validateCommands(out.commands, empty, offeringsById, limits, NOW, 30).decisions).toEqual([]);
  });

  it('maxInstances counts every pool\'s live instances and earlier pools\' launches, and validate drops nothing', () => {
    const limits: SafetyLimits = { maxInstances: 30, maxSpendUsdPerHour: 100, maxChangeUnitsPerTick: 512 };
    const live: CapacitySnapshot = { atSec: NOW, instances: [instance('i-1', od, { poolId: 'batch', busyUnits: 2 }), instance('i-2', od, { poolId: 'batch', busyUnits: 2 })], caches: [] };
    const out = planStage(inputs(limits, live), createTickMemory([], false));
    expect([launched(out.commands, 'web'), launched(out.commands, 'batch')]).toEqual([20, 8]); // 2 live + 20 + 8 = 30
    expect(out.decisions.find((d) => d.subject === 'batch')!.reason).toContain('max instances');
    const checked = validateCommands(out.commands, live, offeringsById, limits, NOW);
    expect(checked.decisions).toEqual([]);
    expect(checked.accepted).toHaveLength(out.commands.length);
  });
});
