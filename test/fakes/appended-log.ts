/**
 * Waiting on events instead of polling: a `StateStore.append` decorator that passes every entry on to
 * the real store and resolves {@link AppendedLog.when}'s promises as soon as an entry that matches is
 * appended (or already was), so a test waits for "the worker wrote its `progress` event" without a
 * loop of real sleeps.
 */
import type { StateStore } from '../../src/ports/state-store.js';

interface Waiter {
  readonly log: string;
  readonly match: (entry: unknown) => boolean;
  readonly resolve: (entry: unknown) => void;
}

/** See the module comment. */
export class AppendedLog implements Pick<StateStore, 'append'> {
  private readonly seen: Array<{ log: string; entry: unknown }> = [];
  private waiters: Waiter[] = [];

  /** @param inner the store the entries really go to */
  constructor(private readonly inner: Pick<StateStore, 'append'>) {}

  async append<T extends { readonly atSec: number }>(log: string, entries: readonly T[]): Promise<void> {
    await this.inner.append(log, entries);
    for (const entry of entries) {
      this.seen.push({ log, entry });
      this.waiters = this.waiters.filter((w) => {
        if (w.log !== log || !w.match(entry)) return true;
        w.resolve(entry);
        return false;
      });
    }
  }

  /** The first entry of `log` that `match` accepts, once the real store holds it (at once when it already does). */
  when<T>(log: string, match: (entry: T) => boolean): Promise<T> {
    const hit = this.seen.find((s) => s.log === log && match(s.entry as T));
    if (hit) return Promise.resolve(hit.entry as T);
    return new Promise<T>((resolve) => { this.waiters.push({ log, match: match as (e: unknown) => boolean, resolve: resolve as (e: unknown) => void }); });
  }
}
