/**
 * The user's fleet and policy in a backtest: flags, a --fleet file and the AWS CLI's Auto Scaling
 * JSON become the scenario's pool shape, metric scaling and current policy, each setting recorded
 * with its source; the reactive baseline replays that policy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioFromOptions } from '../../src/cli/commands/backtest.js';
import { DEFAULT_PRICE_TABLE } from '../../src/core/market/index.js';
import { InputError } from '../../src/core/model/errors.js';
import { runBacktest } from '../../src/sim/backtest.js';
import { importAutoScalingGroup, importScalingPolicies } from '../../src/sim/scenario/asg-import.js';
import { defaultScenario } from '../../src/sim/scenario/default.js';
import { applyFleet } from '../../src/sim/scenario/fleet.js';

const ASG = 'test/fixtures/aws/describe-auto-scaling-groups.json';
const POLICIES = 'test/fixtures/aws/describe-policies.json';
const json = (f: string): unknown => JSON.parse(readFileSync(f, 'utf8'));
const dir = mkdtempSync(path.join(tmpdir(), 'prescale-fleet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importing describe-auto-scaling-groups and describe-policies JSON', () => {
  it('reads sizes in vCPU (instances × the override types\' vCPU), the on-demand split, families, warm-up and cooldown', () => {
    const imp = importAutoScalingGroup(json(ASG), ASG, DEFAULT_PRICE_TABLE, 2);
    expect(imp.vcpuPerInstance?.value).toBe(4);
    expect(imp.options).toMatchObject({ minVcpu: 8, maxVcpu: 80, onDemandBaseVcpu: 4, onDemandPct: 25, instanceFamilies: ['c6i', 'm6i'], vcpuMin: 4, vcpuMax: 4, warmupSec: 180, cooldownSec: 300 });
    expect(imp.sources.minVcpu).toBe(`${ASG}: MinSize × 4 vCPU/instance`);
  });

  it('turns a per-instance request-count target into a metric per vCPU, and reads predictive scaling\'s mode and buffer', () => {
    const imp = importScalingPolicies(json(POLICIES), POLICIES, 4);
    expect(imp.options).toMatchObject({ metricPerVcpu: 500, reactiveTarget: 500, predictiveMode: 'ForecastAndScale', predictiveBufferSec: 600 });
  });

  it('reads a CPU target as a utilisation', () => {
    const raw = { ScalingPolicies: [{ PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' } } }] };
    const imp = importScalingPolicies(raw, 'p.json', 4);
    const sc = applyFleet(defaultScenario({ days: 0.1 }), imp);
    expect(sc.currentPolicy.targetUtilization).toBe(0.5);
    expect(sc.settings.find((s) => s.name === 'current policy: target tracking target')).toMatchObject({ value: '50% CPU', source: 'p.json: cpu.TargetValue (ASGAverageCPUUtilization)' });
  });

  it('names --asg-name and the groups when the file holds several', () => {
    const two = { AutoScalingGroups: [{ AutoScalingGroupName: 'a', MinSize: 0, MaxSize: 2 }, { AutoScalingGroupName: 'b', MinSize: 0, MaxSize: 2 }] };
    expect(() => importAutoScalingGroup(two, 'g.json', DEFAULT_PRICE_TABLE, 2)).toThrow(/--asg-name naming one of a, b/);
    expect(() => importAutoScalingGroup(two, 'g.json', DEFAULT_PRICE_TABLE, 2, 'c')).toThrow(/--asg-name: got "c", expected one of the groups in g\.json \(a, b\)/);
  });
});

describe('backtest flags for the user\'s scale and policy', () => {
  it('applies --asg-json and --policies-json to the metric-driven pool and records every setting with its source', async () => {
    const sc = await scenarioFromOptions({ out: 'o', days: '0.1', asgJson: ASG, policiesJson: POLICIES });
    const web = sc.pools.find((p) => p.id === 'web')!;
    expect(web).toMatchObject({ minUnits: 8, maxUnits: 80, onDemandFloorUnits: 4, onDemandFloorShare: 0.25 });
    expect(web.instanceRequirements.allowedFamilies).toEqual(['c6i', 'm6i']);
    expect(sc.demandSignals.every((d) => d.metricPerUnit === 500)).toBe(true);
    expect(sc.currentPolicy).toMatchObject({ targetUtilization: 1, instanceWarmupSec: 180, scaleInCooldownSec: 300, schedulingBufferSec: 600 });
    expect(sc.baselinePolicy).toBe('predictive-hourly');
    expect(sc.settings.find((s) => s.name === 'metric per vCPU (every series)')?.source).toMatch(/describe-policies\.json: requests-per-target\.TargetValue \(ALBRequestCountPerTarget\) \/ 4 vCPU per instance/);
  });

  it('lets flags win over the --fleet file, which wins over the imported group', async () => {
    const fleet = path.join(dir, 'fleet.json');
    writeFileSync(fleet, JSON.stringify({ minVcpu: 12, maxVcpu: 40, warmupSec: 60 }));
    const sc = await scenarioFromOptions({ out: 'o', days: '0.1', asgJson: ASG, fleet, maxVcpu: '32' });
    const web = sc.pools.find((p) => p.id === 'web')!;
    expect([web.minUnits, web.maxUnits]).toEqual([12, 32]);
    expect(sc.currentPolicy.instanceWarmupSec).toBe(60);
    expect(sc.settings.find((s) => s.name === 'web: min / max vCPU')?.source).toBe(`${fleet}: minVcpu`);
  });

  it('rejects a --fleet key it does not know, naming the file and the key', async () => {
    const fleet = path.join(dir, 'bad-fleet.json');
    writeFileSync(fleet, JSON.stringify({ minVcpus: 3 }));
    await expect(scenarioFromOptions({ out: 'o', fleet })).rejects.toThrow(InputError);
    await expect(scenarioFromOptions({ out: 'o', fleet })).rejects.toThrow(/bad-fleet\.json/);
  });

  it('converts --reactive-target per vCPU into a utilisation of --metric-per-vcpu and refuses one above it', async () => {
    const sc = await scenarioFromOptions({ out: 'o', days: '0.1', metricPerVcpu: '1000', reactiveTarget: '700' });
    expect(sc.currentPolicy.targetUtilization).toBeCloseTo(0.7, 9);
    await expect(scenarioFromOptions({ out: 'o', days: '0.1', metricPerVcpu: '1000', reactiveTarget: '1500' })).rejects.toThrow(/^--reactive-target: got 1500, expected a target per vCPU at most the metric per vCPU \(1000\)/);
    await expect(scenarioFromOptions({ out: 'o', reactiveTarget: '120%' })).rejects.toThrow(/--reactive-target: got "120%", expected a CPU target from 1% to 100%/);
    await expect(scenarioFromOptions({ out: 'o', predictiveMode: 'Scale' })).rejects.toThrow(/--predictive-mode: got "Scale", expected ForecastAndScale or ForecastOnly/);
  });

  it('records the default scaling as a default in report.json, so the report can say it is not the user\'s', async () => {
    const sc = await scenarioFromOptions({ out: 'o', days: '0.1' });
    expect(sc.settings.map((s) => s.source)).toContain('the embedded default scenario');
    expect(sc.settings.find((s) => s.name === 'current policy: instance warm-up / scale-in cooldown')).toMatchObject({ value: '0 s / 300 s', source: 'default' });
  });
});

describe('the reactive baseline replays the user\'s target', () => {
  it('holds about twice the capacity at a 50% CPU target as at the default target, and costs more', async () => {
    const base = defaultScenario({ days: 0.25 });
    const half = applyFleet(base, { options: { reactiveTarget: '50%' }, sources: {} });
    const [a, b] = await Promise.all([runBacktest(base, { policies: ['reactive'] }), runBacktest(half, { policies: ['reactive'] })]);
    const web = (o: typeof a) => o.report.policies[0].pools!.find((p) => p.poolId === 'web')!;
    expect(web(b).readyAvgUnits / web(a).readyAvgUnits).toBeGreaterThan(1.6);
    expect(b.report.policies[0].cost.totalUsd).toBeGreaterThan(a.report.policies[0].cost.totalUsd);
    expect(b.report.scenario.settings?.find((s) => s.name === 'current policy: target tracking target')?.value).toBe('50% CPU');
  });
});
