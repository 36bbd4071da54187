import { describe, expect, it } from 'vitest';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';
import { AbTestConfigSchema } from '../../../src/core/model/learning-config.js';
import { AbArmModels, armModelLabel } from '../../../src/core/predict/ab-models.js';
import { abArmOf, selectForAbTest } from '../../../src/core/predict/ab-selection.js';
import type { PrefetchChainInput } from '../../../src/core/prefetch/selection.js';
import { chainEvents } from './events.js';

const task = (id: string) => TaskDefinitionSchema.parse({
  task_id: id, executable_code_location: `module:./${id}.js#run`, resource_requirements: { vcpu: 1, memoryGiB: 2 },
  prepare: `module:./${id}.js#prepare`, setupShare: 0.5, runtime: { meanSec: 60, p50Sec: 60, p95Sec: 90 },
});

describe('per-arm next-step models of an A/B test (prefetch.abTest.arms[].model)', () => {
  const ab = AbTestConfigSchema.parse({
    arms: [{ name: 'control' }, { name: 'order1', model: { kind: 'markov1', feedback: false } }],
    control: 'control',
  });
  // one principal per arm
  const principals = Array.from({ length: 40 }, (_, i) => `p${i}`);
  const inArm = (arm: string) => principals.find((p) => abArmOf({ chainId: 'x', principal: p }, ab) === arm)!;

  it('parses the arm model with defaults and names it', () => {
    expect(ab.arms[1].model).toEqual({ kind: 'markov1', maxOrder: 3, feedback: false });
    expect(AbTestConfigSchema.parse({ arms: [{ name: 'a' }, { name: 'b', model: {} }] }).arms[1].model).toEqual({ kind: 'vom', maxOrder: 3, feedback: true });
    expect(armModelLabel({ kind: 'vom', maxOrder: 2, feedback: true })).toBe('vom(order 2)+feedback');
    expect(() => AbTestConfigSchema.parse({ arms: [{ name: 'a' }, { name: 'b', model: { maxOrder: 0 } }] })).toThrow();
  });

  it('an arm with its own model selects its chains\' preparations on that model\'s predictions; the control keeps the controller\'s', () => {
    const models = new AbArmModels(ab);
    expect(models.size).toBe(1);
    const history = Array.from({ length: 20 }, (_, i) => chainEvents({ chainId: `h${i}`, steps: ['a', 'load'], t0: 1000 + i * 100, gapSec: 30 })).flat().sort((x, y) => x.atSec - y.atSec);
    models.observe(history);
    const now = 10_000;
    const pc = inArm('control'), po = inArm('order1');
    const chains: Array<PrefetchChainInput & { principal: string }> = [pc, po].map((principal, i) => ({
      chainId: `c${i}`, workflow: 'wf', principal, predictions: [], pendingSteps: [{ task: task('load'), poolId: 'pool' }],
    }));
    const contextOf = (id: string) => ({ chainId: id, workflow: 'wf', history: ['a'], running: { taskType: 'a', startedAtSec: now - 5 } });
    const sel = selectForAbTest(chains, { probabilityThreshold: 0.3, topN: 2 }, ab, now, [], { models, contextOf });
    // the controller predicted nothing for either chain; the order1 arm's own model predicts `load`
    expect(sel.commands.map((c) => [c.chainId, c.taskId, c.arm])).toEqual([['c1', 'load', 'order1']]);
    expect(sel.armOfChain).toEqual({ c0: 'control', c1: 'order1' });
    // without the models the same selection prepares nothing
    expect(selectForAbTest(chains, { probabilityThreshold: 0.3, topN: 2 }, ab, now).commands).toEqual([]);
  });
});
