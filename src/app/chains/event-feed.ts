/**
 * The workers' step events (the `execution-events` log) for the executions this process follows,
 * read once per interval for all of them (not once per execution and poll): each refresh reads the
 * log from a little before the newest event seen (`overlapSec`, for events other processes append
 * late) and keeps, per execution name, every event once, in log order.
 */
import type { ExecutionEvent } from '../../core/model/events.js';
import type { Clock } from '../../ports/clock.js';
import type { StateStore } from '../../ports/state-store.js';

/** See the module comment. */
export class EventFeed {
  private readonly byName = new Map<string, Map<string, ExecutionEvent>>();
  private newestSec = -Infinity;
  private backfillFromSec: number | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshedAtSec = -Infinity;

  /**
   * @param store where the log is
   * @param clock when the log was last read (the service's clock)
   * @param log the log's name
   * @param minIntervalMs the shortest time between two reads of the log
   * @param overlapSec how far before the newest event seen a read starts, seconds
   */
  constructor(private readonly store: Pick<StateStore, 'readLog'>, private readonly clock: Pick<Clock, 'nowSec'>, private readonly log: string, private readonly minIntervalMs: number, private readonly overlapSec = 30) {}

  /** Starts keeping the events of `name`, including those since `sinceSec` (epoch seconds). */
  watch(name: string, sinceSec: number): void {
    if (this.byName.has(name)) return;
    this.byName.set(name, new Map());
    this.backfillFromSec = Math.min(this.backfillFromSec ?? Infinity, sinceSec);
    this.refreshedAtSec = -Infinity;
  }

  /** Stops keeping the events of `name`. */
  forget(name: string): void {
    this.byName.delete(name);
  }

  /** The events of `name` so far (read from the log at most every `minIntervalMs`), oldest first. */
  async events(name: string): Promise<ExecutionEvent[]> {
    if ((this.clock.nowSec() - this.refreshedAtSec) * 1000 >= this.minIntervalMs) {
      this.refreshing ??= this.refresh().finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
    }
    return [...(this.byName.get(name)?.values() ?? [])];
  }

  private async refresh(): Promise<void> {
    const fromSec = Math.min(this.backfillFromSec ?? Infinity, this.newestSec - this.overlapSec);
    this.backfillFromSec = undefined;
    const read = await this.store.readLog<ExecutionEvent>(this.log, Number.isFinite(fromSec) ? { fromSec } : {});
    this.refreshedAtSec = this.clock.nowSec();
    for (const e of read) {
      if (e.atSec > this.newestSec) this.newestSec = e.atSec;
      const kept = e.executionName === undefined ? undefined : this.byName.get(e.executionName);
      kept?.set(`${e.kind}|${e.taskId}|${e.atSec}|${e.instanceId ?? ''}`, e);
    }
  }
}
