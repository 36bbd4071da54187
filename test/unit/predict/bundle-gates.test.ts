/**
 * Bundle gates (issue 22 tuning): members are expected their median lag after the root, members whose
 * prepared state would wait longer than `maxHoldSec` are not prepared, and members join only a root
 * predicted at least `minRootProbability` likely.
 */
import { describe, expect, it } from 'vitest';
import { feasibleBundles, parsePrefetchConfig, selectPrefetch, type MinedBundle, type PrefetchChainInput } from '../../../src/core/predict/index.js';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';

const task = (id: string) => TaskDefinitionSchema.parse({
  task_id: id, executable_code_location: `module:./${id}.js#run`, resource_requirements: { vcpu: 1, memoryGiB: 2 },
  prepare: `module:./${id}.js#prepare`, setupShare: 0.5, runtime: { meanSec: 60, p50Sec: 60, p95Sec: 90 },
});
const bundle: MinedBundle = { workflow: 'wf', root: 'a', members: ['b', 'c'], confidence: 1, rootChains: 10, medianLagSec: [40, 400] };
const chain = (p: number): PrefetchChainInput => ({
  chainId: 'c1', workflow: 'wf', predictions: [{ taskType: 'a', probability: p, expectedStartInSec: 30 }],
  pendingSteps: ['a', 'b', 'c'].map((t) => ({ task: task(t), poolId: 'pool' })),
});
const setup = (): number => 30;

describe('bundle gates', () => {
  it('drops members whose state would wait longer than maxHoldSec (lag − setup), within the TTL', () => {
    expect(feasibleBundles([bundle], setup, 900)[0].members).toEqual(['b', 'c']);
    expect(feasibleBundles([bundle], setup, 900, { maxHoldSec: 120 })[0].members).toEqual(['b']);
    expect(feasibleBundles([bundle], setup, 300, { maxHoldSec: 1000 })[0].members).toEqual(['b']);
  });

  it('expects a member its median lag after the root', () => {
    const sel = selectPrefetch([chain(0.9)], parsePrefetchConfig({}), 0, feasibleBundles([bundle], setup, 900));
    expect(Object.fromEntries(sel.commands.map((c) => [c.taskId, c.expectedStartInSec]))).toEqual({ a: 30, b: 70, c: 430 });
  });

  it('prepares members only with a root predicted at least minRootProbability likely', () => {
    const gated = feasibleBundles([bundle], setup, 900, { minRootProbability: 0.6 });
    expect(selectPrefetch([chain(0.5)], parsePrefetchConfig({}), 0, gated).commands.map((c) => c.taskId)).toEqual(['a']);
    expect(selectPrefetch([chain(0.7)], parsePrefetchConfig({}), 0, gated).commands.map((c) => c.taskId).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('bundle gates with the outcome feedback', () => {
  it('counts the root\'s predicted start in a member\'s hold', () => {
    const held = feasibleBundles([{ ...bundle, members: ['b'], medianLagSec: [100] }], setup, 900, { maxHoldSec: 120 });
    const late: PrefetchChainInput = { ...chain(0.9), predictions: [{ taskType: 'a', probability: 0.9, expectedStartInSec: 60 }] };
    // lag 100 − setup 30 = 70 s ≤ 120, but with the root 60 s away the state would wait 130 s
    expect(selectPrefetch([chain(0.9)], parsePrefetchConfig({}), 0, held).commands.map((c) => c.taskId).sort()).toEqual(['a', 'b']);
    expect(selectPrefetch([late], parsePrefetchConfig({}), 0, held).commands.map((c) => c.taskId)).toEqual(['a']);
  });

  it('drops the members whose edge the feedback refuses', () => {
    const out = feasibleBundles([bundle], setup, 900, { admits: (_w, _r, m) => m !== 'b' });
    expect(out[0].members).toEqual(['c']);
  });

  it('skips a refused root step but still prepares its bundle members', () => {
    const sel = selectPrefetch([chain(0.9)], parsePrefetchConfig({}), 0, feasibleBundles([bundle], setup, 900), (_w, t) => t !== 'a');
    expect(sel.commands.map((c) => c.taskId).sort()).toEqual(['b', 'c']);
    expect(sel.decisions.find((d) => d.taskType === 'a')?.reason).toMatch(/outcome feedback/);
    expect(sel.decisions.find((d) => d.taskId === 'b')?.bundleRoot).toBe('a');
  });
});
