/**
 * The tick's whole memory (core/tick/memory.ts) as one versioned, JSON-safe object, and back: what
 * the tick persists beside its small state (app/tick/memory-store.ts), so a new process continues
 * where the last one stopped instead of rebuilding its runtime from the execution-event window.
 *
 * Encoding ({@link encodeValue}): plain JSON, except numbers JSON cannot hold (`NaN`, `±Infinity`,
 * `-0`) as `{ "$num": "NaN" }`, Maps as `{ "$map": [[key, value], …] }` (insertion order kept),
 * Sets as `{ "$set": […] }` and `undefined` array items as `{ "$undef": 1 }`; object fields that are
 * `undefined` are dropped. Decoding never sets `__proto__`, `constructor` or `prototype` keys.
 * Step definitions are named by their TaskCatalog key and looked up in the configured workflows on
 * restore; the next-step model is saved through its `toJSON` and restored by the caller's `restore`
 * (core/predict `restoreNextStepModel`); the learning hooks' state (bundle book, A/B arm models) rides
 * along as opaque plain data the caller restores. Pure: no I/O, no clock.
 */
import type { NextStepModel } from '../predict/types.js';
import type { Workflow } from '../model/index.js';
import { PreparedStateLedger, type HeldState } from '../prefetch/ledger.js';
import type { BehaviourState } from '../predict/behaviour-model.js';
import { ChainBook, TaskCatalog, type TrackedChainJSON } from './chain-book.js';
import { QuantileCalibrator, type SortedWindowJSON } from './calibration.js';
import { CoverageTracker, type CoverageTrackerJSON } from './coverage.js';
import { ForecastCache, type ForecastCacheJSON } from './forecast.js';
import type { TickMemory, TickState } from './memory.js';
import { PoolQuantileCalibrator, type PoolQuantileCalibratorJSON } from './pool-calibration.js';
import { PredictionScorer, type HitCounter } from './predict.js';
import { CriticalStepTracker } from './spot.js';

/** Version of {@link SerializedTickMemory}; a saved memory of another version is not restored. */
export const TICK_MEMORY_VERSION = 1;

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The serialized memory: `version`, the tick it was saved after (`throughSec`) and the encoded parts. */
export interface SerializedTickMemory {
  readonly version: number;
  /** `state.lastTickSec` of the memory: it is only restored next to a tick state with the same value. */
  readonly throughSec: number | null;
  /** Encoded {@link TickMemoryParts} ({@link encodeValue}). */
  readonly memory: JsonValue;
}

/** The runtime part of a memory as data (before encoding). */
interface TickMemoryParts {
  readonly chains: TrackedChainJSON[];
  readonly forecasts: ForecastCacheJSON;
  readonly scorer: ReturnType<PredictionScorer['toJSON']>;
  readonly prepared: string[];
  readonly critical: Array<[string, string]>;
  readonly ledger: Array<[string, HeldState]>;
  readonly calibrators?: { readonly metric: Map<string, SortedWindowJSON>; readonly pool: PoolQuantileCalibratorJSON; readonly backlog: PoolQuantileCalibratorJSON; readonly coverage?: CoverageTrackerJSON };
  readonly observedAt: Map<string, number>;
  readonly lastEventSec?: number;
  readonly decisionCounts: Record<string, number>;
  readonly behaviour: BehaviourState;
  /** The next-step model's `toJSON()`, when one was given. */
  readonly nextStep?: unknown;
  /** The learning hooks' state (app/history/learning-hooks.ts `toJSON()`), when given. */
  readonly learning?: unknown;
}

