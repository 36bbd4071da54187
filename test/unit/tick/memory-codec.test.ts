/**
 * The tick memory's serialized form (core/tick/memory-codec.ts): a round trip through JSON text keeps
 * every part (NaN, ±Infinity, -0 and Maps included), and a saved memory that does not fit the tick
 * (other version, other tick, other workflows) is refused with a reason instead of restored.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent, Forecast } from '../../../src/core/model/index.js';
import { createForecaster, createIncrementalForecaster } from '../../../src/core/forecast/index.js';
import { createNextStepModel, FeedbackModel, restoreNextStepModel } from '../../../src/core/predict/index.js';
import { buildChainView } from '../../../src/core/tick/chain-view.js';
import { createTickMemory, type TickMemory } from '../../../src/core/tick/memory.js';
import { decodeValue, encodeValue, restoreTickMemory, serializeTickMemory, TICK_MEMORY_VERSION } from '../../../src/core/tick/memory-codec.js';
import { task, workflow } from '../../builders/tasks.js';

const wf = workflow('etl', [task('a'), task('b', ['a'], { vcpu: 2 }), task('c', ['b'])]);
const T = 1_000_000;
const ev = (chainId: string, taskId: string, kind: ExecutionEvent['kind'], atSec: number, instanceId?: string): ExecutionEvent => ({
  chainId, workflow: 'etl', variant: 'default', taskId, taskType: taskId, kind, atSec, ...(instanceId ? { instanceId } : {}),
});
const shape = { nowSec: T, periodSec: 300, horizon: 6, quantiles: [0.5, 0.9], scored: new Set(['rps']) };
const series = (id: string) => ({ id, startSec: T - 300 * 48, periodSec: 300, values: Array.from({ length: 48 }, (_, i) => (i % 7 === 0 ? NaN : 100 + 10 * Math.sin(i))) });

/** A memory with every part holding something, NaN and infinities included. */
function busyMemory(): { memory: TickMemory; model: FeedbackModel } {
  const memory = { ...createTickMemory([wf], true), state: { lastTickSec: T, plannerMemory: {} }, lastEventSec: T };
  const events = [ev('c1', 'a', 'submitted', T - 100), ev('c1', 'b', 'submitted', T - 100), ev('c1', 'c', 'submitted', T - 100), ev('c1', 'a', 'started', T - 90, 'i-1'),
    ev('c1', 'a', 'finished', T - 30), ev('c1', 'b', 'started', T - 20, 'i-2'), { ...ev('c1', 'b', 'progress', T - 10), intensity: 0.4 }];
  const view = buildChainView(events, T);
  memory.scorer.score(memory.chains.ingest(events));
  memory.critical.observe(view);
  const model = new FeedbackModel(createNextStepModel('vom'), { calibrate: true });
  model.observe(events);
  memory.scorer.remember('c1', { taskType: 'c', probability: 0.8 } as never);
  memory.forecasts.fit([series('rps')], createIncrementalForecaster(), shape);
  memory.forecasts.predict(['rps'], createIncrementalForecaster(), shape);
  memory.forecasts.refit([series('q')], createForecaster('seasonal-naive'), shape);
  memory.prepared.add('c1/c');
  memory.ledger.held.set('c1/c', { gib: 0.5, untilSec: T + 600, valueUsd: 0.01 });
  const nanForecast: Forecast = { seriesId: 'rps', model: 'x', originSec: T, periodSec: 60, mean: [NaN, 1], quantiles: { '0.5': [NaN, 1], '0.9': [Infinity, 2] } };
  memory.calibrators!.metric.observe('rps', nanForecast, T + 60, 3); // a NaN score
  memory.calibrators!.metric.observe('rps', memory.forecasts.bySeries.get('rps'), T + 300, 120);
  memory.calibrators!.pool.predicted('batch', T + 60, 1, 4);
  memory.calibrators!.pool.observe('batch', T + 60, 5);
  memory.calibrators!.pool.predicted('batch', T + 120, 2, 4);
  memory.calibrators!.backlog.predicted('batch', T + 60, 0, 0);
  memory.calibrators!.backlog.observe('batch', T + 60, -0);
  memory.observedAt.set('rps', T - 60);
  memory.decisionCounts.plan = 3;
  return { memory, model };
}

const text = (m: TickMemory, model?: FeedbackModel) => JSON.stringify(serializeTickMemory(m, { ...(model ? { nextStep: model } : {}), learning: { bundles: new Map([['x', -Infinity]]) } }));

