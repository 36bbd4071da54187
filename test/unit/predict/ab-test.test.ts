import { describe, expect, it } from 'vitest';
import { assignArm, compareArms, emptyArmMetrics, normalCdf, selectPrefetchForArms, type PrefetchArm } from '../../../src/core/predict/index.js';
import { InputError, TaskDefinitionSchema } from '../../../src/core/model/index.js';

const arms: PrefetchArm[] = [
  { name: 'control', config: { enabled: false } },
  { name: 'eager', config: { probabilityThreshold: 0.2, topN: 3, maxConcurrent: 100, budget: { vcpu: 100, memoryGiB: 100 } } },
];

describe('A/B testing of prefetch configurations', () => {
  it('assigns a principal to the same arm every time and spreads principals by weight', () => {
    expect(assignArm('alice', arms).name).toBe(assignArm('alice', arms).name);
    const counts = { control: 0, eager: 0 } as Record<string, number>;
    for (let i = 0; i < 2000; i++) counts[assignArm(`user-${i}`, arms).name]++;
    expect(counts.control).toBeGreaterThan(850);
    expect(counts.eager).toBeGreaterThan(850);
    const weighted = [{ ...arms[0], weight: 9 }, arms[1]];
    let eager = 0;
    for (let i = 0; i < 2000; i++) if (assignArm(`user-${i}`, weighted).name === 'eager') eager++;
    expect(eager).toBeGreaterThan(120);
    expect(eager).toBeLessThan(280);
  });

  it('rejects no arms, bad weights and duplicate names', () => {
    expect(() => assignArm('a', [])).toThrow(InputError);
    expect(() => assignArm('a', [{ name: 'x', weight: 0, config: {} }])).toThrow(InputError);
    expect(() => assignArm('a', [arms[0], arms[0]])).toThrow(InputError);
  });

  it('selects per arm with the arm configuration and tags commands with the arm', () => {
    const task = TaskDefinitionSchema.parse({ task_id: 'load', executable_code_location: 'x', resource_requirements: { vcpu: 1, memoryGiB: 1 }, prepare: 'p', setupShare: 0.5, runtime: { meanSec: 10, p50Sec: 10, p95Sec: 10 } });
    const chains = Array.from({ length: 20 }, (_, i) => ({
      chainId: `c${i}`,
      workflow: 'wf',
      principal: `user-${i}`,
      predictions: [{ taskType: 'load', probability: 0.5, expectedStartInSec: 5 }],
      pendingSteps: [{ task, poolId: 'p' }],
    }));
    const sel = selectPrefetchForArms(chains, arms, 100);
    const eagerChains = Object.entries(sel.armOfChain).filter(([, a]) => a === 'eager').map(([c]) => c).sort();
    expect(eagerChains.length).toBeGreaterThan(0);
    expect(sel.commands.map((c) => c.chainId).sort()).toEqual(eagerChains);
    expect(sel.commands.every((c) => c.arm === 'eager')).toBe(true);
  });

  it('compares arms with the control: hit rates, saved time per wasted dollar and a z-test', () => {
    const m = {
      control: { ...emptyArmMetrics(), prepared: 200, hits: 100, triggers: 150, setupSecSaved: 500, wastedUsd: 1 },
      eager: { ...emptyArmMetrics(), prepared: 200, hits: 150, triggers: 160, setupSecSaved: 900, wastedUsd: 0.5 },
    };
    const [c, e] = compareArms(m, 'control');
    expect(c).toMatchObject({ arm: 'control', hitRate: 0.5, hitRateDelta: 0 });
    expect(Number.isNaN(c.pValue)).toBe(true);
    expect(e.hitRate).toBe(0.75);
    expect(e.hitRateDelta).toBeCloseTo(0.25);
    expect(e.savedSecPerWastedUsd).toBe(1800);
    expect(e.pValue).toBeLessThan(0.001);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
  });
});
