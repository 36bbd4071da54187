/**
 * The persisted historical fingerprint in the controller tick (issue 22, seed 001 §2), kept out of
 * app/tick.ts so the tick calls it in a few small places: the book (core/predict/fingerprint-book.ts)
 * is loaded from the tick's state store once per process, fed every tick's execution events, saved
 * after the tick's state, and read by the predict stage — measured runtimes for the planner's
 * known-step timings, edge probabilities as the next-step model's prior
 * (core/predict/fingerprint-prior.ts). Without a store (a backtest) it lives in memory.
 *
 * The book is one item of the store (table {@link FINGERPRINT_TABLE}, key {@link FINGERPRINT_KEY}).
 * A state larger than {@link FINGERPRINT_MAX_CHARS} is not saved (DynamoDB items are at most 400 KB):
 * the tick goes on with the in-memory book and logs a warning, and a new process rebuilds the book
 * from the events it re-reads.
 */
import { FingerprintConfigSchema, type FingerprintConfig } from '../../core/model/learning-config.js';
import type { ExecutionEvent } from '../../core/model/events.js';
import { FingerprintBook, type FingerprintBookState } from '../../core/predict/fingerprint-book.js';
import { FingerprintPriorModel } from '../../core/predict/fingerprint-prior.js';
import type { NextStepModel } from '../../core/predict/types.js';
import type { StepRuntimeLookup } from '../../core/tick/chain-book.js';
import type { Logger } from '../../ports/logger.js';
import type { StateStore } from '../../ports/state-store.js';

/** Table and key of the persisted fingerprint book. */
export const FINGERPRINT_TABLE = 'fingerprint';
export const FINGERPRINT_KEY = 'book';
/** Largest serialized book saved, characters (DynamoDB's item limit is 400 KB). */
export const FINGERPRINT_MAX_CHARS = 350_000;

/** The book's options from the config. */
export function fingerprintBookOptions(cfg: Pick<FingerprintConfig, 'windowDays'>): { windowSec: number } {
  return { windowSec: cfg.windowDays * 86_400 };
}

/**
 * Reads the persisted book of `store` (undefined when none was saved).
 * @param cfg the window the book is read with (a book saved with another window is rebuilt: empty)
 */
export async function loadFingerprintBook(store: StateStore, cfg: Pick<FingerprintConfig, 'windowDays'>): Promise<FingerprintBook | undefined> {
  const got = await store.get<FingerprintBookState>(FINGERPRINT_TABLE, FINGERPRINT_KEY);
  return got ? new FingerprintBook(fingerprintBookOptions(cfg), got.value) : undefined;
}

/**
 * Reads the persisted book of `store` with the window it was saved with (for display: `prescale
 * signals --fingerprint W --db FILE`); undefined when none was saved.
 */
export async function readSavedFingerprintBook(store: StateStore): Promise<FingerprintBook | undefined> {
  const got = await store.get<FingerprintBookState>(FINGERPRINT_TABLE, FINGERPRINT_KEY);
  return got ? new FingerprintBook({ windowSec: got.value.windowSec, bucketSec: got.value.bucketSec }, got.value) : undefined;
}

/** See the module comment. */
export class FingerprintHooks {
  private book: FingerprintBook;
  private loaded = false;
  private dirty = false;
  private warned = false;

  private readonly cfg: FingerprintConfig;

  /** @param cfg the controller config's `fingerprint` (absent: the defaults) */
  constructor(cfg: FingerprintConfig | undefined, private readonly store?: StateStore, private readonly logger?: Logger) {
    this.cfg = cfg ?? FingerprintConfigSchema.parse({});
    this.book = new FingerprintBook(fingerprintBookOptions(this.cfg));
  }

  /** The book now. */
  get current(): FingerprintBook {
    return this.book;
  }

  /** Loads the saved book, once per process (later calls do nothing). */
  async load(): Promise<void> {
    if (this.loaded || !this.store || !this.cfg.enabled) { this.loaded = true; return; }
    this.loaded = true;
    const got = await loadFingerprintBook(this.store, this.cfg);
    if (got) this.book = got;
  }

  /** Feeds the tick's execution events. */
  observe(events: readonly ExecutionEvent[], nowSec: number): void {
    if (!this.cfg.enabled) return;
    this.book.observe(events, nowSec);
    this.dirty = true;
  }

  /** Saves the book when it changed (see the module comment for the size limit); a failed save is logged, never thrown. */
  async save(): Promise<void> {
    if (!this.store || !this.dirty || !this.cfg.enabled) return;
    const state = this.book.state();
    const chars = JSON.stringify(state).length;
    if (chars > FINGERPRINT_MAX_CHARS) {
      if (!this.warned) this.logger?.warn('fingerprint not saved: too large for one state item', { chars, maxChars: FINGERPRINT_MAX_CHARS, windowDays: this.cfg.windowDays });
      this.warned = true;
      return;
    }
    try {
      await this.store.put(FINGERPRINT_TABLE, FINGERPRINT_KEY, state);
      this.dirty = false;
    } catch (e) {
      this.logger?.warn('fingerprint not saved', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Measured runtimes for the planner's known-step timings (undefined when `fingerprint.runtimes` is off). */
  runtimeOf(): StepRuntimeLookup | undefined {
    if (!this.cfg.enabled || !this.cfg.runtimes) return undefined;
    return (workflow, taskType) => this.book.runtime(workflow, taskType, this.cfg.minRuns);
  }

  /** `model` with the fingerprint's edge probabilities as prior (`model` itself when `fingerprint.prior` is off). */
  withPrior(model: NextStepModel): NextStepModel {
    if (!this.cfg.enabled || !this.cfg.prior) return model;
    return new FingerprintPriorModel(model, (w, t) => this.book.successors(w, t));
  }
}
