/**
 * Loading and saving the tick's small persistent state through the StateStore port, with a
 * conditional write so two concurrent ticks cannot both act; and its whole memory
 * (core/tick/memory-codec.ts) under its own key, so a new process resumes it instead of rebuilding
 * it from the execution-event window.
 */
import type { StateStore } from '../../ports/state-store.js';
import type { Logger } from '../../ports/logger.js';
import type { Workflow } from '../../core/model/index.js';
import type { NextStepModel } from '../../core/predict/types.js';
import { restoreNextStepModel } from '../../core/predict/index.js';
import { INITIAL_TICK_STATE, type TickMemory, type TickState } from '../../core/tick/memory.js';
import { restoreTickMemory, serializeTickMemory } from '../../core/tick/memory-codec.js';
import type { LearningHooks } from '../history/learning-hooks.js';

export { INITIAL_TICK_STATE } from '../../core/tick/memory.js';

/** Table and key of the tick state. */
export const TICK_STATE_TABLE = 'tick';
export const TICK_STATE_KEY = 'state';
/**
 * Key of the tick's serialized memory (table {@link TICK_STATE_TABLE}): a head item
 * {@link TickMemoryHead}; its text is in items `memory#0` … `memory#<chunks − 1>`.
 */
export const TICK_MEMORY_KEY = 'memory';
/**
 * Largest item written for the memory, characters of its JSON: a DynamoDB item holds at most 400 KB
 * (AWS, "Service, account, and table quotas in Amazon DynamoDB"), so the memory's text is cut into
 * chunks of half this many characters (each at most this long once JSON-escaped).
 */
export const TICK_MEMORY_MAX_CHARS = 350_000;
/** Most chunks written per tick (16 × 175,000 = 2.8 million characters); a larger memory is not saved (warned). */
export const TICK_MEMORY_MAX_CHUNKS = 16;

/** The head item of a saved memory: which tick saved it and how its text was cut. */
export interface TickMemoryHead {
  /** The tick state's `lastTickSec` the memory was saved after (every chunk carries it too). */
  readonly throughSec: number | null;
  readonly chunks: number;
  /** Characters of the whole text. */
  readonly chars: number;
}

/** One chunk of a saved memory's text. */
interface TickMemoryChunk {
  readonly throughSec: number | null;
  readonly text: string;
}

/** Log the decisions are appended to. */
export const DECISION_LOG = 'decisions';

/** Holds the state in memory and mirrors it to a store when one is given. */
export class TickStateHolder {
  private version = 0;
  state: TickState = INITIAL_TICK_STATE;

  constructor(private readonly store?: StateStore) {}

  /** Reads the stored state (no-op without a store). */
  async load(): Promise<TickState> {
    if (!this.store) return this.state;
    const got = await this.store.get<TickState>(TICK_STATE_TABLE, TICK_STATE_KEY);
    if (got) {
      this.state = got.value;
      this.version = got.version;
    } else {
      this.version = 0;
    }
    return this.state;
  }

  /**
   * Saves `next`; with a store, only if nobody wrote since our load.
   * @throws VersionConflictError when another tick wrote meanwhile
   */
  async save(next: TickState): Promise<void> {
    this.state = next;
    if (!this.store) return;
    this.version = await this.store.put(TICK_STATE_TABLE, TICK_STATE_KEY, next, { ifVersion: this.version });
  }
}

/**
 * Saves the tick's memory after each tick and restores it on the first tick of a process (see
 * module doc). Without a store it does nothing. Every failure only logs: the memory is then
 * rebuilt from events, as before it was persisted.
 */
export class TickMemoryHolder {
  private loaded = false;

  constructor(private readonly store: StateStore | undefined, private readonly logger?: Logger, private readonly maxChars = TICK_MEMORY_MAX_CHARS, private readonly maxChunks = TICK_MEMORY_MAX_CHUNKS) {}

