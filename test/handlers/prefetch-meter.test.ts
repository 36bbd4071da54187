/** The controller's count of resumed and cold prepared steps from the execution events (src/handlers/prefetch-meter.ts). */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { meteredPreparer, PrefetchMeter } from '../../src/handlers/prefetch-meter.js';
import { ARM_DIMENSION, emitArmMetrics, METRIC } from '../../src/handlers/controller-runner.js';
import { powertoolsSink } from '../../src/handlers/controller.js';
import { AbTestConfigSchema } from '../../src/core/model/learning-config.js';
import { abArmOf } from '../../src/core/predict/ab-selection.js';
import type { ExecutionEvent, PreExecuteCommand } from '../../src/core/model/index.js';
import type { PrepareOutcome } from '../../src/ports/preparer.js';
import { task, workflow } from '../builders/tasks.js';

const ev = (kind: ExecutionEvent['kind'], setupOutcome?: ExecutionEvent['setupOutcome'], setupSavedSec?: number): ExecutionEvent => ({
  chainId: 'c', workflow: 'w', variant: 'v', taskId: 't', taskType: 't', kind, atSec: 1, ...(setupOutcome ? { setupOutcome } : {}), ...(setupSavedSec !== undefined ? { setupSavedSec } : {}),
});

describe('PrefetchMeter', () => {
  it('counts resumed steps with their saved seconds and cold steps, once per drain', () => {
    const m = new PrefetchMeter();
    m.observe([ev('started'), ev('finished', 'resumed', 12.5), ev('failed', 'resumed', 2), ev('finished', 'not-prepared'), ev('finished', 'cache-unavailable'), ev('finished', 'none'), ev('submitted')]);
    expect(m.drain()).toEqual({ resumed: 2, setupSecSaved: 14.5, cold: 2 });
    expect(m.drain()).toEqual({ resumed: 0, setupSecSaved: 0, cold: 0 });
  });
});

describe('PrefetchMeter per A/B arm (issue 22)', () => {
  const ab = AbTestConfigSchema.parse({ arms: [{ name: 'control' }, { name: 'wide', topN: 3 }] });
  const wf = workflow('w', [task('a', []), task('b', ['a'], { setupShare: 0.5, runtime: { meanSec: 40, p50Sec: 40, p95Sec: 60, samplesSec: [] }, vcpu: 2, memoryGiB: 4 })], [{ name: 'v', defaultPool: 'p' }]);
  const step = (chainId: string, taskId: string, kind: ExecutionEvent['kind'], extra: Partial<ExecutionEvent> = {}): ExecutionEvent => ({ chainId, workflow: 'w', variant: 'v', taskId, taskType: taskId, kind, atSec: 100, ...extra });
  const prep = (chainId: string, arm: string, probability: number): PreExecuteCommand => ({ kind: 'pre-execute', id: `p-${chainId}`, poolId: 'p', reason: 'test', chainId, taskId: 'b', probability, ttlSec: 300, arm });

  it('settles each preparation once: a resumed step is a hit, a cold one and an expired one are waste, with the Brier score of their probabilities', () => {
    const m = new PrefetchMeter({ abTest: ab, workflows: [wf] });
    m.observe(['c1', 'c2', 'c3'].map((c) => step(c, 'a', 'started')));
    m.prepared(prep('c1', 'control', 0.9));
    m.prepared(prep('c2', 'control', 0.6));
    m.prepared(prep('c3', 'wide', 0.2));
    const first = m.drain(1000).byArm!;
    expect(first.control).toMatchObject({ prepareRequests: 2, settled: 0 });
    expect(first.wide).toMatchObject({ prepareRequests: 1, settled: 0 });
    m.observe([
      step('c1', 'b', 'started'), step('c1', 'b', 'finished', { setupOutcome: 'resumed', setupSavedSec: 18, runtimeSec: 22 }),
      step('c2', 'b', 'started'), step('c2', 'b', 'finished', { setupOutcome: 'not-prepared', runtimeSec: 41 }),
    ]);
    const second = m.drain(1060);
    expect(second).toMatchObject({ resumed: 1, setupSecSaved: 18, cold: 1 });
    // waste of c2: setupShare 0.5 × mean 40 s × 2 vCPU = 40 CPU-s, at 0.024 USD per vCPU-hour
    expect(second.byArm!.control).toMatchObject({ prepareRequests: 0, settled: 2, hits: 1, resumed: 1, cold: 1, setupSecSaved: 18, wastedCpuSec: 40, stepLatencySec: [22, 41] });
    expect(second.byArm!.control.wastedUsd).toBeCloseTo((40 * 0.024) / 3600, 12);
    expect(second.byArm!.control.brierSum).toBeCloseTo(0.1 ** 2 + 0.4 ** 2, 12);
    expect(second.byArm!.wide.settled).toBe(0);
    // c3's TTL (300 s from the tick that prepared it, 1000) passes before its step starts: waste, o = 0
    expect(m.drain(1299).byArm!.wide.settled).toBe(0);
    const third = m.drain(1300).byArm!.wide;
    expect(third).toMatchObject({ settled: 1, hits: 0, wastedCpuSec: 40 });
    expect(third.brierSum).toBeCloseTo(0.04, 12);
    // settled once: a late finish of c3 counts its cold step (in its chain's arm: no preparation is known any more), not a second settlement
    m.observe([step('c3', 'b', 'finished', { setupOutcome: 'not-prepared', runtimeSec: 40 })]);
    const late = m.drain(1400).byArm!;
    expect(late[abArmOf({ chainId: 'c3' }, ab)]).toMatchObject({ settled: 0, cold: 1, stepLatencySec: [40] });
    expect(late.control.settled + late.wide.settled).toBe(0);
  });

  it("gives a step without a known preparation the arm the tick gives its chain (principal, else chain id)", () => {
    const m = new PrefetchMeter({ abTest: ab, workflows: [wf] });
    m.observe([step('c9', 'a', 'submitted', { principal: 'alice' }), step('c9', 'b', 'finished', { setupOutcome: 'resumed', setupSavedSec: 5, runtimeSec: 10 })]);
    const arm = abArmOf({ chainId: 'c9', principal: 'alice' }, ab);
    const out = m.drain(10).byArm!;
    expect(out[arm]).toMatchObject({ resumed: 1, setupSecSaved: 5, settled: 0, stepLatencySec: [10] });
    expect(Object.keys(out).sort()).toEqual(['control', 'wide']);
  });

  it('meteredPreparer records only the preparations the preparer accepted', async () => {
    const seen: string[] = [];
    const answers: PrepareOutcome['status'][] = ['accepted', 'duplicate', 'rejected'];
    const p = meteredPreparer({ prepare: async (c) => ({ commandId: c.id, status: answers.shift()! }) }, { prepared: (c) => seen.push(c.id) });
    for (const c of ['c1', 'c2', 'c3']) await p.prepare(prep(c, 'control', 0.5));
    expect(seen).toEqual(['p-c1']);
  });
});