describe('tick memory codec', () => {
  it('serialize → JSON text → parse → restore → serialize gives the same text, NaN, infinities and Maps included', () => {
    const { memory, model } = busyMemory();
    const saved = text(memory, model);
    expect(saved).toContain('"$num":"NaN"');
    expect(saved).toContain('"$map"');
    const r = restoreTickMemory(JSON.parse(saved), { workflows: [wf], recalibrate: true, state: memory.state, restoreNextStep: restoreNextStepModel });
    if (!r.ok) throw new Error(r.reason);
    expect(text(r.memory, r.nextStep as FeedbackModel)).toBe(saved);
    expect(r.learning).toEqual({ bundles: new Map([['x', -Infinity]]) });
    // the restored parts behave as the originals
    expect(r.memory.chains.committedUnitsByPool()).toEqual(memory.chains.committedUnitsByPool());
    expect(r.memory.chains.chains.get('c1')!.steps.get('b')!.def).toBe(wf.variants[0].tasks[1]);
    expect(r.memory.calibrators!.metric.count('rps')).toBe(2);
    expect(r.memory.calibrators!.pool.count('batch', 1)).toBe(1);
    expect(r.memory.forecasts.updateWindows(['rps'], new Set(), T + 3600)).toEqual(memory.forecasts.updateWindows(['rps'], new Set(), T + 3600));
    expect(r.nextStep!.predict({ chainId: 'c1', workflow: 'etl', history: ['a', 'b'], nowSec: T } as never, 3)).toEqual(model.predict({ chainId: 'c1', workflow: 'etl', history: ['a', 'b'], nowSec: T } as never, 3));
  });

  it('encodes what JSON cannot hold and decodes it back', () => {
    const x = { n: NaN, p: Infinity, m: -Infinity, z: -0, a: [1, undefined, NaN], s: new Set([1, 2]), mp: new Map<unknown, unknown>([[1, { k: NaN }], ['b', [new Map()]]]), u: undefined };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(x)))) as Record<string, unknown>;
    expect(back).toEqual({ n: NaN, p: Infinity, m: -Infinity, z: -0, a: [1, undefined, NaN], s: new Set([1, 2]), mp: new Map<unknown, unknown>([[1, { k: NaN }], ['b', [new Map()]]]) });
    expect(Object.is(back.z, -0)).toBe(true);
    expect('u' in back).toBe(false);
  });

  it('refuses values that are not plain data and never decodes a __proto__ key', () => {
    expect(() => encodeValue({ d: new Date(0) })).toThrow(/not plain data: Date/);
    expect(() => encodeValue({ $num: 1 })).toThrow(/reserved/);
    const back = decodeValue(JSON.parse('{"__proto__":{"polluted":1},"ok":1}')) as Record<string, unknown>;
    expect(back).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => decodeValue({ $num: 'seven' })).toThrow(/malformed \$num/);
  });

  it('refuses a memory of another version, another tick, other workflows or another recalibrate setting, with the reason', () => {
    const { memory, model } = busyMemory();
    const saved = JSON.parse(text(memory, model)) as Record<string, unknown>;
    const input = { workflows: [wf], recalibrate: true, state: memory.state, restoreNextStep: restoreNextStepModel };
    const reason = (json: unknown, over: Partial<typeof input> = {}) => { const r = restoreTickMemory(json, { ...input, ...over }); return r.ok ? 'restored' : r.reason; };
    expect(reason(saved)).toBe('restored');
    expect(reason({ ...saved, version: TICK_MEMORY_VERSION + 1 })).toBe(`version ${TICK_MEMORY_VERSION + 1}, expected ${TICK_MEMORY_VERSION}`);
    expect(reason(saved, { state: { lastTickSec: T + 60, plannerMemory: {} } })).toMatch(/saved through 1000000, the state's last tick is 1000060/);
    expect(reason(saved, { workflows: [workflow('etl', [task('a'), task('x')])] })).toMatch(/malformed: chain c1: task etl\/default\/b is not configured/);
    expect(reason(saved, { recalibrate: false })).toMatch(/saved with recalibration/);
    expect(reason(JSON.parse(text(memory)))).toBe('saved without the next-step model');
    expect(reason(null)).toBe('not a saved tick memory');
    expect(reason({ ...saved, memory: { $map: 3 } })).toMatch(/malformed/);
  });
});