/** What is saved with the memory though it lives outside it (the tick's injected model, its learning hooks). */
export interface TickMemoryExtras {
  /** The next-step model (saved through its `toJSON()`). */
  readonly nextStep?: NextStepModel;
  /** Plain data (Maps and Sets allowed) of the learning hooks. */
  readonly learning?: unknown;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `x` as a JSON value (see module doc).
 * @throws TypeError for values that are not plain data (functions, class instances other than Map/Set, bigint, symbols) or object keys starting with `$`
 */
export function encodeValue(x: unknown): JsonValue {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return Number.isFinite(x) && !Object.is(x, -0) ? x : { $num: Object.is(x, -0) ? '-0' : String(x) };
  if (Array.isArray(x)) return x.map((v: unknown) => (v === undefined ? { $undef: 1 } : encodeValue(v)));
  if (x instanceof Map) return { $map: [...(x as Map<unknown, unknown>)].map(([k, v]) => [encodeValue(k), encodeValue(v)]) };
  if (x instanceof Set) return { $set: [...(x as Set<unknown>)].map(encodeValue) };
  if (typeof x === 'object') {
    const proto = Object.getPrototypeOf(x) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`not plain data: ${(x as object).constructor?.name ?? 'object'}`);
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(x)) {
      if (k.startsWith('$')) throw new TypeError(`object key ${JSON.stringify(k)} starts with $ (reserved by the encoding)`);
      if (v !== undefined) out[k] = encodeValue(v);
    }
    return out;
  }
  throw new TypeError(`not plain data: ${typeof x}`);
}

/**
 * The value {@link encodeValue} encoded.
 * @throws TypeError for a malformed tag
 */
export function decodeValue(j: unknown): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(decodeValue);
  const o = j as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    const v = o[keys[0]];
    switch (keys[0]) {
      case '$num':
        if (v === 'NaN') return NaN;
        if (v === 'Infinity') return Infinity;
        if (v === '-Infinity') return -Infinity;
        if (v === '-0') return -0;
        break;
      case '$undef': return undefined;
      case '$map':
        if (Array.isArray(v)) return new Map(v.map((e) => { if (!Array.isArray(e) || e.length !== 2) throw new TypeError('malformed $map entry'); return [decodeValue(e[0]), decodeValue(e[1])]; }));
        break;
      case '$set':
        if (Array.isArray(v)) return new Set(v.map(decodeValue));
        break;
    }
    throw new TypeError(`malformed ${keys[0]} value`);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) if (!UNSAFE_KEYS.has(k)) out[k] = decodeValue(o[k]);
  return out;
}

/**
 * The memory as one JSON-safe object (`JSON.stringify` keeps everything: see module doc), with the
 * next-step model's `toJSON()` and the learning hooks' state when given in `extras`. `memory.state` is not in it (it is saved
 * on its own); `throughSec` names the state it goes with.
 * @throws TypeError when a part is not plain data (e.g. a forecaster whose fitted state holds a class instance)
 */
export function serializeTickMemory(memory: TickMemory, extras: TickMemoryExtras = {}): SerializedTickMemory {
  const { nextStep, learning } = extras;
  const c = memory.calibrators;
  const parts: TickMemoryParts = {
    chains: memory.chains.toJSON(),
    forecasts: memory.forecasts.toJSON(),
    scorer: memory.scorer.toJSON(),
    prepared: [...memory.prepared],
    critical: memory.critical.toJSON(),
    ledger: [...memory.ledger.held],
    ...(c ? { calibrators: { metric: c.metric.toJSON(), pool: c.pool.toJSON(), backlog: c.backlog.toJSON(), ...(c.coverage ? { coverage: c.coverage.toJSON() } : {}) } } : {}),
    observedAt: new Map(memory.observedAt),
    ...(memory.lastEventSec !== undefined ? { lastEventSec: memory.lastEventSec } : {}),
    decisionCounts: { ...memory.decisionCounts },
    behaviour: memory.behaviour,
    ...(nextStep ? { nextStep: nextStep.toJSON() } : {}),
    ...(learning !== undefined ? { learning } : {}),
  };
  return { version: TICK_MEMORY_VERSION, throughSec: memory.state.lastTickSec, memory: encodeValue(parts) };
}

