import { describe, expect, it } from 'vitest';
import { parsePrefetchConfig, selectPrefetch, type PrefetchChainInput } from '../../../src/core/predict/index.js';
import { InputError, TaskDefinitionSchema, type TaskDefinitionInput } from '../../../src/core/model/index.js';

const task = (id: string, extra: Partial<TaskDefinitionInput> = {}) =>
  TaskDefinitionSchema.parse({
    task_id: id,
    executable_code_location: `module:./${id}.js#run`,
    resource_requirements: { vcpu: 1, memoryGiB: 2 },
    prepare: `module:./${id}.js#prepare`,
    setupShare: 0.5,
    runtime: { meanSec: 60, p50Sec: 60, p95Sec: 90 },
    ...extra,
  });

const chain = (chainId: string, preds: Array<[string, number, number?]>, tasks = preds.map(([t]) => task(t))): PrefetchChainInput => ({
  chainId,
  workflow: 'wf',
  predictions: preds.map(([taskType, probability, start]) => ({ taskType, probability, expectedStartInSec: start ?? 30 })),
  pendingSteps: tasks.map((t) => ({ task: t, poolId: 'pool-a' })),
});

describe('prefetch selection', () => {
  it('pre-executes likely, non-critical steps that have a prepare phase', () => {
    const sel = selectPrefetch([chain('c1', [['load', 0.7], ['audit', 0.2]])], parsePrefetchConfig({ probabilityThreshold: 0.3 }), 1000);
    expect(sel.commands).toHaveLength(1);
    expect(sel.commands[0]).toMatchObject({ kind: 'pre-execute', chainId: 'c1', taskId: 'load', poolId: 'pool-a', probability: 0.7, ttlSec: 900, expectedSavedSec: 30 });
    expect(sel.commands[0].id).toBe('pre-execute:c1:load:1000');
    expect(sel.decisions.find((d) => d.taskType === 'audit')?.reason).toMatch(/threshold/);
  });

  it('never pre-executes critical steps or steps without prepare or setup time', () => {
    const tasks = [task('pay', { critical: true }), task('plain', { prepare: undefined }), task('nosetup', { setupShare: 0 })];
    const sel = selectPrefetch([chain('c1', [['pay', 0.9], ['plain', 0.9], ['nosetup', 0.9]], tasks)], parsePrefetchConfig({ topN: 3 }), 0);
    expect(sel.commands).toEqual([]);
    expect(sel.decisions.map((d) => d.reason).join('|')).toMatch(/critical.*prepare.*setup/);
  });

  it('skips steps expected to start after the TTL', () => {
    const sel = selectPrefetch([chain('c1', [['late', 0.9, 2000]])], parsePrefetchConfig({ ttlSec: 600 }), 0);
    expect(sel.commands).toEqual([]);
  });

  it('orders by probability × saved time ÷ cost and stops at the resource budget', () => {
    const big = task('big', { resource_requirements: { vcpu: 4, memoryGiB: 8 } });
    const chains = [chain('c1', [['big', 0.9]], [big]), chain('c2', [['small', 0.5]]), chain('c3', [['mid', 0.8]])];
    const sel = selectPrefetch(chains, parsePrefetchConfig({ budget: { vcpu: 2, memoryGiB: 8 }, maxConcurrent: 10 }), 0);
    expect(sel.commands.map((c) => c.taskId)).toEqual(['mid', 'small']);
    expect(sel.decisions.find((d) => d.taskId === 'big')?.reason).toMatch(/budget/);
  });

  it('takes only the top-N predictions of each chain and respects the command budget', () => {
    const sel = selectPrefetch([chain('c1', [['a', 0.5], ['b', 0.4], ['c', 0.35]])], parsePrefetchConfig({ topN: 2, maxConcurrent: 1 }), 0);
    expect(sel.commands.map((c) => c.taskId)).toEqual(['a']);
    expect(sel.decisions.some((d) => d.taskType === 'c')).toBe(false);
  });

  it('prepares the members of a bundle that always runs with the predicted root', () => {
    const c = chain('c1', [['a', 0.9]], [task('a'), task('b'), task('c')]);
    const sel = selectPrefetch([c], parsePrefetchConfig({ topN: 1 }), 0, [{ workflow: 'wf', root: 'a', members: ['b', 'c'], confidence: 0.95 }]);
    expect(sel.commands.map((x) => x.taskId).sort()).toEqual(['a', 'b', 'c']);
    expect(sel.commands.find((x) => x.taskId === 'b')?.probability).toBeCloseTo(0.855);
  });

  it('gives the same commands whatever the order of the chains', () => {
    const chains = [chain('c2', [['x', 0.6]]), chain('c1', [['x', 0.6]])];
    const cfg = parsePrefetchConfig({});
    expect(selectPrefetch(chains, cfg, 5)).toEqual(selectPrefetch([...chains].reverse(), cfg, 5));
  });

  it('rejects a bad configuration with an InputError', () => {
    expect(() => parsePrefetchConfig({ probabilityThreshold: 2 })).toThrow(InputError);
  });
});
