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
/** Key of the tick's serialized memory (table {@link TICK_STATE_TABLE}). */
export const TICK_MEMORY_KEY = 'memory';
/**
 * Largest serialized memory saved, characters: a DynamoDB item holds at most 400 KB (AWS, "Service,
 * account, and table quotas in Amazon DynamoDB"); a larger memory is not saved (warned) and the next
 * process rebuilds it from events.
 */
export const TICK_MEMORY_MAX_CHARS = 350_000;
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

  constructor(private readonly store: StateStore | undefined, private readonly logger?: Logger, private readonly maxChars = TICK_MEMORY_MAX_CHARS) {}

  /**
   * On the first call of a process: the saved memory (and next-step model) when it was saved after
   * the tick `state` comes from; otherwise (and on later calls) undefined.
   */
  async restore(state: TickState, workflows: readonly Workflow[], recalibrate: boolean, learning: LearningHooks): Promise<{ memory: TickMemory; nextStep?: NextStepModel } | undefined> {
    if (this.loaded || !this.store) return undefined;
    this.loaded = true;
    try {
      const got = await this.store.get<unknown>(TICK_STATE_TABLE, TICK_MEMORY_KEY);
      if (!got) return undefined;
      const r = restoreTickMemory(got.value, { workflows, recalibrate, state, restoreNextStep: restoreNextStepModel });
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

  /** Saves `memory` with `nextStep`'s and `learning`'s state (after the tick state was saved). */
  async save(memory: TickMemory, nextStep: NextStepModel, learning: LearningHooks): Promise<void> {
    if (!this.store) return;
    try {
      const json = serializeTickMemory(memory, { nextStep, learning: learning.toJSON() });
      const chars = JSON.stringify(json).length;
      if (chars > this.maxChars) {
        // the older saved memory stays: its throughSec no longer matches the state, so it is never restored
        this.logger?.warn('tick memory not saved: too large (a new process rebuilds it from events)', { chars, maxChars: this.maxChars });
        return;
      }
      await this.store.put(TICK_STATE_TABLE, TICK_MEMORY_KEY, json);
    } catch (e) {
      this.logger?.warn('tick memory not saved (a new process rebuilds it from events)', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}
