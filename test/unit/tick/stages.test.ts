/**
 * The tick's pure stages (core/tick, core/prefetch) and the one limits module (core/plan/limits.ts),
 * without mocks: the chain view keys steps in one place, the prefetch stage never prepares a step
 * twice, validate never terminates an instance only the ledger knows of, and the planner plans every
 * pool under one spend budget.
 */
import { describe, expect, it } from 'vitest';
import type { CapacitySnapshot, Command, ExecutionEvent, Instance, SafetyLimits } from '../../../src/core/model/index.js';
import { addUsage, breachOf, breachText, poolSpendCap, principalCapReached, spendOf, usageOf } from '../../../src/core/plan/limits.js';
import { buildChainView, stepKey } from '../../../src/core/tick/chain-view.js';
import { createTickMemory } from '../../../src/core/tick/memory.js';
import { observeStage } from '../../../src/core/tick/observe.js';
import { listedOnly } from '../../../src/core/tick/validate.js';
import { prefetchStage } from '../../../src/core/prefetch/stage.js';
import { parsePrefetchConfig } from '../../../src/core/prefetch/selection.js';
import { createNextStepModel } from '../../../src/core/predict/index.js';
import { task } from '../../builders/tasks.js';

const limits: SafetyLimits = { maxInstances: 3, maxSpendUsdPerHour: 1, maxChangeUnitsPerTick: 8 };
const inst = (id: string, poolId: string, priceUsdPerHour: number): Instance => ({
  id, poolId, offeringId: 'o', instanceType: 'm5.large', market: 'on-demand', az: 'a', capacityUnits: 2, state: 'running', launchedAtSec: 0, priceUsdPerHour, commandId: 'l', tags: {},
});
const snap: CapacitySnapshot = {
  atSec: 0, instances: [inst('i-1', 'web', 0.2), inst('i-2', 'batch', 0.3), { ...inst('i-3', 'web', 5), state: 'terminated' }],
  caches: [{ poolId: 'state', replicationGroupId: 'g', nodeType: 'cache.t4g.medium', shards: 2, replicasPerShard: 0, priceUsdPerNodeHour: 0.1 }],
};

describe('core/plan/limits', () => {
  it('counts live instances and the cache groups in the spend', () => {
    expect(spendOf(snap)).toBeCloseTo(0.7, 12);
    expect(usageOf(snap)).toEqual({ instances: 2, spendUsdPerHour: spendOf(snap), changeUnits: 0 });
  });

  it('names the first limit a growth breaches, and lets shrinking through', () => {
    const u = usageOf(snap);
    expect(breachText(breachOf(limits, u, { instances: 2, spendUsdPerHour: 0.1, changeUnits: 4 })!)).toBe('would hold 4 instances > maxInstances 3');
    expect(breachText(breachOf(limits, u, { instances: 1, spendUsdPerHour: 0.4, changeUnits: 2 })!)).toBe('would spend 1.10 USD/h > maxSpendUsdPerHour 1');
    expect(breachText(breachOf(limits, addUsage(u, { changeUnits: 8 }), { changeUnits: 2 })!)).toBe('would change 10 units > maxChangeUnitsPerTick 8');
    expect(breachOf(limits, u, { instances: -1, changeUnits: 2 })).toBeUndefined();
  });

  it('gives each pool the spend budget the others leave (one budget across pools)', () => {
    // 1 USD/h less the cache (0.2) and the batch pool (0.3): web may spend 0.5 in all
    expect(poolSpendCap(limits, usageOf(snap), 0.2).capUsdPerHour).toBeCloseTo(0.5, 12);
    // once web's plan adds 0.4 (web 0.6 in all), batch may spend 1 − (0.2 cache + 0.6 web) = 0.2 in all
    const afterWeb = addUsage(usageOf(snap), { spendUsdPerHour: 0.4 });
    expect(poolSpendCap(limits, afterWeb, 0.3).capUsdPerHour).toBeCloseTo(0.2, 12);
    expect(poolSpendCap(limits, addUsage(afterWeb, { spendUsdPerHour: 5 }), 0.3).capUsdPerHour).toBe(0);
  });

  it('a principal cap is reached when spent plus expected exceed it', () => {
    expect(principalCapReached(5, 4, 0.5)).toBe(false);
    expect(principalCapReached(5, 4.8, 0.5)).toBe(true);
  });
});

describe('core/tick stages', () => {
  const ev = (taskId: string, kind: ExecutionEvent['kind'], atSec: number): ExecutionEvent => ({ chainId: 'c1', workflow: 'w', variant: 'v', taskId, taskType: taskId, kind, atSec });

  it('builds one chain view per tick: the started steps keyed chainId/taskId', () => {
    const view = buildChainView([ev('a', 'submitted', 1), ev('a', 'started', 2), ev('b', 'submitted', 3)], 10);
    expect([...view.startedKeys]).toEqual([stepKey('c1', 'a')]);
    expect(stepKey('c1', 'a')).toBe('c1/a');
  });

  it('observe frees the prepared mark of a step that started and records how far events were read', () => {
    const memory = createTickMemory([], false);
    memory.prepared.add('c1/a');
    memory.prepared.add('c1/b');
    const out = observeStage({ view: buildChainView([ev('a', 'started', 2)], 10), nextStep: createNextStepModel('markov1') }, memory);
    expect([...out.memory.prepared]).toEqual(['c1/b']);
    expect(out.memory.lastEventSec).toBe(10);
    expect(out.commands).toEqual([]);
  });

  it('prefetch never prepares a step already prepared, and is off without a config', () => {
    const load = task('load', [], { prepare: 'module:./load.js#prepare', setupShare: 0.5 });
    const chains = [{ chainId: 'c1', workflow: 'w', predictions: [{ taskType: 'load', probability: 0.9, expectedStartInSec: 60 }], pendingSteps: [{ task: load, poolId: 'p' }] }];
    const config = parsePrefetchConfig({ probabilityThreshold: 0.3 });
    const memory = createTickMemory([], false);
    const first = prefetchStage({ nowSec: 100, chains, config }, memory);
    expect(first.commands.map((c) => [c.kind, c.chainId, c.taskId])).toEqual([['pre-execute', 'c1', 'load']]);
    memory.prepared.add('c1/load');
    expect(prefetchStage({ nowSec: 160, chains, config }, memory).commands).toEqual([]);
    expect(prefetchStage({ nowSec: 100, chains, config: undefined }, createTickMemory([], false)).commands).toEqual([]);
  });

  it('validate never names an instance only the pending-launch ledger knows of in a terminate', () => {
    const t = (ids: string[]): Command => ({ kind: 'terminate', id: 't', poolId: 'web', reason: 'r', instanceIds: ids });
    expect(listedOnly([t(['i-1', 'unseen:x'])], new Set(['unseen:x']))).toEqual([t(['i-1'])]);
    expect(listedOnly([t(['unseen:x'])], new Set(['unseen:x']))).toEqual([]);
  });
});