  /**
   * On the first call of a process: the saved memory (and next-step model; the learning hooks are
   * restored in place) when it was saved after the tick `state` comes from; otherwise (and on later
   * calls) undefined, with the reason logged.
   */
  async restore(state: TickState, workflows: readonly Workflow[], recalibrate: boolean, learning: LearningHooks): Promise<{ memory: TickMemory; nextStep?: NextStepModel } | undefined> {
    if (this.loaded || !this.store) return undefined;
    this.loaded = true;
    try {
      const text = await this.readText(state);
      if (text === undefined) return undefined;
      const r = restoreTickMemory(JSON.parse(text), { workflows, recalibrate, state, restoreNextStep: restoreNextStepModel });
      if (!r.ok) {
        this.logger?.info('tick memory not restored: rebuilt from events', { reason: r.reason });
        return undefined;
      }
      if (r.learning === undefined) throw new Error('saved without the learning hooks');
      learning.restore(r.learning, restoreNextStepModel); // all or none: a failure leaves the hooks as they were
      return { memory: r.memory, ...(r.nextStep ? { nextStep: r.nextStep } : {}) };
    } catch (e) {
      this.logger?.warn('tick memory not restored: rebuilt from events', { error: e instanceof Error ? e.message : String(e) });
    }
    return undefined;
  }

  /**
   * Saves `memory` with `nextStep`'s and `learning`'s state (after the tick state was saved): the
   * chunks first, the head last, so a head always names chunks written before it.
   */
  async save(memory: TickMemory, nextStep: NextStepModel, learning: LearningHooks): Promise<void> {
    if (!this.store) return;
    try {
      const text = JSON.stringify(serializeTickMemory(memory, { nextStep, learning: learning.toJSON() }));
      const size = Math.floor(this.maxChars / 2), chunks = Math.max(1, Math.ceil(text.length / size));
      if (chunks > this.maxChunks) {
        // the older saved memory stays: its throughSec no longer matches the state, so it is never restored
        this.logger?.warn('tick memory not saved: too large (a new process rebuilds it from events)', { chars: text.length, maxChars: size * this.maxChunks });
        return;
      }
      const throughSec = memory.state.lastTickSec;
      for (let i = 0; i < chunks; i++) await this.store.put<TickMemoryChunk>(TICK_STATE_TABLE, `${TICK_MEMORY_KEY}#${i}`, { throughSec, text: text.slice(i * size, (i + 1) * size) });
      await this.store.put<TickMemoryHead>(TICK_STATE_TABLE, TICK_MEMORY_KEY, { throughSec, chunks, chars: text.length });
    } catch (e) {
      this.logger?.warn('tick memory not saved (a new process rebuilds it from events)', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The saved text when its head matches `state` (undefined, logged, otherwise). @throws Error for a torn or malformed save */
  private async readText(state: TickState): Promise<string | undefined> {
    const head = (await this.store!.get<Partial<TickMemoryHead>>(TICK_STATE_TABLE, TICK_MEMORY_KEY))?.value;
    if (!head) return undefined;
    if (head.throughSec !== state.lastTickSec) {
      this.logger?.info('tick memory not restored: rebuilt from events', { reason: `saved through ${String(head.throughSec)}, the state's last tick is ${String(state.lastTickSec)}` });
      return undefined;
    }
    return (await readSavedTickMemory(this.store!, this.maxChunks))?.text;
  }
}

/**
 * The last saved tick memory's JSON text (see {@link TickMemoryHolder}) and the tick it was saved
 * after, whatever the tick state says now (for reports: `prescale export-report` and the scheduled
 * report writer read the learning loop's figures from it); undefined when none was saved.
 * @throws Error for a torn or malformed save
 */
export async function readSavedTickMemory(store: StateStore, maxChunks = TICK_MEMORY_MAX_CHUNKS): Promise<{ readonly text: string; readonly throughSec: number | null } | undefined> {
  const head = (await store.get<Partial<TickMemoryHead>>(TICK_STATE_TABLE, TICK_MEMORY_KEY))?.value;
  if (!head) return undefined;
  if (!Number.isInteger(head.chunks) || head.chunks! < 1 || head.chunks! > maxChunks || typeof head.chars !== 'number') throw new Error('malformed memory head');
  let text = '';
  for (let i = 0; i < head.chunks!; i++) {
    const c = (await store.get<Partial<TickMemoryChunk>>(TICK_STATE_TABLE, `${TICK_MEMORY_KEY}#${i}`))?.value;
    if (!c || c.throughSec !== head.throughSec || typeof c.text !== 'string') throw new Error(`memory chunk ${i} missing or of another save`);
    text += c.text;
  }
  if (text.length !== head.chars) throw new Error(`memory text is ${text.length} characters, its head says ${head.chars}`);
  return { text, throughSec: head.throughSec ?? null };
}
