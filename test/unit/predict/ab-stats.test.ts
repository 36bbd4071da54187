import { describe, expect, it } from 'vitest';
import { momentsOf, regularizedBeta, studentTTwoSided, twoProportionZTest, welchTTest } from '../../../src/core/predict/ab-stats.js';
import { abArmOf, abUnitOf, selectForAbTest } from '../../../src/core/predict/ab-selection.js';
import { AbTestConfigSchema } from '../../../src/core/model/learning-config.js';
import { TaskDefinitionSchema } from '../../../src/core/model/index.js';
import { abTestSummary } from '../../../src/app/history/ab-report.js';

describe('significance tests of A/B arms', () => {
  it('gives the textbook two-proportion z-test and Student t tail', () => {
    // 60/100 vs 45/100: pooled p 0.525, se 0.07062, z 2.124, p 0.0337
    const z = twoProportionZTest(60, 100, 45, 100);
    expect(z.statistic).toBeCloseTo(2.124, 3);
    expect(z.pValue).toBeCloseTo(0.0337, 3);
    // t = 2.228 with 10 df is the two-sided 5 % point; t = 1.96 with huge df ≈ normal
    expect(studentTTwoSided(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(studentTTwoSided(1.96, 1e6)).toBeCloseTo(0.05, 3);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 10);
    expect(Number.isNaN(twoProportionZTest(0, 0, 1, 2).pValue)).toBe(true);
  });

  it('Welch t-test: equal samples are not different, shifted ones are', () => {
    const a = Array.from({ length: 50 }, (_, i) => 100 + (i % 10));
    const b = a.map((x) => x + 5);
    expect(welchTTest(momentsOf(a), momentsOf(a)).pValue).toBeCloseTo(1, 6);
    const t = welchTTest(momentsOf(b), momentsOf(a));
    expect(t.pValue).toBeLessThan(1e-6);
    expect(t.df).toBeCloseTo(98, 0);
  });
});

describe('A/B selection and report', () => {
  const ab = AbTestConfigSchema.parse({ arms: [{ name: 'control' }, { name: 'off', probabilityThreshold: 1 }] });
  const task = TaskDefinitionSchema.parse({ task_id: 'b1', task_type: 'b', executable_code_location: 'x', prepare: 'module:prepare', resource_requirements: { vcpu: 1, memoryGiB: 1 }, setupShare: 0.5, runtime: { meanSec: 60, p50Sec: 60, p95Sec: 60 } });
  const chains = Array.from({ length: 40 }, (_, i) => ({ chainId: `k${i}`, workflow: 'wf', principal: `p${i % 8}`, predictions: [{ taskType: 'b', probability: 0.9, expectedStartInSec: 10 }], pendingSteps: [{ task, poolId: 'batch' }] }));

  it('assigns principals deterministically and selects per arm with its own settings', () => {
    const sel = selectForAbTest(chains, { maxConcurrent: 100, budget: { vcpu: 100, memoryGiB: 100 } }, ab, 1000);
    for (const c of chains) expect(sel.armOfChain[c.chainId]).toBe(abArmOf(c, ab));
    // the 'off' arm's threshold of 1 prepares nothing; every command is the control's
    expect(sel.commands.length).toBe(chains.filter((c) => sel.armOfChain[c.chainId] === 'control').length);
    expect(sel.commands.every((c) => c.arm === 'control' && c.id.endsWith(':control'))).toBe(true);
    expect(new Set(Object.values(sel.armOfChain)).size).toBe(2);
    expect(abUnitOf({ chainId: 'k1' })).toBe('chain:k1');
  });

  it('rejects duplicate arm names and an unknown control', () => {
    expect(AbTestConfigSchema.safeParse({ arms: [{ name: 'a' }, { name: 'a' }] }).success).toBe(false);
    expect(AbTestConfigSchema.safeParse({ arms: [{ name: 'a' }, { name: 'b' }], control: 'c' }).success).toBe(false);
  });

  it('names the winner with its confidence only when it beats the control significantly', () => {
    const preps = [
      ...Array.from({ length: 200 }, (_, i) => ({ arm: 'control', hit: i < 100, setupSecSaved: i < 100 ? 10 : 0, wastedCpuSec: i < 100 ? 0 : 5, wastedUsd: 0 })),
      ...Array.from({ length: 200 }, (_, i) => ({ arm: 'wide', hit: i < 150, setupSecSaved: i < 150 ? 10 : 0, wastedCpuSec: i < 150 ? 0 : 5, wastedUsd: 0 })),
    ];
    const chainsOut = [...Array.from({ length: 30 }, (_, i) => ({ arm: 'control', latencySec: 100 + i })), ...Array.from({ length: 30 }, (_, i) => ({ arm: 'wide', latencySec: 90 + i }))];
    const s = abTestSummary(['control', 'wide'], 'control', preps, chainsOut);
    expect(s.winner.arm).toBe('wide');
    expect(s.winner.confidence!).toBeGreaterThan(0.99);
    const wide = s.arms.find((a) => a.name === 'wide')!;
    expect(wide.hitRate).toBe(0.75);
    expect(wide.latencyDeltaSec).toBe(-10);
    expect(wide.latencyPValue!).toBeLessThan(0.01);
    const tie = abTestSummary(['control', 'wide'], 'control', preps.map((p) => ({ ...p, arm: p.arm === 'wide' ? 'control' : 'wide' })).slice(0, 300), chainsOut);
    expect(tie.winner.confidence === null || tie.winner.arm !== 'control').toBe(true);
  });
});