describe('per-arm metrics in Embedded Metric Format (issue 22)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('publishes each arm as one EMF document with the service and Arm dimensions, step latencies as values, split under Powertools\' 100-value limit', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
    const metrics = new Metrics({ namespace: 'Prescale', serviceName: 'prescale-controller' });
    const sink = powertoolsSink(metrics);
    const arm = (prepareRequests: number, latencies: number[]) => ({ prepareRequests, settled: 2, hits: 1, resumed: 1, cold: 1, setupSecSaved: 18, wastedCpuSec: 40, wastedUsd: 0.0003, brierSum: 0.17, stepLatencySec: latencies });
    sink.add('CostUsdPerHour', 'None', 1.5);
    emitArmMetrics(sink, { control: arm(2, [22, 41]), wide: arm(1, Array.from({ length: 150 }, (_, i) => i)) });
    metrics.publishStoredMetrics();
    sink.flush();
    const docs = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } });
    const plain = docs.filter((d) => d.Arm === undefined);
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatchObject({ service: 'prescale-controller', CostUsdPerHour: 1.5 });
    const control = docs.filter((d) => d.Arm === 'control');
    expect(control).toHaveLength(1);
    const cw = control[0]._aws.CloudWatchMetrics[0];
    expect(cw.Namespace).toBe('Prescale');
    expect(cw.Dimensions).toEqual([['service', ARM_DIMENSION]]);
    expect(Object.fromEntries(cw.Metrics.map((x) => [x.Name, x.Unit]))).toEqual({
      [METRIC.prepareRequests]: 'Count', [METRIC.settledPreparations]: 'Count', [METRIC.preparationHits]: 'Count', [METRIC.resumedSteps]: 'Count', [METRIC.coldSteps]: 'Count',
      [METRIC.setupSecSaved]: 'Seconds', [METRIC.wastedCpuSec]: 'Seconds', [METRIC.wastedUsd]: 'None', [METRIC.brierSum]: 'None', [METRIC.stepLatency]: 'Seconds',
    });
    expect(control[0]).toMatchObject({ [METRIC.prepareRequests]: 2, [METRIC.preparationHits]: 1, [METRIC.wastedCpuSec]: 40, [METRIC.brierSum]: 0.17, [METRIC.stepLatency]: [22, 41] });
    // 150 latencies of one arm: two documents, both with the Arm dimension, every value once
    const wide = docs.filter((d) => d.Arm === 'wide');
    expect(wide).toHaveLength(2);
    for (const d of wide) expect(d._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', ARM_DIMENSION]]);
    expect(wide.flatMap((d) => [d[METRIC.stepLatency]].flat())).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(docs.every((d) => d.Arm === undefined || d.service === 'prescale-controller')).toBe(true);
  });
});