/** What {@link restoreTickMemory} gives: the memory (and model), or why it was not restored. */
export type RestoredTickMemory =
  | { readonly ok: true; readonly memory: TickMemory; readonly nextStep?: NextStepModel; readonly learning?: unknown }
  | { readonly ok: false; readonly reason: string };

/** What {@link restoreTickMemory} needs besides the saved object. */
export interface RestoreTickMemoryInput {
  /** The configured workflows (step definitions are looked up in them). */
  readonly workflows: readonly Workflow[];
  /** Whether the tick recalibrates (a memory saved with the other setting is not restored). */
  readonly recalibrate: boolean;
  /** The tick state just loaded: the memory is restored only when its `throughSec` equals `state.lastTickSec`. */
  readonly state: TickState;
  /** Rebuilds the next-step model from its JSON (core/predict `restoreNextStepModel`); the model is not restored without it. */
  readonly restoreNextStep?: (json: unknown) => NextStepModel;
}

/**
 * The memory saved by {@link serializeTickMemory} (after `JSON.parse`), with `state` as its state,
 * or why not (the caller then rebuilds from events, as a new process always did): not an object,
 * another `version`, a `throughSec` other than the state's, a recalibrate setting other than the
 * tick's, a step whose task is no longer configured, a model that was not saved (when `restoreNextStep`
 * is given) or does not restore, malformed parts.
 * Never throws.
 */
export function restoreTickMemory(json: unknown, input: RestoreTickMemoryInput): RestoredTickMemory {
  const saved = json as Partial<SerializedTickMemory> | null;
  if (!saved || typeof saved !== 'object') return { ok: false, reason: 'not a saved tick memory' };
  if (saved.version !== TICK_MEMORY_VERSION) return { ok: false, reason: `version ${String(saved.version)}, expected ${TICK_MEMORY_VERSION}` };
  if (saved.throughSec !== input.state.lastTickSec) return { ok: false, reason: `saved through ${String(saved.throughSec)}, the state's last tick is ${String(input.state.lastTickSec)}` };
  try {
    const p = decodeValue(saved.memory) as TickMemoryParts;
    if (!!p.calibrators !== input.recalibrate) return { ok: false, reason: `saved ${p.calibrators ? 'with' : 'without'} recalibration, the tick runs ${input.recalibrate ? 'with' : 'without'}` };
    const ledger = new PreparedStateLedger();
    for (const [k, v] of p.ledger) ledger.held.set(k, v);
    const memory: TickMemory = {
      state: input.state,
      chains: ChainBook.fromJSON(p.chains, new TaskCatalog(input.workflows)),
      forecasts: ForecastCache.fromJSON(p.forecasts),
      scorer: PredictionScorer.fromJSON(p.scorer as { lastTop1: Array<[string, string]>; counter: HitCounter }),
      prepared: new Set(p.prepared),
      critical: CriticalStepTracker.fromJSON(p.critical),
      ledger,
      ...(p.calibrators ? { calibrators: { metric: QuantileCalibrator.fromJSON(p.calibrators.metric), pool: PoolQuantileCalibrator.fromJSON(p.calibrators.pool), backlog: PoolQuantileCalibrator.fromJSON(p.calibrators.backlog), coverage: CoverageTracker.fromJSON(p.calibrators.coverage) } } : {}),
      observedAt: new Map(p.observedAt),
      ...(p.lastEventSec !== undefined ? { lastEventSec: p.lastEventSec } : {}),
      decisionCounts: { ...p.decisionCounts },
      behaviour: p.behaviour,
    };
    const learning = p.learning !== undefined ? { learning: p.learning } : {};
    if (!input.restoreNextStep) return { ok: true, memory, ...learning };
    // the model learned from the events this memory has already read: without it, it would miss them
    if (p.nextStep === undefined) return { ok: false, reason: 'saved without the next-step model' };
    return { ok: true, memory, nextStep: input.restoreNextStep(p.nextStep), ...learning };
  } catch (e) {
    return { ok: false, reason: `malformed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
