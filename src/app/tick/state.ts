/**
 * Loading and saving the tick's small persistent state through the StateStore port, with a
 * conditional write so two concurrent ticks cannot both act.
 */
import type { StateStore } from '../../ports/state-store.js';
import { INITIAL_TICK_STATE, type TickState } from '../../core/tick/memory.js';

export { INITIAL_TICK_STATE } from '../../core/tick/memory.js';

/** Table and key of the tick state. */
export const TICK_STATE_TABLE = 'tick';
export const TICK_STATE_KEY = 'state';
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
