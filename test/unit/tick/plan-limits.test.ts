/**
 * The global safety limits bind in the planner (core/tick/plan.ts through core/plan/limits.ts), not
 * in validate: with `maxChangeUnitsPerTick` or `maxInstances` tighter than what two pools want, the
 * plan stage shares one budget across the pools and validate then drops none of the planner's commands.
 * ElastiCache scale-out draws from the same spend budget (core/plan/limits.ts `cacheGrowthBreach`).
 */
import { describe, expect, it } from 'vitest';
import { CachePoolSchema, type CacheNodeOffering, type CapacitySnapshot, type Command, type Offering, type SafetyLimits } from '../../../src/core/model/index.js';
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

describe('cache scale-out inside the spend budget', () => {
  // a 4 GiB node keeps 3 GiB (75% usable); 11 GiB of held states need 4 shards; no replicas
  const cachePool = CachePoolSchema.parse({ kind: 'elasticache', id: 'state', nodeType: 'cache.test', shards: 1, replicasPerShard: 0, maxReplicasPerShard: 0, addLeadTimeSec: 0 });
  const node: CacheNodeOffering = { nodeType: 'cache.test', memoryGiB: 4, vcpu: 2, priceUsdPerHour: 0.25 };
  const withCache: CapacitySnapshot = { atSec: NOW, instances: [], caches: [{ poolId: 'state', replicationGroupId: 'g', nodeType: 'cache.test', shards: 1, replicasPerShard: 0, priceUsdPerNodeHour: 0.25 }] };
  const limits: SafetyLimits = { maxInstances: 200, maxSpendUsdPerHour: 1, maxChangeUnitsPerTick: 512 };
  const run = (l: SafetyLimits | undefined) => {
    const memory = createTickMemory([], false);
    memory.ledger.held.set('c1/t1', { gib: 11, untilSec: NOW + 86_400 });
    // web and batch each launch one 0.1 USD/h instance (2 units); the cache is billed 0.25 USD/h
    return planStage({ ...inputs(l, withCache, 2), cachePools: [cachePool], cacheNodes: [node] }, memory);
  };
  const scale = (cs: readonly Command[]) => cs.find((c) => c.kind === 'scale-cache');

  it('without the budget the planner asks for 4 shards and validate drops the scale-out (0.45 + 0.75 > 1 USD/h)', () => {
    const alone = run(undefined);
    expect(scale(alone.commands)).toMatchObject({ shards: 4 });
    const checked = validateCommands(alone.commands, withCache, offeringsById, limits, NOW);
    expect(checked.decisions.map((d) => [d.kind, d.subject])).toEqual([['safety', 'state']]);
    expect(scale(checked.accepted)).toBeUndefined();
  });

  it('with it the planner grows the cache to the 3 shards the EC2 pools\' plans leave room for, and validate drops nothing', () => {
    const out = run(limits);
    expect([launched(out.commands, 'web'), launched(out.commands, 'batch')]).toEqual([1, 1]);
    expect(scale(out.commands)).toMatchObject({ shards: 3, replicasPerShard: 0 }); // 0.2 + 0.75 ≤ 1 USD/h
    expect(out.decisions.find((d) => d.subject === 'state')!.reason).toContain('the spend budget (maxSpendUsdPerHour) allows 3 × 1, not 4 × 1');
    const checked = validateCommands(out.commands, withCache, offeringsById, limits, NOW);
    expect(checked.decisions).toEqual([]);
    expect(checked.accepted).toEqual(out.commands);
  });

  it('no room at all: the cache keeps its shape (no command) and says it evicts', () => {
    const out = run({ ...limits, maxSpendUsdPerHour: 0.5 });
    expect(scale(out.commands)).toBeUndefined();
    expect(out.decisions.find((d) => d.subject === 'state')!.reason).toContain('(the cache evicts)');
  });
});
